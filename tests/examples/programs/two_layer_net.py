# A two-layer network as an nn.Module subclass with a custom method, trained with SGD.
import torch


class TwoLayerNet(torch.nn.Module):
    def __init__(self, d_in, h, d_out):
        super().__init__()
        self.linear1 = torch.nn.Linear(d_in, h)
        self.linear2 = torch.nn.Linear(h, d_out)

    def forward(self, x):
        h_relu = self.linear1(x).clamp(min=0)
        return self.linear2(h_relu)

    def num_parameters(self):
        return sum(p.numel() for p in self.parameters())


torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10
x = torch.randn(N, D_in)
teacher = torch.nn.Linear(D_in, D_out)
with torch.no_grad():
    y = teacher(x)

model = TwoLayerNet(D_in, H, D_out)
print("parameters:", model.num_parameters())
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
first = None
for t in range(500):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    if first is None:
        first = loss.item()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f"initial_loss: {first}")
print(f"final_loss: {loss.item()}")
