"""Per-operation framework overhead on small tensors: retroprop vs torch (CPU, one thread).

Each contender runs in its own process (alternating, several rounds); for each op the median
time per call is reported with the ratio retroprop / torch. Small (4 x 8) operands make the
time mostly framework overhead: argument handling, dtype promotion, graph recording, and the
backward engine. Usage: python bench/tensor_ops.py [--rounds 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CASES = {
    "x + y": "x + y",
    "x * 2.0": "x * 2.0",
    "x.exp()": "x.exp()",
    "x.sum()": "x.sum()",
    "x.mean(1)": "x.mean(1)",
    "x.reshape(-1)": "x.reshape(-1)",
    "x[1:3]": "x[1:3]",
    "x @ w": "x @ w",
    "fwd+bwd: ((x@w + b)**2).mean()": "((xg @ wg + bg) ** 2).mean().backward()",
    "fwd+bwd: (x*y).sum(1).max()": "(xg * yg).sum(1).max().backward()",
}


def worker(lib, number):
    if lib == "torch":
        import torch as T
        T.set_num_threads(1)
    else:
        import retroprop as T
    x, y, w, b = T.randn(4, 8), T.randn(4, 8), T.randn(8, 8), T.randn(8)
    xg, yg, wg, bg = (t.clone().requires_grad_() for t in (x, y, w, b))
    env = dict(x=x, y=y, w=w, b=b, xg=xg, yg=yg, wg=wg, bg=bg)
    out = {}
    for name, stmt in CASES.items():
        code = compile(stmt, name, "exec")
        for _ in range(number // 10):
            exec(code, env)
        t0 = time.perf_counter()
        for _ in range(number):
            exec(code, env)
        out[name] = (time.perf_counter() - t0) / number * 1e6
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--number", type=int, default=3000)
    ap.add_argument("--worker")
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.number)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    times = {"retroprop": {k: [] for k in CASES}, "torch": {k: [] for k in CASES}}
    for _ in range(args.rounds):
        for lib in ("retroprop", "torch"):
            res = subprocess.run([sys.executable, __file__, "--worker", lib, "--number", str(args.number)],
                                 env=env, capture_output=True, text=True, check=True)
            for k, v in json.loads(res.stdout).items():
                times[lib][k].append(v)
    print(f"{'operation':36s} {'retroprop us':>13s} {'torch us':>10s} {'ratio':>7s}")
    for k in CASES:
        r, t = statistics.median(times["retroprop"][k]), statistics.median(times["torch"][k])
        print(f"{k:36s} {r:13.2f} {t:10.2f} {r / t:7.2f}")


if __name__ == "__main__":
    main()
