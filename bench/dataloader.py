"""One shuffled epoch of a DataLoader over a TensorDataset: retroprop's fast path (one fancy
index per tensor per batch), retroprop with per-sample collation (the generic path), and
torch's DataLoader; each in its own process, alternating rounds, medians and ratios.

    python bench/dataloader.py [--rounds 7]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

# (samples, features): the digits training split, and an MNIST-sized slice.
SHAPES = {"digits": (1437, 64), "mnist10k": (10000, 784)}
BATCHES = (32, 128)


def _epoch(kind, shape, batch):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, 10, shape[0])
    if kind == "torch":
        import torch
        from torch.utils.data import DataLoader, TensorDataset

        torch.manual_seed(0)
        loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=batch, shuffle=True)
    else:
        import retroprop
        from retroprop.utils.data import DataLoader, TensorDataset, default_collate

        dataset = TensorDataset(retroprop.from_numpy(x), retroprop.from_numpy(y))
        # Any collate_fn other than default_collate itself takes the generic per-sample path.
        collate = (lambda b: default_collate(b)) if kind == "retroprop-per-sample" else None
        loader = DataLoader(dataset, batch_size=batch, shuffle=True, collate_fn=collate)

    def epoch():
        for xb, yb in loader:
            pass

    return epoch


def worker(kind):
    epochs = {}

    def setup():
        return {"kind": kind}

    def run_case(case):
        key = case["key"]
        if key not in epochs:
            epochs[key] = _epoch(kind, SHAPES[case["shape"]], case["batch"])
        return _harness.time_calls(epochs[key], min_time=0.3, min_reps=5)

    _harness.serve(setup, run_case)


def _available(module):
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker)

    me = [sys.executable, os.path.abspath(__file__), "--worker"]
    kinds = ["retroprop", "retroprop-per-sample"] + (["torch"] if _available("torch") else [])
    env = dict(os.environ, OMP_NUM_THREADS="1")
    workers = [_harness.Worker(k, me + [k], env=env) for k in kinds]
    cases = [{"key": f"{s}-b{b}", "shape": s, "batch": b} for s in SHAPES for b in BATCHES]
    times = _harness.alternate(workers, cases, args.rounds, pause=0.05)
    for w in workers:
        w.close()

    print("# one shuffled DataLoader epoch over TensorDataset(x float32, y int64), 1 thread")
    print(f"# {_harness.machine_line()}; {args.rounds} alternating rounds, median of per-round medians")
    print("| data (n x features) | batch | " + " | ".join(f"{k} ms" for k in kinds)
          + " | " + " | ".join(f"{k} / retroprop" for k in kinds[1:]) + " |")
    print("|" + "---|" * (2 + 2 * len(kinds) - 1))
    for case in cases:
        med = {k: _harness.median(times[(k, case["key"])]) for k in kinds}
        n, f = SHAPES[case["shape"]]
        row = [f"{case['shape']} ({n} x {f})", str(case["batch"])] + [f"{med[k] * 1e3:.2f}" for k in kinds]
        row += [f"{med[k] / med['retroprop']:.1f}x" for k in kinds[1:]]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
