"""One MLP training step (forward, cross-entropy, backward, Adam) of 784-512-512-10:
retroprop, the hand-written NumPy baseline, and torch with fused Adam (and JAX jit when
installed), each in its own process, alternating rounds, medians and ratios.

    python bench/train_mlp.py [--batches 32 128 512] [--rounds 7] [--threads 2]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness  # noqa: E402

SIZES = (784, 512, 512, 10)


def _torch_like_step(torch, batch, fused):
    """The same script for torch and retroprop: build the model, return a step closure."""
    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if fused else {}))
    x = torch.randn(batch, SIZES[0])
    y = torch.randint(0, SIZES[-1], (batch,))
    loss_fn = torch.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def _numpy_step(batch):
    import importlib.util

    import numpy as np

    # Load the baseline's file alone: the NumPy contender must not import retroprop's core.
    pkg = importlib.util.find_spec("retroprop").submodule_search_locations[0]
    spec = importlib.util.spec_from_file_location("numpy_baseline", os.path.join(pkg, "demo", "numpy_baseline.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    NumpyMLP = mod.NumpyMLP

    rng = np.random.default_rng(0)
    net = NumpyMLP(SIZES)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    return lambda: net.step(x, y)


def _jax_step(batch):
    import jax
    import jax.numpy as jnp

    key = jax.random.PRNGKey(0)
    params = []
    for a, b in zip(SIZES[:-1], SIZES[1:]):
        key, k1, k2 = jax.random.split(key, 3)
        bound = 1.0 / a**0.5
        params.append((jax.random.uniform(k1, (b, a), minval=-bound, maxval=bound), jax.random.uniform(k2, (b,), minval=-bound, maxval=bound)))
    x = jax.random.normal(key, (batch, SIZES[0]))
    y = jax.random.randint(key, (batch,), 0, SIZES[-1])

    def loss_fn(ps):
        h = x
        for i, (w, b) in enumerate(ps):
            h = h @ w.T + b
            if i < len(ps) - 1:
                h = jax.nn.relu(h)
        return -jnp.mean(jax.nn.log_softmax(h)[jnp.arange(batch), y])

    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8

    @jax.jit
    def step(ps, m, v, t):
        g = jax.grad(loss_fn)(ps)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
        v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
        ps = jax.tree_util.tree_map(lambda p, m, v: p - lr * (m / (1 - b1**t)) / (jnp.sqrt(v / (1 - b2**t)) + eps), ps, m, v)
        return ps, m, v, t

    state = [params, jax.tree_util.tree_map(jnp.zeros_like, params), jax.tree_util.tree_map(jnp.zeros_like, params), 0]

    def run():
        state[:] = step(*state)
        jax.block_until_ready(state[0])

    return run


def worker(kind, threads):
    steps = {}

    def setup():
        if kind == "retroprop":
            import retroprop

            retroprop.set_num_threads(threads)
            return {"version": retroprop.config()}
        if kind == "torch":
            import torch

            torch.set_num_threads(threads)
            return {"version": torch.__version__}
        if kind == "jax":
            import jax

            return {"version": jax.__version__}
        import numpy

        return {"version": numpy.__version__}

    def run_case(case):
        b = case["batch"]
        if b not in steps:
            if kind == "retroprop":
                import retroprop

                steps[b] = _torch_like_step(retroprop, b, fused=False)
            elif kind == "torch":
                import torch

                steps[b] = _torch_like_step(torch, b, fused=True)
            elif kind == "jax":
                steps[b] = _jax_step(b)
            else:
                steps[b] = _numpy_step(b)
            for _ in range(3):
                steps[b]()
        return _harness.time_calls(steps[b], min_time=0.5, min_reps=10)

    _harness.serve(setup, run_case)


def _available(module):
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, nargs="+", default=[32, 128, 512])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--worker", choices=["retroprop", "numpy", "torch", "jax"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.threads)

    me = [sys.executable, os.path.abspath(__file__), "--threads", str(args.threads), "--worker"]
    kinds = ["retroprop", "numpy"] + [k for k in ("torch", "jax") if _available(k)]
    env_threads = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    workers = []
    for k in kinds:
        env = _harness.numpy_env(args.threads) if k == "numpy" else dict(env_threads)
        if k == "jax":
            env["XLA_FLAGS"] = f"--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={args.threads}"
        workers.append(_harness.Worker(k, me + [k], env=env))
    cases = [{"key": f"b{b}", "batch": b} for b in args.batches]
    times = _harness.alternate(workers, cases, args.rounds)
    for w in workers:
        w.close()

    print(f"# MLP {'-'.join(map(str, SIZES))} training step (forward, cross-entropy, backward, Adam), {args.threads} threads")
    print(f"# {_harness.machine_line()}; {args.rounds} alternating rounds, median of per-round medians")
    header = "| batch | " + " | ".join(f"{k} ms" for k in kinds) + " | " + " | ".join(f"{k} / retroprop" for k in kinds[1:]) + " |"
    print(header)
    print("|" + "---|" * (1 + 2 * len(kinds) - 1))
    for case in cases:
        med = {k: _harness.median(times[(k, case["key"])]) for k in kinds}
        row = [str(case["batch"])] + [f"{med[k] * 1e3:.2f}" for k in kinds] + [f"{med[k] / med['retroprop']:.2f}x" for k in kinds[1:]]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
