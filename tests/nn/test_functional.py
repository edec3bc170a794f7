"""retroprop.nn.functional against torch.nn.functional: values and gradients, float32 and float64.

Each case builds the same inputs in both libraries, runs forward, backpropagates the same random
upstream gradient, and compares the output and every input's gradient.
Tolerances: float64 rtol 1e-10 (same formulas, different summation order and libm);
float32 rtol 2e-5 / atol 2e-6 (a few ulps; reductions over <= 64 terms and one exp/log per element)."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn.functional as F
from retroprop import _random

torch = pytest.importorskip("torch")
TF = torch.nn.functional
DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


def compare(rp_fn, torch_fn, arrays, grads, dtype, tol=None, seed=0):
    """Run rp_fn and torch_fn on Tensors built from `arrays` (requires_grad per `grads`)."""
    tol = tol or TOL[dtype]
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
    ours = [rp.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    theirs = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    out, ref = rp_fn(*ours), torch_fn(*theirs)
    assert out.dtype == np.dtype(dtype) or out.dtype == np.int64
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol)
    if any(grads):
        up = np.random.default_rng(seed).standard_normal(ref.shape).astype(dtype)
        out.backward(rp.tensor(up))
        ref.backward(torch.tensor(up))
        for o, t, g in zip(ours, theirs, grads):
            if g:
                assert o.grad is not None and o.grad.dtype == np.dtype(dtype)
                np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), **tol)
    return out


def randn(*shape, seed=1, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


# --- activations ---------------------------------------------------------------------------

ACTIVATIONS = [
    ("relu", F.relu, TF.relu),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.1), lambda x: TF.leaky_relu(x, 0.1)),
    ("gelu", F.gelu, TF.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    ("silu", F.silu, TF.silu),
    ("tanh", F.tanh, torch.tanh),
    ("sigmoid", F.sigmoid, torch.sigmoid),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation(dtype, name, ours, theirs):
    compare(ours, theirs, [randn(4, 7, 3, scale=3)], [True], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_softmax(dtype, log, dim):
    ours, theirs = (F.log_softmax, TF.log_softmax) if log else (F.softmax, TF.softmax)
    compare(lambda x: ours(x, dim=dim), lambda x: theirs(x, dim=dim), [randn(3, 5, 4, scale=4)], [True], dtype)


def test_softmax_dtype_argument():
    x = rp.tensor(randn(2, 3).astype(np.float32))
    assert F.softmax(x, dim=1, dtype=np.float64).dtype == np.float64
    np.testing.assert_allclose(F.softmax(x, 1).numpy().sum(1), 1, rtol=1e-6)
    assert F.softmax(x, 1).grad_fn is None  # no grad needed, nothing recorded


# --- linear ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xshape", [(5, 3), (2, 4, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(dtype, xshape, bias):
    arrays = [randn(*xshape), randn(4, 3, seed=2)] + ([randn(4, seed=3)] if bias else [])
    compare(F.linear, TF.linear, arrays, [True] * len(arrays), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("act", ["none", "relu", "leaky_relu", "gelu", "gelu_tanh", "silu", "tanh", "sigmoid"])
def test_linear_act_fused(dtype, act):
    theirs = {"none": lambda z: z, "relu": TF.relu, "leaky_relu": lambda z: TF.leaky_relu(z, 0.2), "gelu": TF.gelu,
              "gelu_tanh": lambda z: TF.gelu(z, approximate="tanh"), "silu": TF.silu, "tanh": torch.tanh,
              "sigmoid": torch.sigmoid}[act]
    out = compare(lambda x, w, b: F._linear_act(x, w, b, act, 0.2), lambda x, w, b: theirs(TF.linear(x, w, b)),
                  [randn(6, 5, scale=2), randn(7, 5, seed=2), randn(7, seed=3)], [True, True, True], dtype)
    assert out.shape == (6, 7)


def test_linear_accumulates_into_existing_leaf_grads():
    x = rp.tensor(randn(5, 3))
    w = rp.tensor(randn(4, 3, seed=2), requires_grad=True)
    b = rp.tensor(randn(4, seed=3), requires_grad=True)
    F.linear(x, w, b).sum().backward()
    gw, gb = w.grad, b.grad
    first_w, first_b = gw.numpy().copy(), gb.numpy().copy()
    v = gw._version
    F.linear(x, w, b).sum().backward()
    assert w.grad is gw and b.grad is gb  # the same buffers, written in place (beta = 1)
    assert gw._version > v
    np.testing.assert_allclose(gw.numpy(), 2 * first_w, rtol=1e-14)
    np.testing.assert_allclose(gb.numpy(), 2 * first_b, rtol=1e-14)
    np.testing.assert_allclose(first_w, np.broadcast_to(x.numpy().sum(0), (4, 3)), rtol=1e-14)


def test_linear_weight_used_twice_sums_gradients():
    x = rp.tensor(randn(2, 3))
    w = rp.tensor(randn(3, 3, seed=2), requires_grad=True)
    F.linear(F.linear(x, w), w).sum().backward()
    xt, wt = torch.tensor(x.numpy()), torch.tensor(w.numpy(), requires_grad=True)
    TF.linear(TF.linear(xt, wt), wt).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-12)


def test_linear_non_leaf_weight_gets_gradient_through_graph():
    w0 = rp.tensor(randn(4, 3), requires_grad=True)
    w = w0 * 2.0  # not a leaf: its gradient flows back through the engine
    F.linear(rp.tensor(randn(5, 3, seed=4)), w).sum().backward()
    w0t = torch.tensor(w0.numpy(), requires_grad=True)
    TF.linear(torch.tensor(randn(5, 3, seed=4)), w0t * 2.0).sum().backward()
    np.testing.assert_allclose(w0.grad.numpy(), w0t.grad.numpy(), rtol=1e-12)


def test_linear_under_no_grad_records_nothing():
    w = rp.tensor(randn(4, 3), requires_grad=True)
    with rp.no_grad():
        y = F.linear(rp.tensor(randn(2, 3)), w)
    assert y.grad_fn is None and not y.requires_grad


# --- losses ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [False, True])
@pytest.mark.parametrize("ls", [0.0, 0.1, 1.0])
def test_cross_entropy_combinations(dtype, reduction, weighted, ignore, ls):
    N, C = 9, 5
    target = np.random.default_rng(5).integers(0, C, N)
    if ignore:
        target[[1, 4]] = 3 if ls else -100  # ignore_index may be a real class index too
    ii = 3 if (ignore and ls) else -100
    weight = np.random.default_rng(6).uniform(0.2, 2.0, C)
    kw = dict(reduction=reduction, ignore_index=ii, label_smoothing=ls)
    if weighted:
        compare(lambda x, t, w: F.cross_entropy(x, t, weight=w, **kw), lambda x, t, w: TF.cross_entropy(x, t, weight=w, **kw),
                [randn(N, C, scale=3), target, weight], [True, False, False], dtype)
    else:
        compare(lambda x, t: F.cross_entropy(x, t, **kw), lambda x, t: TF.cross_entropy(x, t, **kw),
                [randn(N, C, scale=3), target], [True, False], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_spatial_and_unbatched(dtype):
    t = np.random.default_rng(7).integers(0, 4, (2, 3, 5))
    compare(F.cross_entropy, TF.cross_entropy, [randn(2, 4, 3, 5), t], [True, False], dtype)
    compare(lambda x, t: F.cross_entropy(x, t, label_smoothing=0.2), lambda x, t: TF.cross_entropy(x, t, label_smoothing=0.2),
            [randn(6), np.array(2)], [True, False], dtype)


def test_cross_entropy_all_ignored_mean_is_nan_like_torch():
    x, t = randn(3, 4), np.full(3, -100)
    ours = F.cross_entropy(rp.tensor(x), rp.tensor(t)).item() if hasattr(rp.Tensor, "item") else float(F.cross_entropy(rp.tensor(x), rp.tensor(t)).numpy())
    assert np.isnan(ours) and np.isnan(TF.cross_entropy(torch.tensor(x), torch.tensor(t)).item())


def test_cross_entropy_large_logits_stay_finite():
    x = np.array([[1000.0, 0.0, -1000.0], [-1e4, 1e4, 0.0]], dtype=np.float32)
    t = rp.tensor(np.array([0, 0]))
    xr = rp.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xr, t)
    loss.backward()
    assert np.isfinite(loss.numpy()) and np.isfinite(xr.grad.numpy()).all()
    np.testing.assert_allclose(loss.numpy(), TF.cross_entropy(torch.tensor(x), torch.tensor([0, 0])).item(), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(dtype, reduction, weighted):
    t = np.array([0, 2, -100, 1, 2])
    w = np.array([0.5, 2.0, 1.5])
    if weighted:
        compare(lambda x, t, w: F.nll_loss(F.log_softmax(x, 1), t, w, reduction=reduction),
                lambda x, t, w: TF.nll_loss(TF.log_softmax(x, 1), t, w, reduction=reduction),
                [randn(5, 3), t, w], [True, False, False], dtype)
    else:
        compare(lambda x, t: F.nll_loss(F.log_softmax(x, 1), t, reduction=reduction),
                lambda x, t: TF.nll_loss(TF.log_softmax(x, 1), t, reduction=reduction), [randn(5, 3), t], [True, False], dtype)


REGRESSION = [
    ("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {"beta": 0.0}),
    ("huber_loss", {"delta": 0.7}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,kw", REGRESSION)
def test_regression_losses(dtype, reduction, name, kw):
    compare(lambda x, t: getattr(F, name)(x, t, reduction=reduction, **kw),
            lambda x, t: getattr(TF, name)(x, t, reduction=reduction, **kw),
            [randn(4, 5), randn(4, 5, seed=9)], [True, True], dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression_losses(name):
    compare(lambda x, t, w: getattr(F, name)(x, t, weight=w), lambda x, t, w: getattr(TF, name)(x, t, weight=w),
            [randn(4, 5), randn(4, 5, seed=9), np.abs(randn(4, 5, seed=10))], [True, True, False], np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy(dtype, reduction):
    p = 1 / (1 + np.exp(-randn(3, 4, scale=2)))
    t = np.random.default_rng(3).uniform(0, 1, (3, 4))
    w = np.random.default_rng(4).uniform(0.5, 2, (3, 4))
    compare(lambda x, t, w: F.binary_cross_entropy(x, t, w, reduction=reduction),
            lambda x, t, w: TF.binary_cross_entropy(x, t, w, reduction=reduction), [p, t, w], [True, False, False], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_with_logits(dtype, reduction):
    t = np.random.default_rng(3).uniform(0, 1, (3, 4))
    w, pw = np.random.default_rng(4).uniform(0.5, 2, (3, 4)), np.array([0.5, 1.0, 2.0, 3.0])
    compare(lambda x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, w, reduction=reduction, pos_weight=pw),
            lambda x, t, w, pw: TF.binary_cross_entropy_with_logits(x, t, w, reduction=reduction, pos_weight=pw),
            [randn(3, 4, scale=30), t, w, pw], [True, True, False, False], dtype)
    compare(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction),
            lambda x, t: TF.binary_cross_entropy_with_logits(x, t, reduction=reduction), [randn(3, 4), t], [True, True], dtype)


# --- the rest --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm(dtype, affine):
    if affine:
        compare(lambda x, w, b: F.layer_norm(x, (3, 4), w, b), lambda x, w, b: TF.layer_norm(x, (3, 4), w, b),
                [randn(2, 3, 4, scale=3), randn(3, 4, seed=2), randn(3, 4, seed=3)], [True] * 3, dtype,
                tol=dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else None)
    else:
        compare(lambda x: F.layer_norm(x, [4]), lambda x: TF.layer_norm(x, [4]), [randn(5, 4)], [True], dtype,
                tol=dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else None)


@pytest.mark.parametrize("padding_idx", [None, 1])
def test_embedding(padding_idx):
    idx = np.array([[0, 2, 1], [2, 2, 3]])
    compare(lambda i, w: F.embedding(i, w, padding_idx), lambda i, w: TF.embedding(i, w, padding_idx),
            [idx, randn(4, 5)], [False, True], np.float64)


def test_one_hot():
    idx = np.array([0, 3, 1])
    np.testing.assert_array_equal(F.one_hot(rp.tensor(idx)).numpy(), TF.one_hot(torch.tensor(idx)).numpy())
    assert F.one_hot(rp.tensor(idx), 6).shape == (3, 6)


def test_dropout():
    _random.manual_seed(0)
    x = rp.tensor(np.ones((200, 50)), requires_grad=True)
    y = F.dropout(x, 0.3)
    kept = y.numpy() != 0
    assert 0.65 < kept.mean() < 0.75  # 10,000 Bernoulli(0.7) draws: 0.7 +- 0.005 (1 sigma)
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.7)
    y.backward(rp.tensor(np.ones((200, 50))))
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())  # the gradient is the same mask and scale
    assert F.dropout(x, 0.3, training=False) is x
    _random.manual_seed(0)
    np.testing.assert_array_equal(F.dropout(x, 0.3).numpy(), y.numpy())  # seeded runs repeat
    assert (F.dropout(x, 1.0).numpy() == 0).all()


def test_linear_under_autograd_grad_returns_gradients_and_leaves_dot_grad_alone():
    """While autograd.grad runs, the engine forbids direct writes into leaves' .grad."""
    x = rp.tensor(randn(3, 4))
    w = rp.tensor(randn(2, 4, seed=2), requires_grad=True)
    b = rp.tensor(randn(2, seed=3), requires_grad=True)
    gw, gb = rp.autograd.grad(F._linear_act(x, w, b, "tanh").sum(), [w, b])
    assert w.grad is None and b.grad is None
    wt, bt = torch.tensor(w.numpy(), requires_grad=True), torch.tensor(b.numpy(), requires_grad=True)
    torch.tanh(TF.linear(torch.tensor(x.numpy()), wt, bt)).sum().backward()
    np.testing.assert_allclose(gw.numpy(), wt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), bt.grad.numpy(), rtol=1e-12)


def test_linear_act_3d_input_and_transposed_weight_view():
    w_storage = randn(4, 6, seed=2)  # weight is a transposed view (6, 4): read through the fallback path
    compare(lambda x, w: F._linear_act(x, w.T, None, "gelu"), lambda x, w: TF.gelu(TF.linear(x, w.T)),
            [randn(2, 3, 4), w_storage], [True, True], np.float64)


def test_inplace_activations_outside_the_graph_write_the_buffer():
    a = randn(3, 4).astype(np.float32)
    x = rp.from_numpy(a)
    v = x._version
    assert F.relu(x, inplace=True) is x and x._version == v + 1
    np.testing.assert_array_equal(a, np.maximum(randn(3, 4).astype(np.float32), 0))  # the caller's array changed
    y = rp.from_numpy(randn(4, 3).T)  # non-contiguous view
    F.leaky_relu_(y, 0.2)
    np.testing.assert_allclose(y.numpy(), TF.leaky_relu(torch.tensor(randn(4, 3).T), 0.2).numpy(), rtol=1e-15)


def test_inplace_activation_in_the_graph_is_rebased_like_torch():
    for inplace_fn, torch_fn in [(lambda h: F.relu(h, inplace=True), lambda h: TF.relu(h, inplace=True)),
                                 (lambda h: F.silu(h, inplace=True), lambda h: TF.silu(h, inplace=True))]:
        compare(lambda x: inplace_fn(x * 2.0) * 3.0, lambda x: torch_fn(x * 2.0) * 3.0, [randn(3, 4)], [True], np.float64)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu_(rp.tensor(randn(2), requires_grad=True))
    w = rp.tensor(randn(3), requires_grad=True)
    h = w * 1.0
    z = h * w  # saves h
    F.relu_(h)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


@pytest.mark.parametrize("weighted", [True, False])
def test_cross_entropy_single_row_mean(weighted):
    """Found by hypothesis: one row, mean reduction. The 1-element upstream gradient must still be
    scaled by 1 / sum of weights; with the only target ignored the loss is nan and the gradient
    zero, as in torch."""
    x, t, w = randn(1, 2), np.array([0]), np.array([0.15, 2.5])
    xr, xt = rp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    if weighted:
        ours, ref = F.cross_entropy(xr, rp.tensor(t), rp.tensor(w)), TF.cross_entropy(xt, torch.tensor(t), torch.tensor(w))
    else:
        ours, ref = F.cross_entropy(xr, rp.tensor(t), ignore_index=0), TF.cross_entropy(xt, torch.tensor(t), ignore_index=0)
    np.testing.assert_allclose(ours.numpy(), ref.detach().numpy(), rtol=1e-12, equal_nan=True)
    ours.backward()
    ref.backward()
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_inplace_dropout_in_the_graph_records_its_mask():
    # In-place dropout on an intermediate result must still send the gradient through the mask.
    rp.manual_seed(0)
    x = rp.ones(1000, requires_grad=True)
    y = x * 2
    z = F.dropout(y, p=0.5, training=True, inplace=True)
    assert z is y
    z.sum().backward()
    kept = y.detach().numpy() != 0
    assert 0 < kept.sum() < 1000
    np.testing.assert_array_equal(x.grad.numpy(), np.where(kept, 4.0, 0.0))  # d/dx of 2x * 2 * mask
