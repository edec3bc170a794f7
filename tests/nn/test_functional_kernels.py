"""The nn C++ kernels against their readable references (and NumPy formulas), float32 and
float64, through retroprop._core; plus the bindings' argument errors.

Fast and reference kernels compute the same formula in a different order (exponentials
stored vs recomputed, row vs column sums), so they agree to a few ulps: rtol 1e-5 (float32)
/ 1e-12 (float64) with a small atol for values near zero."""
import numpy as np
import pytest

from retroprop import _core
from retroprop.ops.activation import ACT

TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}
DTYPES = [np.float32, np.float64]
rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64, scale=3.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("act", [a for a in ACT if a != "none"])
def test_act_forward_backward_match_reference(dtype, act):
    code, slope = ACT[act], 0.07
    x = randn(70001, dtype=dtype)  # above the threads' threshold, and an odd length
    x[:3] = 0  # the kink of relu / leaky_relu
    # The reference runs in float64 on the same values: the float32 reference's own rounding
    # (1 + tanh u cancels for x < 0 in gelu_tanh) would exceed the tolerance, the fast kernel's not.
    x64 = x.astype(np.float64)
    y, yr = np.empty_like(x), np.empty_like(x64)
    _core.act_forward(x, y, code, slope)
    _core.act_forward(x64, yr, code, slope, reference=True)
    np.testing.assert_allclose(y, yr, **TOL[dtype])
    g = randn(x.size, dtype=dtype)
    dx, dxr = np.empty_like(x), np.empty_like(x64)
    _core.act_backward(g, x, dx, code, slope)
    _core.act_backward(g.astype(np.float64), x64, dxr, code, slope, reference=True)
    tol = dict(TOL[dtype])
    if act == "gelu_tanh" and dtype == np.float64:  # the reference's 1 + t and 1 - t^2 cancel for
        tol["atol"] = 1e-13  # x < 0: absolute error ~ eps |g| |x| u'(x), up to ~1e-13 here
    np.testing.assert_allclose(dx, dxr, **tol)
    dxr = dxr.astype(dtype)
    if act in ("relu", "leaky_relu", "tanh", "sigmoid"):  # the derivative from the output agrees
        _core.act_backward(g, y, dxr, code, slope, from_output=True)
        np.testing.assert_allclose(dx, dxr, rtol=1e-4 if dtype == np.float32 else 1e-9, atol=1e-5 if dtype == np.float32 else 1e-12)


def test_act_values_against_numpy_formulas():
    x = randn(1000)
    y = np.empty_like(x)
    for act, f in [("relu", lambda v: np.maximum(v, 0)), ("leaky_relu", lambda v: np.where(v > 0, v, 0.2 * v)),
                   ("tanh", np.tanh), ("sigmoid", lambda v: 1 / (1 + np.exp(-v))), ("silu", lambda v: v / (1 + np.exp(-v)))]:
        _core.act_forward(x, y, ACT[act], 0.2)
        np.testing.assert_allclose(y, f(x), rtol=1e-13, atol=1e-15, err_msg=act)


def test_act_forward_in_place():
    x = randn(100)
    expected = np.tanh(x)
    _core.act_forward(x, x, ACT["tanh"])
    np.testing.assert_allclose(x, expected, rtol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (300, 200), (5, 130)])
def test_bias_backward_and_folded_activation(dtype, shape):
    g = randn(*shape, dtype=dtype)
    db = np.empty(shape[1], dtype=dtype)
    _core.act_bias_backward(g, None, None, db, 0)
    # A running sum of M terms: each addition rounds by at most eps/2 of the partial sum's size.
    bound = shape[0] * np.finfo(dtype).eps * np.abs(g).sum(0).max()
    np.testing.assert_allclose(db, g.sum(0, dtype=np.float64), rtol=0, atol=bound)
    before = db.copy()
    _core.act_bias_backward(g, None, None, db, 0, accumulate=True)
    np.testing.assert_allclose(db, 2 * before, rtol=0, atol=2 * bound)
    y = np.maximum(randn(*shape, dtype=dtype), 0)  # a relu output
    dz, dzr = np.empty_like(g), np.empty_like(g)
    db, dbr = np.empty(shape[1], dtype=dtype), np.empty(shape[1], dtype=dtype)
    _core.act_bias_backward(g, y, dz, db, ACT["relu"])
    _core.act_bias_backward(g, y, dzr, dbr, ACT["relu"], reference=True)
    np.testing.assert_array_equal(dz, g * (y > 0))
    np.testing.assert_array_equal(db, dbr)  # same summation order (row by row) in both


def test_folded_backward_refuses_underivable_activation():
    g = randn(3, 4)
    with pytest.raises(ValueError, match="cannot be computed from its output"):
        _core.act_bias_backward(g, g, np.empty_like(g), None, ACT["gelu"], from_output=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("shape", [(1, 1), (4, 10), (300, 257)])
def test_softmax_matches_reference(dtype, log, shape):
    x = randn(*shape, dtype=dtype) + 50  # a large offset: max subtraction keeps exp finite
    y, yr = np.empty_like(x), np.empty_like(x)
    _core.softmax_forward(x, y, log)
    _core.softmax_forward(x, yr, log, reference=True)
    # log-softmax is x - lse with x ~ 50: the subtraction cancels, leaving an absolute error of a
    # few ulps of |x|, whatever the size of the result.
    tol = dict(rtol=TOL[dtype]["rtol"], atol=8 * np.finfo(dtype).eps * np.abs(x).max()) if log else TOL[dtype]
    np.testing.assert_allclose(y, yr, **tol)
    x64 = x.astype(np.float64)
    lse = np.log(np.exp(x64 - x64.max(1, keepdims=True)).sum(1, keepdims=True)) + x64.max(1, keepdims=True)
    np.testing.assert_allclose(y, x64 - lse if log else np.exp(x64 - lse), **tol)
    g = randn(*shape, dtype=dtype)
    dx, dxr = np.empty_like(x), np.empty_like(x)
    _core.softmax_backward(g, y, dx, log)
    _core.softmax_backward(g, y, dxr, log, reference=True)
    np.testing.assert_allclose(dx, dxr, rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ls", [0.0, 0.25])
def test_cross_entropy_matches_reference(dtype, weighted, ls):
    N, C = 513, 67
    x = randn(N, C, dtype=dtype)
    t = rng.integers(0, C, N)
    t[::7] = -1  # ignore_index
    w = rng.uniform(0.1, 2, C).astype(dtype) if weighted else None
    fast = _core.cross_entropy_forward(x, t, w, -1, ls, 0)
    ref = _core.cross_entropy_forward(x, t, w, -1, ls, 0, reference=True)
    for a, b in zip(fast[:2], ref[:2]):
        np.testing.assert_allclose(a, b, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5 if dtype == np.float32 else 1e-12)
    assert np.all(fast[0][::7] == 0)
    for grad in (np.array(0.5, dtype=dtype), randn(N, dtype=dtype)):  # reduced (0-d, times scale) or per row
        d, dr = np.empty_like(x), np.empty_like(x)
        _core.cross_entropy_backward(grad, x, fast[1], t, w, -1, ls, 0.5, d)
        _core.cross_entropy_backward(grad, x, fast[1], t, w, -1, ls, 0.5, dr, reference=True)
        np.testing.assert_allclose(d, dr, rtol=1e-4 if dtype == np.float32 else 1e-11, atol=1e-6 if dtype == np.float32 else 1e-14)
        assert np.all(d[::7] == 0)


def cross_entropy_float64(x, t, ls):
    """The loss per row, the log-sum-exp and the gradient of the summed loss, in float64 NumPy
    (torch's definition)."""
    x = x.astype(np.float64)
    m = x.max(1, keepdims=True)
    lse = (m + np.log(np.exp(x - m).sum(1, keepdims=True)))[:, 0]
    logp = x - lse[:, None]
    C = x.shape[1]
    loss = -(1 - ls) * logp[np.arange(len(t)), t]
    if ls:  # (a -inf logit's term would be 0 * inf without label smoothing)
        loss = loss - ls / C * logp.sum(1)
    q = np.full_like(x, ls / C)
    q[np.arange(len(t)), t] += 1 - ls
    return loss, lse, np.exp(logp) - q


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("C", [1, 10, 2047, 2048, 2049, 5000])
def test_cross_entropy_row_widths_around_the_exp_block(dtype, C):
    """The fast kernel exponentiates blocks of up to 2048 logits at once (a row wider than that
    alone, through the scalar path): every width agrees with float64. Tolerances: float32 sums
    of up to 5000 exponentials (relative error ~ 1e-6 measured) and float32 gradients near the
    label-smoothing floor ls / C (atol)."""
    N = 7
    x = randn(N, C, dtype=dtype)
    t = rng.integers(0, C, N)
    loss, lse, grad = cross_entropy_float64(x, t, 0.1)
    fast = _core.cross_entropy_forward(x, t, None, -100, 0.1, 0)
    tol = dict(rtol=2e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(fast[0], loss, **tol)
    np.testing.assert_allclose(fast[1], lse, **tol)
    d = np.empty_like(x)
    _core.cross_entropy_backward(np.array(1.0, dtype=dtype), x, fast[1], t, None, -100, 0.1, 1.0, d)
    np.testing.assert_allclose(d, grad, rtol=1e-5 if dtype == np.float32 else 1e-11, atol=1e-8 if dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_special_logits(dtype):
    """A -inf logit (a masked class) leaves a finite loss; a row of -inf only or with a +inf
    logit has an infinite log-sum-exp and a NaN loss, as torch's; a NaN logit gives NaN."""
    x = randn(5, 6, dtype=dtype)
    x[0, 2] = -np.inf
    x[1, :] = -np.inf
    x[2, 4] = np.inf
    x[3, 1] = np.nan
    t = np.array([0, 1, 4, 1, 3])
    loss, lse, _ = _core.cross_entropy_forward(x, t, None, -100, 0.0, 0)
    finite = [0, 4]
    want_loss, want_lse, _ = cross_entropy_float64(x[finite], t[finite], 0.0)
    np.testing.assert_allclose(loss[finite], want_loss, **TOL[dtype])
    np.testing.assert_allclose(lse[finite], want_lse, **TOL[dtype])
    assert lse[1] == -np.inf and lse[2] == np.inf and np.isnan(loss[1:4]).all()


def test_cross_entropy_reductions_and_denominator():
    x = randn(5, 3)
    t = np.array([0, 2, 1, -100, 2])
    w = np.array([1.0, 2.0, 3.0])
    none, _, _ = _core.cross_entropy_forward(x, t, w, -100, 0.0, 0)
    total, _, _ = _core.cross_entropy_forward(x, t, w, -100, 0.0, 2)
    mean, _, denom = _core.cross_entropy_forward(x, t, w, -100, 0.0, 1)
    assert denom == 1 + 3 + 2 + 3
    np.testing.assert_allclose(total, none.sum(), rtol=1e-14)
    np.testing.assert_allclose(mean, none.sum() / denom, rtol=1e-14)


def test_cross_entropy_target_out_of_range_raises():
    x = randn(4, 3)
    with pytest.raises(ValueError, match="target 3 at position 2 is out of bounds for 3 classes"):
        _core.cross_entropy_forward(x, np.array([0, 1, 3, 0]), None, -100, 0.0, 1)
    with pytest.raises(ValueError, match="out of bounds"):
        _core.cross_entropy_forward(x, np.array([0, -1, 0, 0]), None, -100, 0.0, 1)


def test_binding_argument_errors():
    x = randn(4, 3)
    with pytest.raises(TypeError, match="act_forward: out has dtype float32, expected float64"):
        _core.act_forward(x, np.empty((4, 3), np.float32), 1)
    with pytest.raises(ValueError, match="has 6 elements, expected 12"):
        _core.act_forward(x, np.empty((2, 3)), 1)
    with pytest.raises(ValueError, match="C-contiguous"):
        _core.softmax_forward(x.T, np.empty((3, 4)))
    with pytest.raises(ValueError, match="unknown activation code 9"):
        _core.act_forward(x, np.empty_like(x), 9)
    with pytest.raises(ValueError, match=r"expected targets of shape \(4,\)"):
        _core.cross_entropy_forward(x, np.array([0, 1]), None, -100, 0.0, 1)
    with pytest.raises(TypeError, match="targets has dtype int32"):
        _core.cross_entropy_forward(x, np.array([0, 1, 2, 0], np.int32), None, -100, 0.0, 1)
    ro = np.empty_like(x)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        _core.act_forward(x, ro, 1)


def test_results_do_not_depend_on_the_thread_count():
    """Rows (columns for the bias sums) are split whole between threads, each summed in order."""
    x = randn(700, 300, dtype=np.float32)  # above the parallel threshold
    t = rng.integers(0, 300, 700)
    before = _core.get_num_threads()
    outs = []
    try:
        for n in (1, 2):
            _core.set_num_threads(n)
            y, db, dz = np.empty_like(x), np.empty(300, np.float32), np.empty_like(x)
            _core.softmax_forward(x, y, True)
            _core.act_bias_backward(x, y, dz, db, ACT["gelu"], from_output=False)
            loss, lse, _ = _core.cross_entropy_forward(x, t, None, -100, 0.1, 0)
            d = np.empty_like(x)
            _core.cross_entropy_backward(np.array(1.0, np.float32), x, lse, t, None, -100, 0.1, 1.0, d)
            outs.append((y, db, dz, loss, d))
    finally:
        _core.set_num_threads(before)
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)
