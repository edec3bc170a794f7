# Regression with MSELoss, random_split with generator, StepLR / ReduceLROnPlateau
import math
import time
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader, random_split

torch.manual_seed(42)
torch.set_num_threads(1)

n_samples, n_features = 2000, 8
X = torch.randn(n_samples, n_features)
true_w = torch.randn(n_features, 1)
y = X @ true_w + 0.3 * torch.sin(X[:, :1] * 3) + 0.1 * torch.randn(n_samples, 1)
y = y.squeeze()

dataset = TensorDataset(X, y)
train_size = int(0.8 * len(dataset))
val_size = len(dataset) - train_size
train_ds, val_ds = random_split(dataset, [train_size, val_size], generator=torch.Generator().manual_seed(42))
print(len(train_ds), len(val_ds), type(train_ds).__name__)

train_loader = DataLoader(train_ds, batch_size=32, shuffle=True, drop_last=True)
val_loader = DataLoader(val_ds, batch_size=128, shuffle=False)


class Regressor(nn.Module):
    def __init__(self, in_dim, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_dim, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.1),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def run(sched_name):
    torch.manual_seed(0)
    model = Regressor(n_features)
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-5)
    if sched_name == "step":
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
    else:
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=0.5, patience=2)
    for epoch in range(15):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            pred = model(xb)
            loss = criterion(pred, yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * xb.size(0)
        train_loss = running / (len(train_loader) * train_loader.batch_size)
        model.eval()
        with torch.no_grad():
            preds, targets = [], []
            for xb, yb in val_loader:
                preds.append(model(xb))
                targets.append(yb)
            preds = torch.cat(preds)
            targets = torch.cat(targets)
            val_loss = criterion(preds, targets).item()
            rmse = torch.sqrt(torch.mean((preds - targets) ** 2)).item()
            mae = (preds - targets).abs().mean().item()
            ss_res = ((targets - preds) ** 2).sum()
            ss_tot = ((targets - targets.mean()) ** 2).sum()
            r2 = 1 - ss_res / ss_tot
        if sched_name == "step":
            scheduler.step()
        else:
            scheduler.step(val_loss)
        lr = optimizer.param_groups[0]['lr']
        if epoch % 5 == 0 or epoch == 14:
            print(f"[{sched_name}] epoch {epoch:2d} train {train_loss:.4f} val {val_loss:.4f} rmse {rmse:.4f} "
                  f"mae {mae:.4f} r2 {r2:.4f} lr {lr:.5f}")
    print(f"FINAL {sched_name} val_mse={val_loss:.4f} r2={r2.item():.4f}")
    if sched_name == "step":
        print("last lr", scheduler.get_last_lr())
    out = preds.detach().cpu().numpy()
    print(out.shape, out.dtype, np.corrcoef(out, targets.numpy())[0, 1].round(3))


run("step")
run("plateau")
