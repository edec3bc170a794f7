"""Element-wise losses (mse, l1, smooth_l1, huber, binary cross-entropy with and without
logits): each one recorded operation whose forward and backward are NumPy expressions, so a
loss costs one graph node however many element-wise steps its formula has."""
import numpy as np

from ..._tensor import Tensor
from ...autograd.engine import record
from ._common import float_tensor, reduction_code, same_dtype


def _pair(input, target, fn):
    float_tensor(input, fn)
    float_tensor(target, fn, "target")
    same_dtype(fn, input=input, target=target)
    if input.shape != target.shape:
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(f"{fn}: input of shape {tuple(input.shape)} and target of shape {tuple(target.shape)} "
                             f"cannot be broadcast together") from None
    return input._data, target._data


def _unbroadcast(g, shape):
    if g.shape == shape:
        return g
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return (g.sum(axis=axes, keepdims=True) if axes else g).reshape(shape)


def _loss(name, parents, per_elem, grads, red, dtype, w=None, mean_by_weight=False):
    """Reduce `per_elem` (array; times the element weights w when given) and record a node whose
    backward scales the element-wise derivatives grads() -> tuple (one array per parent, or None)
    by the weights and the upstream gradient. torch's weighted mse_loss and l1_loss divide their
    mean by the sum of the weights (mean_by_weight); its other losses by the element count."""
    if w is not None:
        per_elem = per_elem * w
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
        return tuple(None if d is None else _unbroadcast((d * scale).astype(dtype, copy=False), p.shape)
                     for p, d in zip(parents, grads(parents)))

    return record(out, parents, backward, name)


def _needs(t):
    return t.requires_grad


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    x, t = _pair(input, target, "mse_loss")
    w = _weight(weight, np.broadcast_shapes(x.shape, t.shape), "mse_loss", input)
    red = reduction_code(reduction, "mse_loss", size_average, reduce)
    diff = x - t
    grads = lambda ps: (2 * diff if _needs(ps[0]) else None, -2 * diff if _needs(ps[1]) else None)  # noqa: E731
    return _loss("MseLossBackward0", (input, target), diff * diff, grads, red, x.dtype, w, True)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    x, t = _pair(input, target, "l1_loss")
    w = _weight(weight, np.broadcast_shapes(x.shape, t.shape), "l1_loss", input)
    red = reduction_code(reduction, "l1_loss", size_average, reduce)
    diff = x - t
    grads = lambda ps: (np.sign(diff) if _needs(ps[0]) else None, -np.sign(diff) if _needs(ps[1]) else None)  # noqa: E731
    return _loss("L1LossBackward0", (input, target), np.abs(diff), grads, red, x.dtype, w, True)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (l1 when beta == 0)."""
    x, t = _pair(input, target, "smooth_l1_loss")
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
    return _loss("SmoothL1LossBackward0", (input, target), per, grads, red, x.dtype)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    x, t = _pair(input, target, "huber_loss")
    w = _weight(weight, np.broadcast_shapes(x.shape, t.shape), "huber_loss", input)
    red = reduction_code(reduction, "huber_loss")
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    d = x - t
    ad = np.abs(d)
    small = ad < delta
    per = np.where(small, 0.5 * d * d, delta * (ad - 0.5 * delta))
    deriv = np.where(small, d, delta * np.sign(d))
    grads = lambda ps: (deriv if _needs(ps[0]) else None, -deriv if _needs(ps[1]) else None)  # noqa: E731
    return _loss("HuberLossBackward0", (input, target), per, grads, red, x.dtype, w)


def _weight(weight, shape, fn, input):
    if weight is None:
        return None
    float_tensor(weight, fn, "weight")
    same_dtype(fn, input=input, weight=weight)
    try:
        np.broadcast_shapes(weight.shape, shape)
    except ValueError:
        raise ValueError(f"{fn}: weight of shape {tuple(weight.shape)} cannot be broadcast to input {tuple(shape)}") from None
    return weight._data


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w (t log x + (1 - t) log(1 - x)), logs clamped at -100 as torch does."""
    fn = "binary_cross_entropy"
    x, t = _pair(input, target, fn)
    if input.shape != target.shape:
        raise ValueError(f"{fn}: using a target size {tuple(target.shape)} that is different to the input size "
                         f"{tuple(input.shape)} is not supported")
    red = reduction_code(reduction, fn, size_average, reduce)
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"{fn}: all elements of input should be between 0 and 1 (input {tuple(input.shape)})")
    w = _weight(weight, x.shape, fn, input)
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
    (1 - t) x + (1 + (pos_weight - 1) t) softplus(-x), times weight."""
    fn = "binary_cross_entropy_with_logits"
    x, t = _pair(input, target, fn)
    if input.shape != target.shape:
        raise ValueError(f"{fn}: target size {tuple(target.shape)} must be the same as input size {tuple(input.shape)}")
    red = reduction_code(reduction, fn, size_average, reduce)
    w = _weight(weight, x.shape, fn, input)
    pw = _weight(pos_weight, x.shape, fn, input)
    sp = np.logaddexp(0, -x)  # softplus(-x) = log(1 + exp(-x)), stable
    lw = 1 if pw is None else 1 + (pw - 1) * t
    per = (1 - t) * x + lw * sp

    def grads(ps):
        sig_neg = np.exp(-np.logaddexp(0, x))  # sigmoid(-x)
        dx = (1 - t) - lw * sig_neg if _needs(ps[0]) else None
        dt = -x + (0 if pw is None else (pw - 1) * sp) if _needs(ps[1]) else None
        return dx, dt

    return _loss("BinaryCrossEntropyWithLogitsBackward0", (input, target), per, grads, red, x.dtype, w)
