"""The NumPy baseline on its own: an MLP trained by hand in NumPy (softmax cross-entropy, Adam),
as a user without a framework would write it, on the handwritten digits bundled with retroprop.

    python bench/numpy_baseline.py [--epochs 30] [--batch-size 32] [--hidden 256 128]

The implementation is retroprop/demo/numpy_baseline.py (one file, shared with the demo, which
times it beside retroprop, and with bench/train_mlp.py, which times its 784-512-512-10 step).
It is loaded by path, and the digits are read straight from the package's data file, so this
process runs NumPy alone: retroprop's C++ core is never imported. Time NumPy with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in this command only (they slow a current NumPy
here): `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/numpy_baseline.py`.
"""
import argparse
import gzip
import importlib.util
import os
import time

import numpy as np


def _package_dir():
    spec = importlib.util.find_spec("retroprop")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("numpy_baseline: retroprop is not installed (pip install .)")
    return spec.submodule_search_locations[0]


def _load_baseline(pkg):
    spec = importlib.util.spec_from_file_location("numpy_baseline", os.path.join(pkg, "demo", "numpy_baseline.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.NumpyMLP


def _digits(pkg):
    """(x float32 in [0, 1], y int64): the bundled CSV, 64 pixels (0..16) then the label per row."""
    with gzip.open(os.path.join(pkg, "datasets", "data", "digits.csv.gz"), "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.int64)
    return (rows[:, :64] / 16.0).astype(np.float32), rows[:, 64]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--hidden", type=int, nargs="+", default=[256, 128])
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    pkg = _package_dir()
    NumpyMLP = _load_baseline(pkg)
    x, y = _digits(pkg)
    order = np.random.default_rng(args.seed).permutation(len(x))  # the demo's 80/20 split
    cut = int(0.8 * len(x))
    xtr, ytr, xte, yte = x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]
    sizes = [x.shape[1], *args.hidden, 10]
    net = NumpyMLP(sizes, seed=args.seed, lr=args.lr)
    rng = np.random.default_rng(args.seed)
    steps, step_time = 0, 0.0
    for epoch in range(1, args.epochs + 1):
        perm = rng.permutation(len(xtr))
        for i in range(0, len(xtr), args.batch_size):
            idx = perm[i : i + args.batch_size]
            t0 = time.perf_counter()
            loss = net.step(xtr[idx], ytr[idx])
            step_time += time.perf_counter() - t0
            steps += 1
        print(f"epoch {epoch:3d}/{args.epochs}  last loss {loss:.4f}", flush=True)
    acc = float((net.predict(xte) == yte).mean())
    print(f"NumPy {np.__version__}, MLP {'-'.join(map(str, sizes))}, batch {args.batch_size}: "
          f"test accuracy {acc:.2%}, {step_time / steps * 1e3:.3f} ms per step ({steps} steps)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
