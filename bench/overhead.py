"""Framework overhead: a tiny Linear forward + cross-entropy + backward, retroprop vs torch.

At batch 4, 16 -> 16 features the arithmetic is a few hundred flops, so the time per step is
almost all framework: Python dispatch, graph recording, the backward walk, allocations. Each
contender runs in its own process, alternating, several rounds; we report the median step time
of each and the ratio. Both run on one thread by default (--threads): at this size neither library
splits work, and idle pool threads only add noise on a shared machine.
Usage:  python bench/overhead.py [--rounds 7] [--steps 1000] [--threads 1]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

BATCH, IN, OUT = 4, 16, 16


def make_step(lib, threads):
    import numpy as np

    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((BATCH, IN)).astype(np.float32)
    t_np = rng.integers(0, OUT, BATCH)
    w_np = (rng.standard_normal((OUT, IN)) * 0.25).astype(np.float32)
    b_np = np.zeros(OUT, np.float32)
    if lib == "torch":
        import torch
        import torch.nn.functional as F

        torch.set_num_threads(threads)
        x, t = torch.from_numpy(x_np), torch.from_numpy(t_np)
        w, b = torch.nn.Parameter(torch.from_numpy(w_np)), torch.nn.Parameter(torch.from_numpy(b_np))
    else:
        import retroprop as torch  # noqa: F401  (same script text as the torch branch)
        import retroprop.nn.functional as F
        from retroprop.nn import Parameter

        torch.set_num_threads(threads)
        x, t = torch.from_numpy(x_np), torch.from_numpy(t_np)
        w, b = Parameter(torch.from_numpy(w_np)), Parameter(torch.from_numpy(b_np))

    def step():
        loss = F.cross_entropy(F.linear(x, w, b), t)
        loss.backward()

    return step


def worker(lib, steps, repeats, threads):
    step = make_step(lib, threads)
    for _ in range(200):  # warm-up: first-call allocations, imports, caches
        step()
    per_step = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        per_step.append((time.perf_counter() - t0) / steps)
    print(json.dumps({"lib": lib, "us": statistics.median(per_step) * 1e6}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7, help="processes per contender (alternating)")
    ap.add_argument("--steps", type=int, default=1000, help="steps per timed repeat")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats per process (median kept)")
    ap.add_argument("--threads", type=int, default=1, help="threads for both libraries")
    ap.add_argument("--worker", choices=["retroprop", "torch"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.steps, args.repeats, args.threads)
    results = {"retroprop": [], "torch": []}
    for _ in range(args.rounds):
        for lib in ("retroprop", "torch"):
            cmd = [sys.executable, __file__, "--worker", lib, "--steps", str(args.steps), "--repeats", str(args.repeats),
                   "--threads", str(args.threads)]
            env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
            results[lib].append(json.loads(out.stdout)["us"])
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"Linear {BATCH}x{IN}->{OUT} float32 + cross_entropy + backward, {args.threads} thread(s), "
          f"median of {args.rounds} processes each")
    for lib, us in med.items():
        print(f"  {lib:9s} {us:7.1f} us/step   (rounds: {', '.join(f'{v:.1f}' for v in results[lib])})")
    print(f"  retroprop / torch = {med['retroprop'] / med['torch']:.2f}  (target <= 0.33)")


if __name__ == "__main__":
    main()
