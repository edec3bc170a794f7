"""Element-wise losses (mse, l1, smooth_l1, huber, binary cross-entropy with and without
logits, kl_div): each one recorded operation whose forward and backward are NumPy expressions,
so a loss costs one graph node however many element-wise steps its formula has.

Mixed dtypes follow torch: mse/l1/smooth_l1/kl_div promote input and target (float32 output
with a float64 target is float64; an integer target takes the input's float dtype); huber_loss
computes in the input's dtype; binary_cross_entropy_with_logits returns the target's dtype;
binary_cross_entropy requires one dtype. Gradients reach each input in its own dtype."""
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.engine import record
from ._common import FLOATS, float_tensor, reduction_code, same_dtype


def _size(shape):
    return f"torch.Size({list(shape)})"


def _tensor(x, fn, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: expected {name} to be a Tensor, got {type(x).__name__}")
    return x._data


def _check_broadcast(fn, x, t):
    try:
        return np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        raise ValueError(f"{fn}: input of shape {tuple(x.shape)} and target of shape {tuple(t.shape)} "
                         f"cannot be broadcast together") from None


def _promote(fn, x, t, bool_ok=True):
    """torch's result dtype for a loss of arrays x and t, with t (or x) cast to it when it is not
    a float array (NumPy would turn float32 - int64 into float64; torch keeps float32). Equal
    float dtypes, the common case, return the arrays untouched."""
    dx, dt = x.dtype, t.dtype
    if dx == dt and dx in FLOATS:
        return x, t, dx
    if not bool_ok and (dx.kind == "b" or dt.kind == "b"):
        raise TypeError(f"{fn}: subtraction with a bool tensor is not supported (input {dx}, target {dt})")
    floats = [d for d in (dx, dt) if d.kind == "f"]
    res = np.result_type(*floats) if floats else None
    if res is None or res not in FLOATS:  # (a dtype compares equal to None: float64)
        raise TypeError(f"{fn}: expected float32 or float64 input or target, got input {dx} and target {dt}")
    if dx.kind != "f":
        x = x.astype(res)
    if dt.kind != "f":
        t = t.astype(res)
    return x, t, res


def _pair(input, target, fn, warn=True, bool_ok=True):
    """(input array, target array, result dtype) for the regression losses, warning as torch
    does when the sizes differ (the classic (N, 1) output against an (N,) target)."""
    x, t = _tensor(input, fn, "input"), _tensor(target, fn, "target")
    if warn and x.shape != t.shape:
        warnings.warn(f"Using a target size ({_size(t.shape)}) that is different to the input size "
                      f"({_size(x.shape)}). This will likely lead to incorrect results due to broadcasting. "
                      f"Please ensure they have the same size.", stacklevel=3)
    x, t, dtype = _promote(fn, x, t, bool_ok)
    if x.shape != t.shape:
        _check_broadcast(fn, x, t)
    return x, t, dtype


def _unbroadcast(g, shape):
    if g.shape == shape:
        return g
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return (g.sum(axis=axes, keepdims=True) if axes else g).reshape(shape)


def _loss(name, parents, per_elem, grads, red, dtype, w=None, mean_by_weight=False, n=None):
    """Reduce `per_elem` (array; times the element weights w when given) to a `dtype` result and
    record a node whose backward scales the element-wise derivatives grads() -> tuple (one array
    per parent, or None) by the weights and the upstream gradient; each gradient is returned in
    its parent's dtype. torch's weighted mse_loss and l1_loss divide their mean by the sum of the
    weights (mean_by_weight); its other losses by the element count (or `n` when given)."""
    if w is not None:
        per_elem = per_elem * w
    if n is None:
        n = w.sum(dtype=np.float64) if (w is not None and mean_by_weight) else per_elem.size
    if red == 0:
        value = per_elem
    elif red == 2:
        value = per_elem.sum(dtype=np.float64)
    else:
        value = per_elem.sum(dtype=np.float64) / n if n else np.nan
    out = Tensor._wrap(np.asarray(value, dtype=dtype))

    def backward(g):
        scale = g if red == 0 else (g / n if red == 1 else g)
        if w is not None:
            scale = scale * w
        res = []
        for p, d in zip(parents, grads(parents)):
            if d is None:
                res.append(None)
                continue
            pd = p._data.dtype
            res.append(_unbroadcast((d * scale).astype(pd if pd.kind == "f" else dtype, copy=False), p._data.shape))
        return tuple(res)

    return record(out, parents, backward, name)


def _needs(t):
    return t.requires_grad


def _elem_weight(weight, input, fn, dtype):
    """torch's `weight` of mse_loss / l1_loss / huber_loss: the input's size exactly; a float weight
    joins the type promotion, an integer one takes the result's dtype. -> (array or None, dtype)."""
    if weight is None:
        return None, dtype
    w = _tensor(weight, fn, "weight")
    if w.shape != input.shape:
        raise ValueError(f"{fn}: Weights and input must have the same size (weight {tuple(w.shape)}, "
                         f"input {tuple(input.shape)}).")
    if w.dtype.kind == "f":
        dtype = np.result_type(dtype, w.dtype)
        if dtype not in FLOATS:
            raise TypeError(f"{fn}: expected weight to be float32 or float64, got {w.dtype}")
        return w, dtype
    return w.astype(dtype), dtype


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    x, t, dtype = _pair(input, target, "mse_loss")
    w, dtype = _elem_weight(weight, input, "mse_loss", dtype)
    red = reduction_code(reduction, "mse_loss", size_average, reduce)
    diff = x - t
    grads = lambda ps: (2 * diff if _needs(ps[0]) else None, -2 * diff if _needs(ps[1]) else None)  # noqa: E731
    return _loss("MseLossBackward0", (input, target), diff * diff, grads, red, dtype, w, True)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    x, t, dtype = _pair(input, target, "l1_loss", bool_ok=False)
    w, dtype = _elem_weight(weight, input, "l1_loss", dtype)
    red = reduction_code(reduction, "l1_loss", size_average, reduce)
    diff = x - t
    grads = lambda ps: (np.sign(diff) if _needs(ps[0]) else None, -np.sign(diff) if _needs(ps[1]) else None)  # noqa: E731
    return _loss("L1LossBackward0", (input, target), np.abs(diff), grads, red, dtype, w, True)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (l1 when beta == 0)."""
    x, t, dtype = _pair(input, target, "smooth_l1_loss")
    red = reduction_code(reduction, "smooth_l1_loss", size_average, reduce)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    d = x - t
    ad = np.abs(d)
    if beta == 0:
        per, deriv = ad, np.sign(d)
    else:
        small = ad < beta
        per = np.where(small, 0.5 * d * d / beta, ad - 0.5 * beta)
        deriv = np.where(small, d / beta, np.sign(d))
    grads = lambda ps: (deriv if _needs(ps[0]) else None, -deriv if _needs(ps[1]) else None)  # noqa: E731
    return _loss("SmoothL1LossBackward0", (input, target), per, grads, red, dtype)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta). As in torch the loss has the
    input's dtype whatever the target's (torch's backward then fails on mixed dtypes; here each
    input gets its gradient in its own dtype)."""
    fn = "huber_loss"
    x, t = _tensor(input, fn, "input"), _tensor(target, fn, "target")
    if x.shape != t.shape:
        warnings.warn(f"Using a target size ({_size(t.shape)}) that is different to the input size "
                      f"({_size(x.shape)}). This will likely lead to incorrect results due to broadcasting. "
                      f"Please ensure they have the same size.", stacklevel=2)
    float_tensor(input, fn)
    dtype = x.dtype
    if t.dtype != dtype:
        if t.dtype.kind not in "fiub":
            raise TypeError(f"{fn}: expected a numeric target, got {t.dtype}")
        t = t.astype(dtype)
    if x.shape != t.shape:
        _check_broadcast(fn, x, t)
    w, dtype = _elem_weight(weight, input, fn, dtype)
    red = reduction_code(reduction, fn)
    if delta <= 0:
        raise ValueError(f"{fn}: delta must be positive, got {delta}")
    d = x - t
    ad = np.abs(d)
    small = ad < delta
    per = np.where(small, 0.5 * d * d, delta * (ad - 0.5 * delta))
    deriv = np.where(small, d, delta * np.sign(d))
    grads = lambda ps: (deriv if _needs(ps[0]) else None, -deriv if _needs(ps[1]) else None)  # noqa: E731
    return _loss("HuberLossBackward0", (input, target), per, grads, red, dtype, w)


def _weight(weight, shape, fn):
    """A weight broadcastable to `shape` (binary cross-entropies) -> its array or None."""
    if weight is None:
        return None
    w = _tensor(weight, fn, "weight")
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ValueError(f"{fn}: weight of shape {tuple(w.shape)} cannot be broadcast to input {tuple(shape)}") from None
    return w


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w (t log x + (1 - t) log(1 - x)), logs clamped at -100 as torch does. Input and target
    must share one dtype (torch does not promote here either)."""
    fn = "binary_cross_entropy"
    float_tensor(input, fn)
    float_tensor(target, fn, "target")
    same_dtype(fn, input=input, target=target)
    x, t = input._data, target._data
    if input.shape != target.shape:
        raise ValueError(f"{fn}: Using a target size ({_size(target.shape)}) that is different to the input size "
                         f"({_size(input.shape)}) is deprecated. Please ensure they have the same size.")
    red = reduction_code(reduction, fn, size_average, reduce)
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"{fn}: all elements of input should be between 0 and 1 (input {tuple(input.shape)})")
    w = _weight(weight, x.shape, fn)
    if w is not None and w.dtype != x.dtype:
        w = w.astype(x.dtype)  # torch: the weight takes the input's dtype
    with np.errstate(divide="ignore"):
        logx, log1mx = np.maximum(np.log(x), -100), np.maximum(np.log1p(-x), -100)
    per = -(t * logx + (1 - t) * log1mx)

    def grads(ps):
        dx = (x - t) / np.maximum((1 - x) * x, 1e-12) if _needs(ps[0]) else None
        dt = log1mx - logx if _needs(ps[1]) else None
        return dx, dt

    return _loss("BinaryCrossEntropyBackward0", (input, target), per, grads, red, x.dtype, w)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Sigmoid + binary cross-entropy, stable form:
    (1 - t) x + (1 + (pos_weight - 1) t) softplus(-x), times weight.
    The loss has the target's dtype, as in torch (whose result is built in place from 1 - target);
    weights of any numeric dtype scale it without changing that."""
    fn = "binary_cross_entropy_with_logits"
    float_tensor(input, fn)
    x, t = input._data, _tensor(target, fn, "target")
    if input.shape != target.shape:
        raise ValueError(f"{fn}: Target size ({_size(target.shape)}) must be the same as input size "
                         f"({_size(input.shape)})")
    dtype = t.dtype
    if dtype not in FLOATS:
        raise TypeError(f"{fn}: expected target to be float32 or float64 (the loss takes its dtype), got {dtype}")
    red = reduction_code(reduction, fn, size_average, reduce)
    w = _weight(weight, x.shape, fn)
    pw = _weight(pos_weight, x.shape, fn)
    if w is not None and w.dtype.kind != "f":
        w = w.astype(dtype)
    if pw is not None and pw.dtype.kind != "f":
        pw = pw.astype(dtype)
    sp = np.logaddexp(0, -x)  # softplus(-x) = log(1 + exp(-x)), stable
    lw = 1 if pw is None else 1 + (pw - 1) * t
    per = (1 - t) * x + lw * sp

    def grads(ps):
        sig_neg = np.exp(-np.logaddexp(0, x))  # sigmoid(-x)
        dx = (1 - t) - lw * sig_neg if _needs(ps[0]) else None
        dt = -x + (0 if pw is None else (pw - 1) * sp) if _needs(ps[1]) else None
        return dx, dt

    return _loss("BinaryCrossEntropyWithLogitsBackward0", (input, target), per, grads, red, dtype, w)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """torch.nn.functional.kl_div: target (log q when log_target) against log-probabilities input,
    per element t (log t - x) with 0 log 0 = 0, or exp(t) (t - x) for log targets. 'batchmean'
    divides the sum by the batch size (input.size(0)); 'mean', which divides by the element
    count, warns as in torch."""
    fn = "kl_div"
    x, t = _tensor(input, fn, "input"), _tensor(target, fn, "target")
    if x.dtype.kind != "f" or t.dtype.kind != "f":
        raise TypeError(f"{fn}: Integral inputs not supported (input {x.dtype}, target {t.dtype})")
    x, t, dtype = _promote(fn, x, t)
    if x.shape != t.shape:
        _check_broadcast(fn, x, t)
    if size_average is not None or reduce is not None:
        red = reduction_code(None, fn, size_average, reduce)
        n = None
    elif reduction == "batchmean":
        red, n = 1, (x.shape[0] if x.ndim else 1)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"{fn}: {reduction!r} is not a valid value for reduction "
                             f"(expected 'none', 'batchmean', 'sum' or 'mean')")
        red, n = reduction_code(reduction, fn), None
    with np.errstate(divide="ignore", invalid="ignore"):
        if log_target:
            et = np.exp(t)
            per = et * (t - x)
        else:
            logt = np.where(t < 0, np.nan, np.log(np.where(t > 0, t, 1)))  # 0 at t == 0: 0 log 0 = 0
            per = t * logt - t * x

    def grads(ps):
        with np.errstate(divide="ignore", invalid="ignore"):
            if log_target:
                dx = -et if _needs(ps[0]) else None
                dt = et * (t - x + 1) if _needs(ps[1]) else None
            else:
                dx = -t if _needs(ps[0]) else None
                dt = logt + t / t - x if _needs(ps[1]) else None  # t / t: torch's NaN at t == 0 (xlogy's d/dy)
        return (None if dx is None else np.broadcast_to(dx, per.shape),
                None if dt is None else np.broadcast_to(dt, per.shape))

    return _loss("KlDivBackward0", (input, target), per, grads, red, dtype, n=n)
