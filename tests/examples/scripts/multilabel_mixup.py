# Multi-label classification with BCEWithLogitsLoss on (N, K) targets; mixup with soft-target CE for an aux head
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(5)
np.random.seed(5)
N, D, K = 2000, 24, 5
X = np.random.randn(N, D).astype(np.float32)
Wt = np.random.randn(D, K)
Y = ((X @ Wt + np.random.randn(N, K)) > 1.0).astype(np.float32)
yc = (X[:, :3].sum(1) > 0).astype(np.int64)
print("label freq", Y.mean(0).round(2))

Xt = torch.tensor(X)
Yt = torch.tensor(Y)
Yc = torch.tensor(yc)
ds = TensorDataset(Xt[:1600], Yt[:1600], Yc[:1600])
loader = DataLoader(ds, batch_size=100, shuffle=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(D, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.head = nn.Linear(64, K)
        self.aux = nn.Linear(64, 2)
        self.p = 0.1

    def forward(self, x):
        h = self.body(x)
        h = F.dropout(h, self.p, training=self.training)
        return self.head(h), self.aux(h)


model = Net()
for m in model.modules():
    if isinstance(m, nn.Linear):
        nn.init.trunc_normal_(m.weight, std=0.1)
        nn.init.constant_(m.bias, 0.0)
pos_weight = ((1 - Yt[:1600]).sum(0) / Yt[:1600].sum(0).clamp(min=1)).clamp(max=10)
crit = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(12):
    model.train()
    tot = 0
    for xb, yb, cb in loader:
        lam = float(np.random.beta(0.4, 0.4))
        idx = torch.randperm(xb.size(0))
        xm = lam * xb + (1 - lam) * xb[idx]
        soft = lam * F.one_hot(cb, 2).float() + (1 - lam) * F.one_hot(cb[idx], 2).float()
        out, aux = model(xm)
        ym = lam * yb + (1 - lam) * yb[idx]
        loss = crit(out, ym) + F.cross_entropy(aux, soft)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
    if epoch % 4 == 0:
        print(f"epoch {epoch} loss {tot / len(loader):.4f}")

model.eval()
with torch.no_grad():
    out, aux = model(Xt[1600:])
    probs = torch.sigmoid(out)
    pred = (probs > 0.5).int()
    tgt = Yt[1600:].int()
    tp = (pred & tgt).sum(0).float()
    fp = (pred & (1 - tgt)).sum(0).float()
    fn = ((1 - pred) & tgt).sum(0).float()
    f1 = 2 * tp / (2 * tp + fp + fn).clamp(min=1)
    exact = (pred == tgt).all(dim=1).float().mean()
    aux_acc = (aux.argmax(-1) == Yc[1600:]).float().mean()
print("per-label f1", f1.numpy().round(3))
print(f"FINAL macro_f1={f1.mean().item():.4f} exact={exact.item():.4f} aux_acc={aux_acc.item():.4f}")
