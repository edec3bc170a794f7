"""GEMM benchmark: retroprop._core.gemm vs NumPy (its BLAS) on the MLP products and on squares.

Each contender runs in its own persistent process (bench/_harness.py); every round asks both,
case by case and in alternating order, so that the two timings of a case are taken within a
fraction of a second of each other (this VM's speed drifts from one second to the next). Per case
the median over rounds is reported with GFLOP/s, the ratio t_numpy / t_retroprop, and retroprop's
fraction of the machine's FMA peak (measured in the retroprop worker by _core._fma_peak_gflops).
Both write into a preallocated output (np.matmul(..., out=)), so allocation is not timed.

    python bench/gemm.py [--rounds 7] [--threads 2 1] [--dtype float32]
"""
import argparse
import math
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

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
    calls = {}

    def setup():
        if contender == "retroprop":
            from retroprop import _core

            _core.set_num_threads(threads)
            # The best of five probes: a probe that shares its core with another guest's burst
            # reads low (one run measured 96 GFLOP/s for two threads, so "% of peak" read 168 %).
            return {"peak": max(_core._fma_peak_gflops(threads) for _ in range(5)), "isa": _core.isa()}
        return {}

    def run_case(case):
        name = case["key"]
        if name not in calls:
            _, m, n, k, ta, tb, _ = next(c for c in cases() if c[0] == name)
            a, b, c = operands(m, n, k, ta, tb, dtype, rng)
            if contender == "retroprop":
                from retroprop import _core

                calls[name] = lambda a=a, b=b, c=c: _core.gemm(a, b, c)  # noqa: E731
            else:
                calls[name] = lambda a=a, b=b, c=c: np.matmul(a, b, out=c)  # noqa: E731
        return time_call(calls[name])

    _harness.serve(setup, run_case)


def start_worker(contender, threads, dtype):
    # The retroprop worker never calls BLAS: keep OpenBLAS to one (idle) thread there.
    blas = threads if contender == "numpy" else 1
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(blas))
    if contender == "numpy":  # OpenBLAS picks its own kernel and cache sizes
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", contender, "--threads", str(threads), "--dtype", dtype]
    return _harness.Worker(contender, cmd, env=env)


def report(threads, dtype, info, times):
    print(f"\n### {dtype}, {threads} thread(s); FMA peak {info['peak']:.0f} GFLOP/s (measured), isa {info['isa']}\n")
    print("| product | m x n x k | NumPy GFLOP/s | retroprop GFLOP/s | t_numpy/t_retroprop | retroprop % of peak |")
    print("|---|---|---:|---:|---:|---:|")
    ratios = []
    for name, m, n, k, _, _, mlp in cases():
        t = {c: statistics.median(times[(c, name)]) for c in ("numpy", "retroprop")}
        gf = {c: 2 * m * n * k / t[c] / 1e9 for c in t}
        ratio = t["numpy"] / t["retroprop"]
        if mlp:
            ratios.append(ratio)
        print(f"| {name} | {m}x{n}x{k} | {gf['numpy']:.1f} | {gf['retroprop']:.1f} | {ratio:.2f} | {100 * gf['retroprop'] / info['peak']:.0f}% |")
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
        workers = [start_worker(c, threads, args.dtype) for c in ("numpy", "retroprop")]
        info = next(w.info for w in workers if w.name == "retroprop")
        keys = [{"key": name} for name, *_ in cases()]
        times = {}
        for r in range(args.rounds):
            order = workers if r % 2 == 0 else workers[::-1]
            for case in keys:
                for w in order:
                    times.setdefault((w.name, case["key"]), []).append(w.ask(case)["seconds"])
                    # Let the worker's threads stop spinning (OpenBLAS and OpenMP both busy-wait
                    # after a call) before the other contender runs on the same two cores.
                    time.sleep(0.3)
        for w in workers:
            w.close()
        report(threads, args.dtype, info, times)


if __name__ == "__main__":
    main()
