"""The GEMM epilogue (bias per column of C, then the activation) against a float64 NumPy reference
and against the reference kernel, for every activation, on shapes with edge tiles, several K
blocks (the epilogue must run once, after the last one) and both the small and blocked paths.

Tolerance: the pre-activation tolerance of tests/core/test_gemm.py (8*sqrt(k+1)*eps*|A||B| plus
a few eps of |beta*C| and |bias|), times the activation's Lipschitz constant (<= 1.13, for gelu),
plus 16 eps relative to the output for evaluating the activation itself in float32/float64.
"""
import math

import numpy as np
import pytest

from retroprop import _core

_erf = np.vectorize(math.erf)
SLOPE = 0.1
ACTS = {  # code in kernels::Act -> float64 reference
    0: lambda x: x,
    1: lambda x: np.maximum(x, 0),
    2: lambda x: np.where(x > 0, x, SLOPE * x),
    3: lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
    4: lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    5: lambda x: x / (1 + np.exp(-x)),
    6: np.tanh,
    7: lambda x: 1 / (1 + np.exp(-x)),
}
SHAPES = [(37, 45, 300), (64, 512, 784), (32, 10, 512), (300, 70, 20), (301, 33, 600), (5, 3, 0), (1, 1, 1)]


def case(m, n, k, dtype, seed=0):
    rng = np.random.default_rng(seed + m + 3 * n + 7 * k)
    # scaled so the pre-activations spread over the interesting range of every activation
    a = (rng.standard_normal((m, k)) / math.sqrt(max(k, 1))).astype(dtype)
    b = (rng.standard_normal((n, k)) * 2).astype(dtype).T  # a transposed view, as in Linear
    c0 = rng.standard_normal((m, n)).astype(dtype)
    bias = rng.standard_normal(n).astype(dtype)
    return a, b, c0, bias


def tolerance(a, b, c0, bias, beta, y, dtype):
    eps = np.finfo(dtype).eps
    pre = 8 * np.sqrt(a.shape[1] + 1) * eps * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)))
    pre += 4 * eps * (abs(beta) * np.abs(c0) + np.abs(bias))
    return 1.13 * pre + 16 * eps * np.abs(y) + np.finfo(dtype).tiny


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", sorted(ACTS))
@pytest.mark.parametrize("m,n,k", SHAPES)
@pytest.mark.parametrize("beta", [0.0, 0.5])
def test_epilogue_matches_numpy(m, n, k, act, dtype, beta):
    a, b, c0, bias = case(m, n, k, dtype)
    c = c0.copy() if beta else np.full((m, n), np.nan, dtype)
    _core.gemm(a, b, c, beta=beta, bias=bias, act=act, slope=SLOPE)
    pre = a.astype(np.float64) @ b.astype(np.float64) + beta * c0 + bias
    want = ACTS[act](pre)
    err = np.abs(c - want)
    assert np.all(err <= tolerance(a, b, c0, bias, beta, want, dtype)), f"max error {err.max()}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", sorted(ACTS))
@pytest.mark.parametrize("m,n,k", SHAPES)
def test_epilogue_fast_matches_reference_kernel(m, n, k, act, dtype):
    a, b, c0, bias = case(m, n, k, dtype, seed=1)
    fast, ref = c0.copy(), c0.copy()
    _core.gemm(a, b, fast, alpha=1.5, beta=-0.5, bias=bias, act=act, slope=SLOPE)
    _core.gemm(a, b, ref, alpha=1.5, beta=-0.5, bias=bias, act=act, slope=SLOPE, reference=True)
    err = np.abs(fast.astype(np.float64) - ref)
    assert np.all(err <= 1.5 * tolerance(a, b, c0, bias, -0.5, ref, dtype)), f"max error {err.max()}"


def test_relu_and_leaky_relu_signs_are_exact():
    # Pre-activations are exact small integers, so the result is exact too.
    a = np.array([[1.0, -2.0], [-3.0, 0.5]], np.float32)
    b = np.array([[2.0, 1.0, 0.0], [1.0, 1.0, -2.0]], np.float32)
    bias = np.array([0.0, 1.0, -1.0], np.float32)
    pre = a @ b + bias
    for act, f in ((1, lambda x: np.maximum(x, 0)), (2, lambda x: np.where(x > 0, x, 0.25 * x))):
        c = np.empty((2, 3), np.float32)
        _core.gemm(a, b, c, bias=bias, act=act, slope=0.25)
        np.testing.assert_array_equal(c, f(pre))


def test_unknown_activation_code_is_rejected():
    with pytest.raises(ValueError, match="activation"):
        _core.gemm(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32), np.empty((2, 2), np.float32), act=8)
