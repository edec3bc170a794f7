"""The GEMM's A prologue (kernels/gemm/gemm.h, Prologue): op(A) is read as dY * act'(S) while it is
packed, and row_sum receives that operand's row sums (a Linear layer's bias gradient). Checked
against NumPy in float64, against the reference kernel, across thread counts and every
instruction-set path.

Tolerance: the product is a length-k dot product of the transformed operand, so the GEMM bound of
tests/core/test_gemm.py applies (8 sqrt(k+1) eps |A'||B|); the derivative itself is one or two
roundings per element (4 eps relative), and the row sums are length-k sums (8 sqrt(k+1) eps |A'|).
"""
import math

import numpy as np
import pytest

from retroprop import _core

ACTS = {"none": 0, "relu": 1, "leaky_relu": 2, "gelu": 3, "silu": 5, "tanh": 6, "sigmoid": 7}
FROM_OUTPUT = {"none": True, "relu": True, "leaky_relu": True, "tanh": True, "sigmoid": True, "gelu": False, "silu": False}
SLOPE = 0.1
_erf = np.vectorize(math.erf, otypes=[np.float64])


def derivative(name, s):
    """act'(x) in float64, from the output y = s (FROM_OUTPUT) or the input x = s."""
    s = s.astype(np.float64)
    if name == "none":
        return np.ones_like(s)
    if name == "relu":
        return (s > 0).astype(np.float64)
    if name == "leaky_relu":
        return np.where(s > 0, 1.0, SLOPE)
    if name == "tanh":
        return 1 - s * s
    if name == "sigmoid":
        return s * (1 - s)
    if name == "gelu":
        return 0.5 * (1 + _erf(s / math.sqrt(2))) + s * np.exp(-0.5 * s * s) / math.sqrt(2 * math.pi)
    sig = 1 / (1 + np.exp(-s))  # silu
    return sig * (1 + s * (1 - sig))


def saved_values(name, rng, shape, dtype):
    """Plausible saved tensors: outputs in the activation's range, inputs anywhere."""
    x = rng.standard_normal(shape)
    if name == "tanh":
        x = np.tanh(x)
    elif name == "sigmoid":
        x = 1 / (1 + np.exp(-x))
    elif name == "relu":
        x = np.maximum(x, 0)
    return x.astype(dtype)


def operands(rng, m, n, k, dtype, ta, name):
    g = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
    s = saved_values(name, rng, g.shape, dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    return (g.T, s.T) if ta else (g, s), b


def run(a, s, b, name, beta=0.0, c0=None, row_sum=None, accumulate=False, reference=False):
    m, n = a.shape[0], b.shape[1]
    c = np.full((m, n), np.nan, a.dtype) if c0 is None else c0.copy()
    rs = np.empty(m, a.dtype) if row_sum is None else row_sum.copy()
    _core.gemm(a, b, c, 1.0, beta, slope=SLOPE, a_saved=None if name == "none" else s, a_act=ACTS[name],
               a_from_output=FROM_OUTPUT[name], row_sum=rs, row_sum_accumulate=accumulate, reference=reference)
    return c, rs


def check(got_c, got_rs, a, s, b, name, beta=0.0, c0=None, rs0=None):
    eps = np.finfo(a.dtype).eps
    k = a.shape[1]
    g = a.astype(np.float64) * derivative(name, s)
    want_c = g @ b.astype(np.float64) + (beta * c0.astype(np.float64) if beta else 0)
    tol_c = 8 * np.sqrt(k + 1) * eps * (np.abs(g) @ np.abs(b.astype(np.float64))) + 4 * eps * np.abs(want_c) + 1e-30
    if beta:
        tol_c += 4 * eps * abs(beta) * np.abs(c0.astype(np.float64))
    assert np.all(np.abs(got_c - want_c) <= tol_c), f"{name}: C error {np.max(np.abs(got_c - want_c) - tol_c)} over tolerance"
    want_rs = g.sum(axis=1) + (0 if rs0 is None else rs0.astype(np.float64))
    tol_rs = 8 * np.sqrt(k + 1) * eps * np.abs(g).sum(axis=1) + 4 * eps * np.abs(want_rs) + 1e-30
    assert np.all(np.abs(got_rs - want_rs) <= tol_rs), f"{name}: row sums off by {np.max(np.abs(got_rs - want_rs))}"


SHAPES = [(1, 1, 1), (10, 512, 32), (32, 512, 10), (37, 45, 300), (300, 70, 40), (5, 3, 0)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("name", list(ACTS))
@pytest.mark.parametrize("m,n,k", SHAPES)
def test_prologue_matches_numpy(m, n, k, name, ta, dtype):
    rng = np.random.default_rng(m * 7 + k)
    (a, s), b = operands(rng, m, n, k, dtype, ta, name)
    check(*run(a, s, b, name), a, s, b, name)


@pytest.mark.parametrize("name", ["relu", "tanh", "gelu"])
def test_prologue_with_beta_and_accumulated_row_sums(name):
    rng = np.random.default_rng(5)
    (a, s), b = operands(rng, 40, 30, 100, np.float64, True, name)
    c0 = rng.standard_normal((40, 30))
    rs0 = rng.standard_normal(40)
    c, rs = run(a, s, b, name, beta=1.0, c0=c0, row_sum=rs0, accumulate=True)
    check(c, rs, a, s, b, name, beta=1.0, c0=c0, rs0=rs0)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "silu"])
def test_fast_prologue_matches_reference_kernel(name):
    rng = np.random.default_rng(11)
    for m, n, k, ta in [(64, 512, 32, True), (32, 784, 512, False), (10, 100, 7, True)]:
        (a, s), b = operands(rng, m, n, k, np.float32, ta, name)
        fast, ref = run(a, s, b, name), run(a, s, b, name, reference=True)
        for got, want in zip(fast, ref):  # one summation order differs: the GEMM tolerance, loosely
            assert np.allclose(got, want, rtol=1e-4, atol=1e-4 * np.sqrt(k))


@pytest.mark.parametrize("m,n,k", [(512, 784, 32), (300, 10, 512), (10, 784, 256), (64, 500, 128), (40, 300, 700)])
def test_prologue_and_row_sums_bit_identical_for_any_thread_count(m, n, k, per_thread_count):
    rng = np.random.default_rng(3)
    (a, s), b = operands(rng, m, n, k, np.float32, True, "relu")
    outs = per_thread_count(lambda: run(a, s, b, "relu"))
    for c, rs in outs[1:]:
        assert np.array_equal(c, outs[0][0]) and np.array_equal(rs, outs[0][1])


def test_row_sums_without_columns_and_without_k():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((6, 9)).astype(np.float32)
    s = rng.standard_normal((6, 9)).astype(np.float32)
    rs = np.full(6, np.nan, np.float32)
    _core.gemm(a, np.empty((9, 0), np.float32), np.empty((6, 0), np.float32), a_saved=s, a_act=1, row_sum=rs)
    np.testing.assert_allclose(rs, (a * (s > 0)).sum(1), rtol=1e-5, atol=1e-5)
    rs = np.full(6, np.nan, np.float32)
    _core.gemm(np.empty((6, 0), np.float32), np.empty((0, 4), np.float32), np.zeros((6, 4), np.float32), row_sum=rs)
    assert np.array_equal(rs, np.zeros(6, np.float32))


def test_bad_prologue_arguments_raise_naming_gemm():
    a = np.ones((4, 5), np.float32)
    b = np.ones((5, 3), np.float32)
    c = np.empty((4, 3), np.float32)
    with pytest.raises(ValueError, match=r"gemm: a_saved must be shaped like A \(4, 5\)"):
        _core.gemm(a, b, c, a_saved=np.ones((5, 4), np.float32), a_act=1)
    with pytest.raises(ValueError, match="storage order"):
        _core.gemm(a, b, c, a_saved=np.ones((5, 4), np.float32).T, a_act=1)
    with pytest.raises(ValueError, match="cannot be computed from its output"):
        _core.gemm(a, b, c, a_saved=np.ones((4, 5), np.float32), a_act=3, a_from_output=True)
    with pytest.raises(ValueError, match="row_sum must be"):
        _core.gemm(a, b, c, row_sum=np.ones(3, np.float32))
    with pytest.raises(ValueError, match="unknown a_act"):
        _core.gemm(a, b, c, a_saved=np.ones((4, 5), np.float32), a_act=9)


def test_every_isa_path_applies_the_prologue(isa):
    """The isa fixture (tests/conftest.py) switches the active kernels in-process."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for dtype in (np.float32, np.float64):
        eps = np.finfo(dtype).eps
        for m, n, k, ta in [(10, 512, 32, True), (33, 70, 260, False), (300, 10, 40, True)]:
            for act, from_output in [(1, True), (2, True), (6, True), (5, False)]:
                g = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
                s = rng.standard_normal(g.shape).astype(dtype)
                if act == 6:
                    s = np.tanh(s)
                a, sv = (g.T, s.T) if ta else (g, s)
                b = rng.standard_normal((k, n)).astype(dtype)
                outs = []
                for reference in (False, True):
                    c, rs = np.empty((m, n), dtype), np.empty(m, dtype)
                    _core.gemm(a, b, c, a_saved=sv, a_act=act, a_from_output=from_output, row_sum=rs, reference=reference)
                    outs.append((c, rs))
                bound = 8 * np.sqrt(k + 1) * eps
                worst = max(worst, float(np.max(np.abs(outs[0][0] - outs[1][0]) / (bound * (np.abs(a) @ np.abs(b) + 1)))))
                worst = max(worst, float(np.max(np.abs(outs[0][1] - outs[1][1]) / (bound * (np.abs(a).sum(1) + 1)))))
    assert worst <= 1.0, f"{isa}: error {worst} x tolerance"


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
@pytest.mark.parametrize("ta", [False, True])
def test_saved_operand_with_its_own_leading_dimension(name, ta):
    # The ReLU-family derivative is applied in the packing pass, reading S beside dY through S's
    # own strides: here dY and S are column slices of wider arrays with different leading
    # dimensions (and rows past a multiple of the vector width and of the tile height).
    rng = np.random.default_rng(12)
    m, n, k = 261, 50, 300
    shape = (k, m) if ta else (m, k)
    g_wide = rng.standard_normal((shape[0], shape[1] + 13)).astype(np.float32)
    s_wide = saved_values(name, rng, (shape[0], shape[1] + 40), np.float32)
    g, s = g_wide[:, 3:3 + shape[1]], s_wide[:, 7:7 + shape[1]]
    a, s = (g.T, s.T) if ta else (g, s)
    b = rng.standard_normal((k, n)).astype(np.float32)
    check(*run(a, s, b, name), a, s, b, name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
def test_relu_family_prologue_is_exactly_the_masked_operand(isa, name, ta, dtype):
    # The ReLU family's derivative is applied while A is packed (S read beside dY; for a transposed
    # A two K rows per register on AVX2): the packed values must be exactly where(S > 0, dY,
    # dY * slope), so the product's bits equal a plain GEMM of that operand made by NumPy (same
    # shape, same blocking, same arithmetic), with rows and K past multiples of the tile and
    # vector sizes, K odd (a lone last K row), and strides that are not the operands' widths.
    rng = np.random.default_rng(21)
    neg = 0.0 if name == "relu" else SLOPE
    for m, n, k in [(261, 50, 300), (7, 30, 13), (512, 40, 33)]:
        shape = (k, m) if ta else (m, k)
        g = rng.standard_normal((shape[0], shape[1] + 5)).astype(dtype)[:, 2:2 + shape[1]]
        s = saved_values(name, rng, (shape[0], shape[1] + 9), dtype)[:, 4:4 + shape[1]]
        s[rng.random(s.shape) < 0.2] = 0  # exact zeros: the mask's boundary (not > 0)
        a, sv = (g.T, s.T) if ta else (g, s)
        b = rng.standard_normal((k, n)).astype(dtype)
        c, rs = run(a, sv, b, name)
        masked = np.where(sv > 0, a, a * dtype(neg)).astype(dtype)
        masked = np.ascontiguousarray(masked.T).T if ta else masked  # the same layout as dY
        want_c, want_rs = np.empty((m, n), dtype), np.empty(m, dtype)
        _core.gemm(masked, b, want_c, 1.0, 0.0, row_sum=want_rs)
        assert np.array_equal(c, want_c), f"{isa} {name} ta={ta} {m}x{n}x{k}: prologue differs from the masked operand"
        assert np.array_equal(rs, want_rs), f"{isa} {name} ta={ta} {m}x{n}x{k}: row sums differ"
