# A typical PyTorch MLP training script: Module subclass with nn.functional, DataLoader over
# TensorDataset, Adam with a StepLR schedule, gradient clipping, train/eval, checkpointing.
# Usage: python mlp_training.py DATA.npz CHECKPOINT  (DATA holds arrays x [N, D] and y [N])
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self, d_in, hidden, d_out, p_drop=0.1):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, d_out)
        self.dropout = nn.Dropout(p_drop)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.dropout(F.relu(self.fc2(x)))
        return self.fc3(x)


def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(dim=1) == yb).sum().item()
            total += yb.shape[0]
    model.train()
    return loss_sum / total, correct / total


def main(data_path, ckpt_path):
    torch.manual_seed(0)
    data = np.load(data_path)
    x = torch.from_numpy(data["x"].astype(np.float32))
    y = torch.from_numpy(data["y"]).long()
    n_train = int(0.8 * len(x))
    train = TensorDataset(x[:n_train], y[:n_train])
    test = TensorDataset(x[n_train:], y[n_train:])
    train_loader = DataLoader(train, batch_size=64, shuffle=True)
    test_loader = DataLoader(test, batch_size=256)

    model = MLP(x.shape[1], 128, 10)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    for epoch in range(25):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
        scheduler.step()
    test_loss, acc = evaluate(model, test_loader)

    torch.save(model.state_dict(), ckpt_path)
    restored = MLP(x.shape[1], 128, 10)
    restored.load_state_dict(torch.load(ckpt_path))
    _, restored_acc = evaluate(restored, test_loader)
    probs = F.softmax(restored(x[n_train:][:5]), dim=1).detach().numpy()
    assert probs.shape == (5, 10)
    print(f"test_loss: {test_loss}")
    print(f"accuracy: {acc}")
    print(f"restored_accuracy: {restored_acc}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
