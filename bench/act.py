"""Element-wise activations, forward and backward, float32: retroprop's vectorized kernels, its scalar
reference loop (what the kernels were before vectorization), NumPy formulas and torch, each in its own
process, alternating rounds, medians. Backward is what each framework's autograd runs: from the input
for gelu, gelu_tanh and silu, from the output for tanh and sigmoid.

    python bench/act.py [--sizes 16384 262144] [--rounds 5] [--threads 1]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

ACTS = ("gelu", "gelu_tanh", "silu", "tanh", "sigmoid")
CODES = {"gelu": 3, "gelu_tanh": 4, "silu": 5, "tanh": 6, "sigmoid": 7}
CONTENDERS = ("retroprop", "reference", "numpy", "torch")
C, K = 0.7978845608028654, 0.044715


def _numpy_fns(np, act):
    """(forward, backward) as a NumPy user writes them; None where NumPy lacks the function (erf)."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    if act == "gelu":
        return None
    if act == "gelu_tanh":
        def fwd(x):
            return 0.5 * x * (1 + np.tanh(C * (x + K * x**3)))

        def bwd(g, x, y):
            t = np.tanh(C * (x + K * x**3))
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * K * x * x))
        return fwd, bwd
    if act == "silu":
        return (lambda x: x * sig(x)), (lambda g, x, y: g * sig(x) * (1 + x * (1 - sig(x))))
    if act == "tanh":
        return np.tanh, (lambda g, x, y: g * (1 - y * y))
    return sig, (lambda g, x, y: g * y * (1 - y))


def _case(name, act, n, direction):
    import numpy as np

    rng = np.random.default_rng(0)
    x = (rng.standard_normal(n) * 2).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    if name == "torch":
        import torch
        import torch.nn.functional as F

        tx, tg = torch.from_numpy(x), torch.from_numpy(g)
        fwd = {"gelu": F.gelu, "gelu_tanh": lambda v: F.gelu(v, approximate="tanh"), "silu": F.silu,
               "tanh": torch.tanh, "sigmoid": torch.sigmoid}[act]
        ty = fwd(tx)
        aten = torch.ops.aten
        bwd = {"gelu": lambda: aten.gelu_backward(tg, tx), "gelu_tanh": lambda: aten.gelu_backward(tg, tx, approximate="tanh"),
               "silu": lambda: aten.silu_backward(tg, tx), "tanh": lambda: aten.tanh_backward(tg, ty),
               "sigmoid": lambda: aten.sigmoid_backward(tg, ty)}[act]
        return (lambda: fwd(tx)) if direction == "fwd" else bwd
    if name == "numpy":
        fns = _numpy_fns(np, act)
        if fns is None:
            return None
        y = fns[0](x)
        return (lambda: fns[0](x)) if direction == "fwd" else (lambda: fns[1](g, x, y))
    from retroprop import _core

    ref = name == "reference"
    code, out = CODES[act], np.empty_like(x)
    from_output = act in ("tanh", "sigmoid")
    y = np.empty_like(x)
    _core.act_forward(x, y, code)
    saved = y if from_output else x
    if direction == "fwd":
        return lambda: _core.act_forward(x, out, code, 0.0, ref)
    return lambda: _core.act_backward(g, saved, out, code, 0.0, from_output, ref)


def worker(name, threads):
    if name == "torch":
        import torch

        torch.set_num_threads(threads)
    elif name != "numpy":
        import retroprop

        retroprop.set_num_threads(threads)
    cache = {}

    def run_case(case):
        key = case["key"]
        if key not in cache:
            cache[key] = _case(name, case["act"], case["n"], case["dir"])
        fn = cache[key]
        return None if fn is None else _harness.time_calls(fn, min_time=0.05, min_reps=5)

    _harness.serve(lambda: {"name": name}, run_case)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[16384, 262144])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.threads)
    argv = lambda c: [sys.executable, __file__, "--worker", c, "--threads", str(args.threads)]  # noqa: E731
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    workers = [_harness.Worker(c, argv(c), _harness.numpy_env(args.threads) if c == "numpy" else env) for c in CONTENDERS]
    cases = [{"key": f"{a} {d} {n}", "act": a, "dir": d, "n": n} for n in args.sizes for a in ACTS for d in ("fwd", "bwd")]
    try:
        times = _harness.alternate(workers, cases, args.rounds, pause=0.05)
    finally:
        for w in workers:
            w.close()
    print(f"# {_harness.machine_line()}; float32, {args.threads} thread(s), medians of {args.rounds} rounds")
    print("| case | retroprop | scalar reference | NumPy | torch | vs reference | vs NumPy | vs torch |")
    print("|---|---|---|---|---|---|---|---|")
    for c in cases:
        med = {w: (None if times[(w, c["key"])][0] is None else _harness.median(times[(w, c["key"])])) for w in CONTENDERS}
        us = {w: ("n/a" if v is None else f"{v * 1e6:.1f} us") for w, v in med.items()}
        ratio = lambda w: "n/a" if med[w] is None else f"{med[w] / med['retroprop']:.1f}x"  # noqa: E731
        print(f"| {c['key']} | {us['retroprop']} | {us['reference']} | {us['numpy']} | {us['torch']} | "
              f"{ratio('reference')} | {ratio('numpy')} | {ratio('torch')} |")


if __name__ == "__main__":
    main()
