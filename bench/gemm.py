"""GEMM benchmark: retroprop._core.gemm vs NumPy (its BLAS) on the MLP products and on squares.

Each contender runs in its own subprocess, alternating order every round; per case the median
over rounds is reported with GFLOP/s, the ratio t_numpy / t_retroprop, and retroprop's fraction of
the machine's FMA peak (measured in the retroprop worker by _core._fma_peak_gflops). Both write
into a preallocated output (np.matmul(..., out=)), so allocation is not timed.

    python bench/gemm.py [--rounds 7] [--threads 2 1] [--dtype float32]
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np

BATCHES = (32, 128, 256)
LAYERS = ((784, 512), (512, 512), (512, 10))
SQUARES = (256, 512, 1024)


def cases():
    """(name, m, n, k, trans_a, trans_b, is_mlp) for every product measured."""
    out = []
    for batch in BATCHES:
        for fan_in, fan_out in LAYERS:
            tag = f"B={batch} {fan_in}->{fan_out}"
            out.append((f"{tag} fwd X@W.T", batch, fan_out, fan_in, False, True, True))
            out.append((f"{tag} dX=dY@W", batch, fan_in, fan_out, False, False, True))
            out.append((f"{tag} dW=dY.T@X", fan_out, fan_in, batch, True, False, True))
    out += [(f"square {s}", s, s, s, False, False, False) for s in SQUARES]
    return out


def operands(m, n, k, ta, tb, dtype, rng):
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(dtype)
    return (a.T if ta else a), (b.T if tb else b), np.empty((m, n), dtype)


def time_call(f, budget=0.01, batches=5):
    """Median seconds per call over `batches` batches of ~`budget` seconds each."""
    f()
    n, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        t = time.perf_counter() - t0
        if t >= budget / 4:
            break
        n *= 4
    n = max(1, int(n * budget / t))
    times = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        times.append((time.perf_counter() - t0) / n)
    return statistics.median(times)


def worker(contender, threads, dtype):
    rng = np.random.default_rng(0)
    result = {"times": {}}
    if contender == "retroprop":
        from retroprop import _core
        _core.set_num_threads(threads)
        result["peak"] = _core._fma_peak_gflops(threads)
        result["isa"] = _core.isa()
    for name, m, n, k, ta, tb, _ in cases():
        a, b, c = operands(m, n, k, ta, tb, dtype, rng)
        if contender == "retroprop":
            f = lambda a=a, b=b, c=c: _core.gemm(a, b, c)  # noqa: E731
        else:
            f = lambda a=a, b=b, c=c: np.matmul(a, b, out=c)  # noqa: E731
        result["times"][name] = time_call(f)
    print(json.dumps(result))


def run_worker(contender, threads, dtype):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    if contender == "numpy":  # OpenBLAS picks its own kernel and cache sizes
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    cmd = [sys.executable, __file__, "--worker", contender, "--threads", str(threads), "--dtype", dtype]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def report(threads, dtype, runs):
    peak = statistics.median(r["peak"] for r in runs["retroprop"])
    print(f"\n### {dtype}, {threads} thread(s); FMA peak {peak:.0f} GFLOP/s (measured), isa {runs['retroprop'][0]['isa']}\n")
    print("| product | m x n x k | NumPy GFLOP/s | retroprop GFLOP/s | t_numpy/t_retroprop | retroprop % of peak |")
    print("|---|---|---:|---:|---:|---:|")
    ratios = []
    for name, m, n, k, _, _, mlp in cases():
        t = {c: statistics.median(r["times"][name] for r in runs[c]) for c in runs}
        gf = {c: 2 * m * n * k / t[c] / 1e9 for c in t}
        ratio = t["numpy"] / t["retroprop"]
        if mlp:
            ratios.append(ratio)
        print(f"| {name} | {m}x{n}x{k} | {gf['numpy']:.1f} | {gf['retroprop']:.1f} | {ratio:.2f} | {100 * gf['retroprop'] / peak:.0f}% |")
    geo = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"\nGeometric mean of t_numpy/t_retroprop over the {len(ratios)} MLP products: **{geo:.2f}**")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, nargs="+", default=[2, 1])
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--worker", choices=["numpy", "retroprop"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.threads[0], args.dtype)
    for threads in args.threads:
        runs = {"numpy": [], "retroprop": []}
        for r in range(args.rounds):
            order = ("numpy", "retroprop") if r % 2 == 0 else ("retroprop", "numpy")
            for contender in order:
                runs[contender].append(run_worker(contender, threads, args.dtype))
        report(threads, args.dtype, runs)


if __name__ == "__main__":
    main()
