"""Loss behaviour ordinary torch training scripts rely on beyond the matching-dtype case:
float64 targets from NumPy against float32 outputs (type promotion), class-probability targets
for cross_entropy, torch's size-mismatch warning, and kl_div / KLDivLoss.

Tolerances: float64 results rtol 1e-10 / atol 1e-12 (same formulas, different summation order);
anything computed or stored in float32 rtol 2e-5 / atol 2e-6 (a few ulps over <= 64 terms);
gradcheck in float64 with retroprop.autograd.gradcheck's defaults (central differences, eps 1e-6)."""
import warnings

import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn
import retroprop.nn.functional as F
from retroprop.autograd import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F64 = dict(rtol=1e-10, atol=1e-12)
F32 = dict(rtol=2e-5, atol=2e-6)


def rng(seed=0):
    return np.random.default_rng(seed)


def pair(a, grad=False):
    """The same array as a retroprop and a torch tensor."""
    return rp.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def tol(*dtypes):
    return F32 if np.dtype(np.float32) in map(np.dtype, dtypes) else F64


def run_both(ours_fn, theirs_fn, arrays, grads, seed=0):
    """Forward + backward (a random upstream gradient) in both libraries; compare the output's
    dtype and value and each gradient's dtype and value."""
    ours = [rp.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    theirs = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grads)]
    out, ref = ours_fn(*ours), theirs_fn(*theirs)
    assert str(out.dtype) == str(ref.dtype).replace("torch.", "")
    t = tol(*[a.dtype for a in arrays if a.dtype.kind == "f"])
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **t)
    if any(grads):
        up = rng(seed).standard_normal(ref.shape).astype(out.numpy().dtype)
        out.backward(rp.tensor(up))
        ref.backward(torch.tensor(up))
        for o, r, g in zip(ours, theirs, grads):
            if g:
                assert str(o.grad.dtype) == str(r.grad.dtype).replace("torch.", "") == str(o.dtype)
                np.testing.assert_allclose(o.grad.numpy(), r.grad.numpy(), **t)
    return out


# --- 1. mixed dtypes -------------------------------------------------------------------------

DT = [(np.float32, np.float64), (np.float64, np.float32)]
PROMOTING = [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {"beta": 0.0})]


@pytest.mark.parametrize("dx,dt", DT)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,kw", PROMOTING)
def test_regression_losses_promote_float_dtypes(dx, dt, reduction, name, kw):
    """float32 output against a float64 target: the loss is float64, each gradient in its input's dtype."""
    x, t = rng(1).standard_normal((4, 3)).astype(dx), rng(2).standard_normal((4, 3)).astype(dt)
    out = run_both(lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw),
                   lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **kw), [x, t], [True, True])
    assert out.dtype == np.float64


@pytest.mark.parametrize("tdtype", [np.int64, np.int32, np.bool_])
@pytest.mark.parametrize("name", ["mse_loss", "smooth_l1_loss", "l1_loss"])
def test_integer_and_bool_targets_take_the_input_dtype(tdtype, name):
    x = rng(1).standard_normal((4, 3)).astype(np.float32)
    t = rng(2).integers(-2, 3, (4, 3)).astype(tdtype)  # bool: True where nonzero
    if name == "l1_loss" and tdtype is np.bool_:  # torch: subtraction with a bool tensor is not supported
        with pytest.raises(RuntimeError):
            TF.l1_loss(torch.tensor(x), torch.tensor(t))
        with pytest.raises(TypeError, match="l1_loss: subtraction with a bool tensor"):
            F.l1_loss(rp.tensor(x), rp.tensor(t))
        return
    out = run_both(getattr(F, name), getattr(TF, name), [x, t], [True, False])
    assert out.dtype == np.float32


def test_two_integer_tensors_are_rejected():
    with pytest.raises(RuntimeError):  # torch: "mse_cpu" not implemented for 'Long'
        TF.mse_loss(torch.ones(3, dtype=torch.long), torch.ones(3, dtype=torch.long))
    with pytest.raises(TypeError, match="mse_loss: expected float32 or float64 input or target, got input int64"):
        F.mse_loss(rp.tensor(np.ones(3, np.int64)), rp.tensor(np.ones(3, np.int64)))


def test_equal_dtypes_keep_the_fast_path():
    """Matching dtypes must not copy (the promotion helper returns the very arrays it was given)."""
    from retroprop.nn._functional.regression import _promote
    x, t = np.zeros((4, 3), np.float32), np.ones((4, 3), np.float32)
    a, b, d = _promote("mse_loss", x, t)
    assert a is x and b is t and d == np.float32


@pytest.mark.parametrize("dx,dt,dw", [(np.float32, np.float32, np.float64), (np.float32, np.float64, np.float32),
                                      (np.float64, np.float32, np.float32), (np.float32, np.float32, np.int64)])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_weighted_losses_promote_with_the_weight(dx, dt, dw, name):
    x, t = rng(1).standard_normal((4, 3)).astype(dx), rng(2).standard_normal((4, 3)).astype(dt)
    w = rng(3).uniform(0.5, 2, (4, 3)) if dw is not np.int64 else rng(3).integers(1, 4, (4, 3))
    run_both(lambda a, b, c: getattr(F, name)(a, b, weight=c), lambda a, b, c: getattr(TF, name)(a, b, weight=c),
             [x, t, w.astype(dw)], [True, True, False])


def test_weight_must_have_the_input_size():
    x = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        TF.mse_loss(torch.tensor(x), torch.tensor(x), weight=torch.ones(3))
    with pytest.raises(ValueError, match=r"mse_loss: Weights and input must have the same size \(weight \(3,\)"):
        F.mse_loss(rp.tensor(x), rp.tensor(x), weight=rp.ones(3))


@pytest.mark.parametrize("dx,dt", DT + [(np.float32, np.int64)])
def test_huber_loss_has_the_input_dtype(dx, dt):
    """torch computes huber_loss in the input's dtype (and its backward then fails on mixed dtypes;
    here each input gets its gradient in its own dtype, checked against float64 torch)."""
    x = rng(1).standard_normal((4, 3)).astype(dx)
    t = (rng(2).standard_normal((4, 3)) * 2).astype(dt)
    out = F.huber_loss(rp.tensor(x, requires_grad=True), rp.tensor(t), delta=0.7)
    ref = TF.huber_loss(torch.tensor(x), torch.tensor(t), delta=0.7)
    assert out.dtype == np.dtype(dx) and str(ref.dtype) == f"torch.{np.dtype(dx)}"
    np.testing.assert_allclose(out.numpy(), ref.numpy(), **F32)  # target rounded to the input's dtype
    xr = rp.tensor(x, requires_grad=True)
    tr = rp.tensor(t, requires_grad=dt is not np.int64)
    F.huber_loss(xr, tr, delta=0.7).backward()
    # reference: float64 torch on the target rounded to the input's dtype, as the forward uses it
    xt = torch.tensor(x.astype(np.float64), requires_grad=True)
    TF.huber_loss(xt, torch.tensor(t.astype(dx).astype(np.float64)), delta=0.7).backward()
    assert xr.grad.dtype == np.dtype(dx)
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), **F32)
    if tr.requires_grad:
        assert tr.grad.dtype == np.dtype(dt)
        np.testing.assert_allclose(tr.grad.numpy(), -xt.grad.numpy(), **F32)


def test_binary_cross_entropy_requires_one_dtype_like_torch():
    p, t = np.full((2, 3), 0.4, np.float32), np.full((2, 3), 0.5)
    with pytest.raises(RuntimeError, match="Found dtype Double but expected Float"):
        TF.binary_cross_entropy(torch.tensor(p), torch.tensor(t))
    with pytest.raises(TypeError, match="binary_cross_entropy: expected all tensors to have one dtype"):
        F.binary_cross_entropy(rp.tensor(p), rp.tensor(t))
    # the weight takes the input's dtype instead
    w = rng(4).uniform(0.5, 2, (2, 3))
    run_both(lambda a, b, c: F.binary_cross_entropy(a, b, c), lambda a, b, c: TF.binary_cross_entropy(a, b, c),
             [p, t.astype(np.float32), w], [True, False, False])


@pytest.mark.parametrize("dx,dt,dw,dp", [
    (np.float32, np.float64, None, None), (np.float64, np.float32, None, None),
    (np.float32, np.float32, np.float64, None), (np.float32, np.float32, None, np.float64),
    (np.float32, np.float64, np.float32, np.float32), (np.float64, np.float32, np.float64, np.float64),
    (np.float32, np.float32, np.int64, np.int64),
])
def test_bce_with_logits_has_the_target_dtype(dx, dt, dw, dp):
    """torch builds this loss in place from (1 - target): its dtype is the target's, whatever
    the input's or the weights'."""
    x = (rng(1).standard_normal((3, 4)) * 3).astype(dx)
    t = rng(2).uniform(0, 1, (3, 4)).astype(dt)
    arrays, grads = [x, t], [True, True]
    if dw is not None:
        w = rng(3).integers(1, 3, (3, 4)) if dw is np.int64 else rng(3).uniform(0.5, 2, (3, 4))
        arrays.append(w.astype(dw))
        grads.append(False)
    if dp is not None:
        arrays.append(np.array([1, 2, 3, 1]).astype(dp) if dp is np.int64 else np.array([0.5, 1.0, 2.0, 3.0]).astype(dp))
        grads.append(False)

    def call(f):
        def go(a, b, *rest):
            it = iter(rest)
            return f(a, b, weight=next(it) if dw is not None else None, pos_weight=next(it) if dp is not None else None)
        return go

    out = run_both(call(F.binary_cross_entropy_with_logits), call(TF.binary_cross_entropy_with_logits), arrays, grads)
    assert out.dtype == np.dtype(dt)


def test_bce_with_logits_rejects_integer_targets():
    with pytest.raises(RuntimeError, match="can't be cast"):
        TF.binary_cross_entropy_with_logits(torch.zeros(3), torch.zeros(3, dtype=torch.long))
    with pytest.raises(TypeError, match="binary_cross_entropy_with_logits: expected target to be float32 or float64"):
        F.binary_cross_entropy_with_logits(rp.zeros(3), rp.tensor(np.zeros(3, np.int64)))


def test_mse_module_with_a_numpy_float64_target():
    """The regression-script case: float32 model output, target from torch.from_numpy(float64)."""
    lin = nn.Linear(3, 1)
    x = rp.tensor(rng(1).standard_normal((8, 3)).astype(np.float32))
    y = rp.from_numpy(rng(2).standard_normal((8, 1)))
    loss = nn.MSELoss()(lin(x), y)
    loss.backward()
    assert loss.dtype == np.float64 and lin.weight.grad.dtype == np.float32
    out = lin(x).detach().numpy().astype(np.float64)
    np.testing.assert_allclose(loss.item(), ((out - y.numpy()) ** 2).mean(), **F32)


# --- 2. class-probability targets for cross_entropy ------------------------------------------

def probs(shape, axis, seed):
    e = np.exp(rng(seed).standard_normal(shape))
    return e / e.sum(axis=axis, keepdims=True)


SHAPES = [(5, 4), (2, 4, 3, 2), (4,)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=["NC", "NCdd", "C"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ls", [0.0, 0.3])
def test_cross_entropy_probability_targets(dtype, shape, reduction, weighted, ls):
    cax = 0 if len(shape) == 1 else 1
    x = (rng(1).standard_normal(shape) * 2).astype(dtype)
    y = probs(shape, cax, 2).astype(dtype)
    kw = dict(reduction=reduction, label_smoothing=ls)
    if weighted:
        w = rng(3).uniform(0.5, 2, shape[cax]).astype(dtype)
        run_both(lambda a, b, c: F.cross_entropy(a, b, weight=c, **kw), lambda a, b, c: TF.cross_entropy(a, b, weight=c, **kw),
                 [x, y, w], [True, True, True])
    else:
        run_both(lambda a, b: F.cross_entropy(a, b, **kw), lambda a, b: TF.cross_entropy(a, b, **kw), [x, y], [True, True])


def test_cross_entropy_probability_mean_divides_by_rows_not_weights():
    """torch's documented formula: with probabilities, 'mean' is the sum over N, weights or not."""
    x, y = rng(1).standard_normal((6, 3)), probs((6, 3), 1, 2)
    w = np.array([0.2, 1.0, 5.0])
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    expected = -(w * y * logp).sum() / 6
    np.testing.assert_allclose(F.cross_entropy(rp.tensor(x), rp.tensor(y), weight=rp.tensor(w)).item(), expected, **F64)


@pytest.mark.parametrize("dx,dt", DT)
def test_cross_entropy_probability_targets_promote(dx, dt):
    x, y = rng(1).standard_normal((5, 4)).astype(dx), probs((5, 4), 1, 2).astype(dt)
    out = run_both(F.cross_entropy, TF.cross_entropy, [x, y], [True, True])
    assert out.dtype == np.float64


@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.25}, {"reduction": "none"}])
def test_cross_entropy_probability_gradcheck(kw):
    x = rp.tensor(rng(1).standard_normal((3, 4, 2)), requires_grad=True)
    y = rp.tensor(probs((3, 4, 2), 1, 2), requires_grad=True)
    w = rp.tensor(rng(3).uniform(0.5, 2, 4), requires_grad=True)
    assert gradcheck(lambda a, b, c: F.cross_entropy(a, b, weight=c, **kw), [x, y, w])
    assert gradcheck(lambda a, b: F.cross_entropy(a, b, **kw), [x, y])


def test_cross_entropy_loss_module_with_probabilities():
    x, y = rng(1).standard_normal((5, 3)), probs((5, 3), 1, 2)
    w = np.array([1.0, 2.0, 0.5])
    ours = nn.CrossEntropyLoss(weight=rp.tensor(w), label_smoothing=0.1)(rp.tensor(x), rp.tensor(y))
    ref = torch.nn.CrossEntropyLoss(weight=torch.tensor(w), label_smoothing=0.1)(torch.tensor(x), torch.tensor(y))
    np.testing.assert_allclose(ours.item(), ref.item(), **F64)


def test_cross_entropy_probability_empty_batch():
    for reduction in ["mean", "sum"]:
        ours = F.cross_entropy(rp.zeros(0, 3), rp.zeros(0, 3), reduction=reduction).item()
        ref = TF.cross_entropy(torch.zeros(0, 3), torch.zeros(0, 3), reduction=reduction).item()
        assert (np.isnan(ours) and np.isnan(ref)) or ours == ref


def test_cross_entropy_probability_errors_match_torch():
    x, y = torch.randn(4, 3), torch.softmax(torch.randn(4, 3), 1)
    X, Y = rp.tensor(x.numpy()), rp.tensor(y.numpy())
    for ii in [0, 2]:
        with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
            TF.cross_entropy(x, y, ignore_index=ii)
        with pytest.raises(RuntimeError, match="cross_entropy: ignore_index is not supported for floating point target"):
            F.cross_entropy(X, Y, ignore_index=ii)
    with pytest.raises(RuntimeError, match="Expected floating point type for target with class probabilities, got Long"):
        TF.cross_entropy(x, torch.zeros(4, 3, dtype=torch.long))
    with pytest.raises(TypeError, match="cross_entropy: expected floating point type for target with class "
                                        "probabilities, got int64"):
        F.cross_entropy(X, rp.tensor(np.zeros((4, 3), np.int64)))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 3 classes or no classes"):
        TF.cross_entropy(x, y, weight=torch.ones(4))
    with pytest.raises(ValueError, match=r"cross_entropy: weight tensor should be defined either for all 3 "
                                         r"classes .*\[4\]"):
        F.cross_entropy(X, Y, weight=rp.ones(4))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(X, Y, label_smoothing=1.5)
    with pytest.raises(TypeError, match=r"cross_entropy: expected target to hold integer class indices "
                                        r".*float32 of shape \(4,\)"):
        F.cross_entropy(X, rp.zeros(4))


# --- 3. torch's size-mismatch warning -------------------------------------------------------

MSG = (r"Using a target size \(torch\.Size\(\[8\]\)\) that is different to the input size \(torch\.Size\(\[8, 1\]\)\)\. "
       r"This will likely lead to incorrect results due to broadcasting\. Please ensure they have the same size\.")


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_size_mismatch_warns_like_torch(name):
    x, t = rng(1).standard_normal((8, 1)).astype(np.float32), rng(2).standard_normal(8).astype(np.float32)
    with pytest.warns(UserWarning, match=MSG) as ours:
        out = getattr(F, name)(rp.tensor(x), rp.tensor(t))
    with pytest.warns(UserWarning) as theirs:
        ref = getattr(TF, name)(torch.tensor(x), torch.tensor(t))
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__  # points at the caller, as torch's stacklevel=2 does
    np.testing.assert_allclose(out.item(), ref.item(), **F32)  # the broadcast (8, 8) result, as torch


@pytest.mark.parametrize("module", ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"])
def test_loss_modules_warn_and_same_shapes_do_not(module):
    with pytest.warns(UserWarning, match=MSG):
        getattr(nn, module)()(rp.randn(8, 1), rp.randn(8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(nn, module)()(rp.randn(8, 1), rp.randn(8, 1))


def test_binary_cross_entropies_reject_size_mismatch_with_torchs_text():
    p, t = rp.full((8, 1), 0.5), rp.full((8,), 0.5)
    with pytest.raises(ValueError, match=r"Using a target size \(torch\.Size\(\[8\]\)\) that is different to the input "
                                         r"size \(torch\.Size\(\[8, 1\]\)\) is deprecated"):
        F.binary_cross_entropy(p, t)
    with pytest.raises(ValueError, match=r"Target size \(torch\.Size\(\[8\]\)\) must be the same as input size "
                                         r"\(torch\.Size\(\[8, 1\]\)\)"):
        F.binary_cross_entropy_with_logits(p, t)


# --- 4. kl_div / KLDivLoss ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(dtype, reduction, log_target):
    x = np.log(probs((4, 5), 1, 1)).astype(dtype)
    t = probs((4, 5), 1, 2)
    t[0, 1] = 0.0  # 0 log 0 = 0
    t = (np.log(np.maximum(t, 1e-30)) if log_target else t).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'mean' warns (tested below)
        run_both(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                 lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
                 [x, t], [True, log_target])  # a probability target's gradient is NaN at t == 0 (tested below)


def test_kl_div_target_gradient_and_zero_targets():
    x = np.log(probs((3, 4), 1, 1))
    t = probs((3, 4), 1, 2)
    t[1, 2] = 0.0
    a, at = pair(x, True)
    b, bt = pair(t, True)
    F.kl_div(a, b, reduction="sum").backward()
    TF.kl_div(at, bt, reduction="sum").backward()
    np.testing.assert_allclose(b.grad.numpy(), bt.grad.numpy(), equal_nan=True, **F64)
    assert np.isnan(b.grad.numpy()[1, 2])  # torch's xlogy derivative at 0
    np.testing.assert_allclose(a.grad.numpy(), at.grad.numpy(), **F64)


@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["batchmean", "none"])
def test_kl_div_gradcheck(log_target, reduction):
    x = rp.tensor(np.log(probs((3, 4), 1, 1)), requires_grad=True)
    t = probs((3, 4), 1, 2)
    t = rp.tensor(np.log(t) if log_target else t, requires_grad=True)
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target), [x, t])


@pytest.mark.parametrize("dx,dt", DT)
def test_kl_div_promotes(dx, dt):
    x, t = np.log(probs((4, 5), 1, 1)).astype(dx), probs((4, 5), 1, 2).astype(dt)
    out = run_both(lambda a, b: F.kl_div(a, b, reduction="batchmean"), lambda a, b: TF.kl_div(a, b, reduction="batchmean"),
                   [x, t], [True, True])
    assert out.dtype == np.float64


def test_kl_div_warnings_and_errors():
    x, t = rp.tensor(np.log(probs((4, 5), 1, 1))), rp.tensor(probs((4, 5), 1, 2))
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss by both the batch size"):
        F.kl_div(x, t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(x, t, reduction="batchmean")
    with pytest.raises(ValueError, match="kl_div: 'avg' is not a valid value for reduction"):
        F.kl_div(x, t, reduction="avg")
    with pytest.raises(RuntimeError, match="Integral inputs not supported"):
        TF.kl_div(torch.zeros(3), torch.zeros(3, dtype=torch.long), reduction="sum")
    with pytest.raises(TypeError, match="kl_div: Integral inputs not supported"):
        F.kl_div(rp.zeros(3), rp.tensor(np.zeros(3, np.int64)), reduction="sum")
    # a 0-d input: 'batchmean' is the sum, as in torch
    ours = F.kl_div(rp.tensor(0.3), rp.tensor(0.2), reduction="batchmean").item()
    np.testing.assert_allclose(ours, TF.kl_div(torch.tensor(0.3), torch.tensor(0.2), reduction="batchmean").item(), **F32)


@pytest.mark.parametrize("kw", [{"reduction": "batchmean"}, {"reduction": "sum", "log_target": True}, {}])
def test_kl_div_loss_module(kw):
    x, t = np.log(probs((4, 5), 1, 1)), probs((4, 5), 1, 2)
    if kw.get("log_target"):
        t = np.log(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = nn.KLDivLoss(**kw)(rp.tensor(x), rp.tensor(t))
        ref = torch.nn.KLDivLoss(**kw)(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(ours.item(), ref.item(), **F64)
    assert nn.KLDivLoss(**kw).reduction == torch.nn.KLDivLoss(**kw).reduction
