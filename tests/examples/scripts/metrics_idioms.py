# Misc idioms: ModuleList MLP, xavier init via apply, Adagrad, LambdaLR/ExponentialLR, topk,
# clamp, argmax, softmax, WeightedRandomSampler, custom collate, torch.no_grad decorator, etc.
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

torch.manual_seed(123)
torch.set_num_threads(1)
print("threads", torch.get_num_threads())

device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
n_classes = 4
X = torch.randn(2000, 16)
W = torch.randn(16, n_classes)
logits = X @ W
y = torch.argmax(logits + 0.5 * torch.randn_like(logits), dim=-1)
counts = torch.bincount(y, minlength=n_classes)
print("class counts", counts.tolist())


class MLP(nn.Module):
    def __init__(self, sizes, act=nn.ReLU, dropout=0.1):
        super().__init__()
        self.layers = nn.ModuleList()
        for a, b in zip(sizes[:-1], sizes[1:]):
            self.layers.append(nn.Linear(a, b))
        self.act = act()
        self.drop = nn.Dropout(dropout)
        self.norm = nn.LayerNorm(sizes[1])

    def forward(self, x):
        x = x.view(x.size(0), -1)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == 0:
                x = self.norm(x)
            if i < len(self.layers) - 1:
                x = self.drop(self.act(x))
        return x


def init_fn(m):
    if type(m) == nn.Linear:
        torch.nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain('relu'))
        m.bias.data.fill_(0.01)


model = MLP([16, 64, 32, n_classes], act=nn.SiLU).to(device)
model.apply(init_fn)
n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"{n_params:,} trainable parameters")

sample_weights = (1.0 / counts.float())[y]
sampler = WeightedRandomSampler(sample_weights, num_samples=len(y), replacement=True)
train_ds = TensorDataset(X[:1600], y[:1600])
sampler = WeightedRandomSampler(sample_weights[:1600].tolist(), num_samples=1600, replacement=True)
loader = DataLoader(train_ds, batch_size=50, sampler=sampler)

optimizer = torch.optim.Adagrad(model.parameters(), lr=0.05, weight_decay=1e-4)
lambda1 = lambda epoch: 0.95 ** epoch
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda1)
criterion = nn.CrossEntropyLoss(weight=counts.sum() / (n_classes * counts.float()))


@torch.no_grad()
def predict(model, x):
    model.eval()
    out = model(x.to(device))
    return torch.softmax(out, dim=1)


for epoch in range(8):
    model.train()
    tot, n = 0.0, 0
    for i, (xb, yb) in enumerate(loader):
        out = model(xb)
        loss = criterion(out, yb)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_value_(model.parameters(), clip_value=1.0)
        optimizer.step()
        tot += loss.item() * len(xb)
        n += len(xb)
    scheduler.step()
    print(f"epoch {epoch}: loss={tot / n:.4f} lr={optimizer.param_groups[0]['lr']:.4f}")

probs = predict(model, X[1600:])
top2_p, top2_i = torch.topk(probs, 2, dim=1)
pred = probs.argmax(dim=1)
acc = (pred == y[1600:]).float().mean().item()
top2 = (top2_i == y[1600:].unsqueeze(1)).any(dim=1).float().mean().item()
print(f"FINAL acc={acc:.4f} top2={top2:.4f}")
conf = torch.zeros(n_classes, n_classes, dtype=torch.long)
for t, p in zip(y[1600:].view(-1), pred.view(-1)):
    conf[t.long(), p.long()] += 1
print(conf)
print("per-class acc", (conf.diag().float() / conf.sum(1).float()).numpy().round(3))
clamped = torch.clamp(probs, min=1e-6, max=1 - 1e-6)
entropy = -(clamped * clamped.log()).sum(dim=1).mean()
print("entropy", round(entropy.item(), 4))
print("max prob", probs.max().item(), "min", probs.min(dim=1).values.mean().item())
print(probs[:2])
print(model.layers[0].weight.grad is not None, model.layers[0].weight.dtype, model.layers[0].weight.device)
