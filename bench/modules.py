"""nn.Sequential MLP training step (zero_grad, forward, CrossEntropyLoss, backward): retroprop vs torch,
and retroprop's fused Linear+ReLU path in Sequential against the same layers called one by one.

Sizes: "small" (batch 32, 64-128-128-10), where framework time dominates, and "mnist" (batch 128,
784-512-512-10), where the GEMMs do. Each contender in its own process, alternating rounds, medians.

    python bench/modules.py [--rounds 7] [--threads 1]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

SIZES = {"small": (32, (64, 128, 128, 10)), "mnist": (128, (784, 512, 512, 10))}
CONTENDERS = ("torch", "retroprop", "retroprop-unfused")


def _step(torch, batch, widths, unfused):
    """The same script for torch and retroprop; `unfused` calls the Sequential's layers one by one."""
    import numpy as np

    nn = torch.nn
    layers = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal((batch, widths[0])).astype(np.float32))
    t = torch.from_numpy(rng.integers(0, widths[-1], batch))
    loss_fn = nn.CrossEntropyLoss()

    def forward(v):
        for m in model:
            v = m(v)
        return v

    run = forward if unfused else model

    def step():
        model.zero_grad()
        loss_fn(run(x), t).backward()

    return step


def worker(name, threads):
    if name == "torch":
        import torch
    else:
        import retroprop as torch
    torch.set_num_threads(threads)
    steps = {}

    def run_case(case):
        key = case["key"]
        if key not in steps:
            batch, widths = SIZES[key]
            steps[key] = _step(torch, batch, widths, name == "retroprop-unfused")
        return _harness.time_calls(steps[key])

    _harness.serve(lambda: {"name": name}, run_case)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.threads)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    workers = [_harness.Worker(c, [sys.executable, __file__, "--worker", c, "--threads", str(args.threads)], env)
               for c in CONTENDERS]
    try:
        times = _harness.alternate(workers, [{"key": k} for k in SIZES], args.rounds)
    finally:
        for w in workers:
            w.close()
    print(f"machine: {_harness.machine_line()}; threads={args.threads}, {args.rounds} alternating rounds")
    for key, (batch, widths) in SIZES.items():
        med = {c: _harness.median(times[(c, key)]) * 1e6 for c in CONTENDERS}
        print(f"{key}: batch {batch}, {'-'.join(map(str, widths))} float32, "
              "zero_grad + forward + CrossEntropyLoss + backward")
        for c in CONTENDERS:
            print(f"  {c:18s} {med[c]:9.1f} us/step")
        print(f"  retroprop / torch = {med['retroprop'] / med['torch']:.2f};  "
              f"fused / unfused = {med['retroprop'] / med['retroprop-unfused']:.2f}")


if __name__ == "__main__":
    main()
