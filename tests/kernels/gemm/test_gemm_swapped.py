"""The swapped path of a small-batch forward (kernels/gemm/gemm_driver.h, GemmDriver::swapped):
C = act(X W^T + bias) with 24 to 64 rows of X is computed as T = W X^T (W read in place), then
C = act(T^T + bias). It must give the bits of the direct product: the same K blocks and the same
FMAs per element in the same order. The direct product of one row more (a row count the swapped
path never takes) supplies those bits; NumPy in float64 checks the values.

Tolerance for the NumPy check: the GEMM bound of tests/core/test_gemm.py, 8 sqrt(k+1) eps |X||W|,
plus 4 eps of |bias| (one rounding of the bias addition); ReLU and leaky ReLU add no error.
"""
import numpy as np
import pytest

from retroprop import _core

SLOPE = 0.1
ACTS = {0: lambda x: x, 1: lambda x: np.maximum(x, 0), 2: lambda x: np.where(x > 0, x, SLOPE * x)}
# Batch sizes the path takes (panels 24; 16 + 16, which run 6-row tiles; 24 + 16; 24 + 24;
# 24 + 24 + 16), K of one and of several K blocks, N with and without a partial 8-column block
# (and, for the 6-row tiles, row blocks ending in an edge tile of 2 and of 5 rows).
SHAPES = [(24, 100, 70), (32, 512, 784), (32, 203, 300), (40, 203, 300), (48, 96, 1000), (64, 130, 512)]


def product(x, w, bias, act, with_pre):
    m, n = x.shape[0], w.shape[0]
    c = np.full((m, n), np.nan, np.float32)
    pre = np.full((m, n), np.nan, np.float32) if with_pre else None
    _core.gemm(x, w.T, c, 1.0, 0.0, bias, act, SLOPE, False, pre)
    return c, pre


@pytest.mark.parametrize("with_pre", [False, True])
@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("act", sorted(ACTS))
@pytest.mark.parametrize("m,n,k", SHAPES)
def test_swapped_forward_has_the_direct_products_bits(m, n, k, act, with_bias, with_pre):
    rng = np.random.default_rng(m * 31 + n + k)
    x1 = rng.standard_normal((m + 1, k)).astype(np.float32)
    w = rng.standard_normal((n, k)).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32) if with_bias else None
    x = np.ascontiguousarray(x1[:m])
    c, pre = product(x, w, bias, act, with_pre)
    c1, pre1 = product(x1, w, bias, act, with_pre)  # m + 1 rows: the direct path
    assert np.array_equal(c, c1[:m]), f"{m}x{n}x{k} act {act}: swapped C differs from the direct product"
    if with_pre:
        assert np.array_equal(pre, pre1[:m])
    eps = np.finfo(np.float32).eps
    z = x.astype(np.float64) @ w.T.astype(np.float64) + (0 if bias is None else bias.astype(np.float64))
    tol = 8 * np.sqrt(k + 1) * eps * (np.abs(x.astype(np.float64)) @ np.abs(w.T.astype(np.float64)))
    tol += 4 * eps * (0 if bias is None else np.abs(bias.astype(np.float64)))
    assert np.all(np.abs(c - ACTS[act](z)) <= tol + 1e-30)
    if with_pre:
        assert np.all(np.abs(pre - z) <= tol + 1e-30)


@pytest.mark.parametrize("m,n,k", [(32, 512, 784), (48, 200, 300)])
def test_swapped_forward_bit_identical_for_any_thread_count(m, n, k, per_thread_count):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((m, k)).astype(np.float32)
    w = rng.standard_normal((n, k)).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32)
    outs = per_thread_count(lambda: product(x, w, bias, 1, True))
    for c, pre in outs[1:]:
        assert np.array_equal(c, outs[0][0]) and np.array_equal(pre, outs[0][1])


def test_swapped_forward_with_strided_operands_and_output():
    # X and W as row slices of wider arrays (leading dimensions not their widths), C and the
    # pre-activation as column slices of wider outputs: every leading dimension is honoured.
    rng = np.random.default_rng(9)
    m, n, k = 32, 150, 260
    x = rng.standard_normal((m, k + 11)).astype(np.float32)[:, 5:5 + k]
    w = rng.standard_normal((n, k + 3)).astype(np.float32)[:, 1:1 + k]
    bias = rng.standard_normal(n).astype(np.float32)
    c_wide = np.full((m, n + 20), 7.0, np.float32)
    pre_wide = np.full((m, n + 9), 7.0, np.float32)
    c, pre = c_wide[:, 10:10 + n], pre_wide[:, 4:4 + n]
    _core.gemm(x, w.T, c, 1.0, 0.0, bias, 2, SLOPE, False, pre)
    want_c, want_pre = product(np.ascontiguousarray(x), np.ascontiguousarray(w), bias, 2, True)
    assert np.array_equal(c, want_c) and np.array_equal(pre, want_pre)
    assert np.all(c_wide[:, :10] == 7.0) and np.all(c_wide[:, 10 + n:] == 7.0), "wrote outside C"
    assert np.all(pre_wide[:, :4] == 7.0) and np.all(pre_wide[:, 4 + n:] == 7.0), "wrote outside pre"
