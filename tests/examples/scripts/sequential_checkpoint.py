# nn.Sequential with BatchNorm1d + Dropout, AdamW + OneCycleLR / CosineAnnealingLR,
# clip_grad_norm_, early stopping with deepcopy(state_dict), checkpoint dict save/load
import copy
import os
import random
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader, Subset


def set_seed(seed=42):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


set_seed(42)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

n, d, k = 3000, 30, 5
centers = np.random.randn(k, d) * 1.2
labels = np.random.randint(0, k, size=n)
feats = centers[labels] + np.random.randn(n, d)
X = torch.from_numpy(feats).float()
y = torch.from_numpy(labels).long()
ds = TensorDataset(X, y)
idx = torch.randperm(len(ds)).tolist()
train_ds = Subset(ds, idx[:2000])
val_ds = Subset(ds, idx[2000:2500])
test_ds = Subset(ds, idx[2500:])
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True, num_workers=0, pin_memory=False)
val_loader = DataLoader(val_ds, batch_size=256)
test_loader = DataLoader(test_ds, batch_size=256)


def make_model():
    return nn.Sequential(
        nn.Linear(d, 128),
        nn.BatchNorm1d(128),
        nn.ReLU(inplace=True),
        nn.Dropout(p=0.3),
        nn.Linear(128, 64),
        nn.BatchNorm1d(64),
        nn.GELU(),
        nn.Dropout(0.2),
        nn.Linear(64, k),
    ).to(device)


def evaluate(model, loader, criterion):
    model.eval()
    total_loss, correct, total = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb)
            total_loss += criterion(out, yb).item() * xb.size(0)
            _, predicted = torch.max(out, 1)
            total += yb.size(0)
            correct += (predicted == yb).sum().item()
    return total_loss / total, correct / total


def fit(sched_kind, epochs=12):
    model = make_model()
    criterion = nn.CrossEntropyLoss(label_smoothing=0.05)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    if sched_kind == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, steps_per_epoch=len(train_loader), epochs=epochs)
    else:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=1e-5)
    best_val, best_state, patience, bad = float("inf"), None, 3, 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(xb), yb)
            loss.backward()
            total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            if sched_kind == "onecycle":
                scheduler.step()
        if sched_kind != "onecycle":
            scheduler.step()
        val_loss, val_acc = evaluate(model, val_loader, criterion)
        print(f"[{sched_kind}] epoch {epoch+1}/{epochs} loss {loss.item():.4f} val_loss {val_loss:.4f} "
              f"val_acc {val_acc:.3f} lr {scheduler.get_last_lr()[0]:.6f} gnorm {float(total_norm):.3f}")
        if val_loss < best_val - 1e-4:
            best_val = val_loss
            best_state = copy.deepcopy(model.state_dict())
            bad = 0
            torch.save({
                'epoch': epoch,
                'model_state_dict': model.state_dict(),
                'optimizer_state_dict': optimizer.state_dict(),
                'scheduler_state_dict': scheduler.state_dict(),
                'loss': loss,
                'best_val': best_val,
            }, f"ckpt_{sched_kind}.pt")
        else:
            bad += 1
            if bad >= patience:
                print("Early stopping")
                break
    model.load_state_dict(best_state)
    test_loss, test_acc = evaluate(model, test_loader, criterion)
    print(f"FINAL {sched_kind} test_loss={test_loss:.4f} test_acc={test_acc:.4f}")

    # resume from checkpoint
    checkpoint = torch.load(f"ckpt_{sched_kind}.pt", map_location=device)
    model2 = make_model()
    optimizer2 = torch.optim.AdamW(model2.parameters(), lr=3e-3, weight_decay=1e-2)
    model2.load_state_dict(checkpoint['model_state_dict'])
    optimizer2.load_state_dict(checkpoint['optimizer_state_dict'])
    epoch0 = checkpoint['epoch']
    loss0 = checkpoint['loss']
    print("resumed epoch", epoch0, "loss", float(loss0), "best", checkpoint['best_val'])
    print("reload test", evaluate(model2, test_loader, criterion))
    # continue training one step from checkpoint
    model2.train()
    for xb, yb in train_loader:
        optimizer2.zero_grad()
        criterion(model2(xb), yb).backward()
        optimizer2.step()
        break
    print("resumed step ok", optimizer2.state_dict()['state'][0]['step'])
    print("bn running_mean[:3]", model2[1].running_mean[:3], model2[1].num_batches_tracked)
    os.remove(f"ckpt_{sched_kind}.pt")


fit("onecycle")
fit("cosine")
