"""python -m retroprop.demo: train an MLP on the bundled handwritten digits with retroprop,
report test accuracy and time per step, then time the same training in hand-written NumPy."""
import argparse
import sys
import time

import numpy as np

import retroprop as torch
import retroprop.nn.functional as F
from retroprop.datasets import load_digits
from retroprop.demo.numpy_baseline import NumpyMLP
from retroprop.utils.data import DataLoader, TensorDataset

OPTIMIZERS = {
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
    "adamw": lambda p, lr: torch.optim.AdamW(p, lr=lr),
    "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr),
    "adagrad": lambda p, lr: torch.optim.Adagrad(p, lr=lr),
}


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="python -m retroprop.demo", description=__doc__)
    ap.add_argument("--epochs", type=int, default=30, help="passes over the training set (default 30)")
    ap.add_argument("--batch-size", type=int, default=32, help="examples per step (default 32)")
    ap.add_argument("--hidden", type=int, nargs="+", default=[256, 128], help="hidden layer sizes (default 256 128)")
    ap.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam", help="optimizer (default adam)")
    ap.add_argument("--lr", type=float, default=1e-3, help="learning rate (default 1e-3)")
    ap.add_argument("--threads", type=int, default=None, help="threads for retroprop's kernels (default: all cores)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--plot", metavar="FILE", help="write loss and accuracy curves to FILE (PNG; needs matplotlib)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the NumPy baseline comparison")
    return ap.parse_args(argv)


def progress(iterable, total, desc):
    """tqdm's bar when it is installed; otherwise the iterable as is (a line is printed per epoch)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False, ncols=80)


def split(x, y, seed):
    """80/20 train/test split, the same for retroprop and the baseline."""
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def build_model(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x)).argmax(dim=1).numpy()
    model.train()
    return float((pred == y).mean())


def train_retroprop(args, sizes, xtr, ytr, xte, yte):
    torch.manual_seed(args.seed)
    model = build_model(sizes)
    opt = OPTIMIZERS[args.optimizer](model.parameters(), args.lr)
    loader = DataLoader(TensorDataset(torch.from_numpy(xtr), torch.from_numpy(ytr)), batch_size=args.batch_size, shuffle=True)
    history = {"loss": [], "test_accuracy": []}
    steps, step_time = 0, 0.0
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for xb, yb in progress(loader, len(loader), f"epoch {epoch}/{args.epochs}"):
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            step_time += time.perf_counter() - t0
            steps += 1
            total += loss.item() * len(yb)
        history["loss"].append(total / len(xtr))
        history["test_accuracy"].append(accuracy(model, xte, yte))
        print(f"epoch {epoch:3d}/{args.epochs}  loss {history['loss'][-1]:.4f}  test accuracy {history['test_accuracy'][-1]:.2%}", flush=True)
    return history, step_time / max(steps, 1), steps


def train_numpy(args, sizes, xtr, ytr, xte, yte):
    net = NumpyMLP(sizes, seed=args.seed, lr=args.lr)
    rng = np.random.default_rng(args.seed)
    steps, step_time = 0, 0.0
    for _ in range(args.epochs):
        order = rng.permutation(len(xtr))
        for i in range(0, len(xtr), args.batch_size):
            idx = order[i : i + args.batch_size]
            t0 = time.perf_counter()
            net.step(xtr[idx], ytr[idx])
            step_time += time.perf_counter() - t0
            steps += 1
    acc = float((net.predict(xte) == yte).mean())
    return acc, step_time / max(steps, 1)


def plot(history, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("--plot needs matplotlib (pip install matplotlib); no plot written", file=sys.stderr)
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    epochs = range(1, len(history["loss"]) + 1)
    ax1.plot(epochs, history["loss"])
    ax1.set(xlabel="epoch", ylabel="training loss", title="Loss")
    ax2.plot(epochs, [100 * a for a in history["test_accuracy"]])
    ax2.set(xlabel="epoch", ylabel="test accuracy (%)", title="Accuracy")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"curves written to {path}")


def main(argv=None):
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    digits = load_digits()
    x = (np.asarray(digits.data, dtype=np.float32) / 16.0).astype(np.float32)
    y = np.asarray(digits.target, dtype=np.int64)
    xtr, ytr, xte, yte = split(x, y, args.seed)
    sizes = [x.shape[1], *args.hidden, 10]
    cfg = torch.config()
    print(f"retroprop {torch.__version__}: {cfg['isa']} kernels, {torch.get_num_threads()} threads")
    print(f"digits: {len(xtr)} training and {len(xte)} test images of 8x8; MLP {'-'.join(map(str, sizes))}, "
          f"{args.optimizer}, batch {args.batch_size}, {args.epochs} epochs")
    t0 = time.perf_counter()
    history, step, steps = train_retroprop(args, sizes, xtr, ytr, xte, yte)
    wall = time.perf_counter() - t0
    print(f"\nretroprop: test accuracy {history['test_accuracy'][-1]:.2%}, {step * 1e3:.3f} ms per step "
          f"({steps} steps, {wall:.1f} s in all)")
    if not args.no_baseline:
        acc, np_step = train_numpy(args, sizes, xtr, ytr, xte, yte)
        print(f"NumPy baseline (same training by hand): test accuracy {acc:.2%}, {np_step * 1e3:.3f} ms per step "
              f"-> retroprop is {np_step / step:.1f}x faster")
    if args.plot:
        plot(history, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
