"""An nn.Sequential MLP training step (forward, CrossEntropyLoss, zero_grad, backward): retroprop vs torch,
and retroprop's fused Linear+ReLU path in Sequential against the same layers called one by one.

Two sizes: "small" (batch 32, 64-128-128-10) where framework time dominates, and "mnist" (batch 128,
784-512-512-10) where the GEMMs do. Each contender runs in its own process, alternating, several
rounds; we report medians and ratios. Usage: python bench/modules.py [--rounds 5] [--threads 1]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

SIZES = {"small": (32, [64, 128, 128, 10], 2000), "mnist": (128, [784, 512, 512, 10], 200)}
CONTENDERS = ("torch", "retroprop", "retroprop-unfused")


def make_step(contender, size, threads):
    import numpy as np

    batch, widths, _ = SIZES[size]
    if contender == "torch":
        import torch

        torch.set_num_threads(threads)
    else:
        import retroprop as torch

        torch.set_num_threads(threads)
    nn = torch.nn
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal((batch, widths[0])).astype(np.float32))
    t = torch.from_numpy(rng.integers(0, widths[-1], batch))
    loss_fn = nn.CrossEntropyLoss()
    if contender == "retroprop-unfused":
        def forward(v):
            for m in model:  # each layer on its own: Linear, then ReLU
                v = m(v)
            return v
    else:
        forward = model

    def step():
        model.zero_grad()
        loss_fn(forward(x), t).backward()

    return step


def worker(contender, size, threads, repeats):
    step = make_step(contender, size, threads)
    steps = SIZES[size][2]
    for _ in range(max(steps // 10, 20)):  # warm-up
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - t0) / steps)
    print(json.dumps({"us": statistics.median(times) * 1e6}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="processes per contender and size (alternating)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats per process (median kept)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker[0], args.worker[1], args.threads, args.repeats)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
          f"threads={args.threads}, {args.rounds} processes per contender")
    for size in args.sizes:
        batch, widths, _ = SIZES[size]
        results = {c: [] for c in CONTENDERS}
        for _ in range(args.rounds):
            for c in CONTENDERS:
                out = subprocess.run([sys.executable, __file__, "--worker", c, size, "--threads", str(args.threads),
                                      "--repeats", str(args.repeats)], capture_output=True, text=True, check=True)
                results[c].append(json.loads(out.stdout)["us"])
        med = {c: statistics.median(v) for c, v in results.items()}
        print(f"{size}: batch {batch}, {'-'.join(map(str, widths))} float32, step = zero_grad + forward + "
              f"CrossEntropyLoss + backward")
        for c in CONTENDERS:
            print(f"  {c:18s} {med[c]:9.1f} us/step  (rounds: {', '.join(f'{v:.1f}' for v in results[c])})")
        print(f"  retroprop / torch = {med['retroprop'] / med['torch']:.2f};  "
              f"fused / unfused = {med['retroprop'] / med['retroprop-unfused']:.2f}")


if __name__ == "__main__":
    main()
