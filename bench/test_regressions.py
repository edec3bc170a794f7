"""pytest-benchmark suite for regressions (not collected by the default test run, whose
testpaths is tests/). Run: python -m pytest bench/test_regressions.py --benchmark-autosave
and compare runs with --benchmark-compare. Each benchmark first checks its result."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn.functional as F

pytest.importorskip("pytest_benchmark")

SIZES = (784, 512, 512, 10)


def _mlp():
    rp.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(rp.nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(rp.nn.ReLU())
    return rp.nn.Sequential(*layers)


@pytest.mark.parametrize("batch", [32, 128, 512])
def test_training_step(benchmark, batch):
    model = _mlp()
    opt = rp.optim.Adam(model.parameters(), lr=1e-3)
    x, y = rp.randn(batch, SIZES[0]), rp.randint(0, SIZES[-1], (batch,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    first = step()
    assert np.isfinite(first)
    benchmark(step)


@pytest.mark.parametrize("m,n,k", [(32, 512, 784), (512, 784, 32), (512, 512, 512)])
def test_gemm(benchmark, m, n, k):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), np.float32)
    rp._core.gemm(a, b, c)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b, rtol=1e-3, atol=1e-3 * np.sqrt(k))
    benchmark(rp._core.gemm, a, b, c)


def test_adam_step_669k(benchmark):
    model = _mlp()
    for p in model.parameters():
        p.grad = rp.ones_like(p)
    opt = rp.optim.Adam(model.parameters(), lr=1e-3)
    opt.step()
    benchmark(opt.step)
