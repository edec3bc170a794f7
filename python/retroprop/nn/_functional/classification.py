"""Class-index losses: cross_entropy (fused softmax + cross-entropy in C++) and nll_loss.

Inputs are (N, C), (C,) or (N, C, d1, ...) with class indices of shape (N,), () or (N, d1, ...),
as torch defines them; extra dims are moved behind the batch so the kernels see [rows, C].
"""
import numpy as np

from ... import _alloc, _core
from ..._tensor import Tensor
from ...autograd.engine import record
from ._common import FLOATS, REDUCTIONS, contiguous, float_tensor, reduction_code, same_dtype


class TargetOutOfRange(IndexError, ValueError):
    """A class index outside [0, C) that is not ignore_index (an IndexError as in torch, and a ValueError)."""


_INT64 = np.dtype(np.int64)


def _same(a):
    return a


def _class_args(input, target, weight, fn):
    """(logits as [rows, C], targets as int64 [rows], weight array, restore(shape-fn)) after the checks."""
    float_tensor(input, fn)
    if not isinstance(target, Tensor):
        raise TypeError(f"{fn}: expected target to be a Tensor of class indices, got {type(target).__name__}")
    if target._data.dtype.kind not in "iu":
        raise TypeError(f"{fn}: expected target to hold integer class indices (int64), got {target._data.dtype}; "
                        f"class probabilities are not supported")
    x, t = input._data, target._data
    if x.ndim == 0:
        raise ValueError(f"{fn}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a 0-dimensional tensor")
    if x.ndim == 1:
        expected = ()
    else:
        expected = (x.shape[0],) + x.shape[2:]
    if t.shape != expected:
        if x.ndim >= 2 and (t.ndim == 0 or t.shape[0] != x.shape[0]):
            raise ValueError(f"{fn}: expected input batch_size ({x.shape[0]}) to match target batch_size "
                             f"({t.shape[0] if t.ndim else 'a 0-d target'}); input {tuple(x.shape)}, target {tuple(t.shape)}")
        raise ValueError(f"{fn}: expected target of shape {expected} for input of shape {tuple(x.shape)}, got {tuple(t.shape)}")
    C = x.shape[-1] if x.ndim == 1 else x.shape[1]
    w = None
    if weight is not None:
        float_tensor(weight, fn, "weight")
        same_dtype(fn, input=input, weight=weight)
        if weight.shape != (C,):
            raise ValueError(f"{fn}: expected weight of shape ({C},) for {C} classes, got {tuple(weight.shape)}")
        w = contiguous(weight._data)
    if x.ndim <= 2:
        x2 = contiguous(x.reshape(1, -1) if x.ndim == 1 else x)
        restore = lambda a: a.reshape(x.shape)  # noqa: E731
    else:
        moved = np.moveaxis(x, 1, -1)
        x2 = np.ascontiguousarray(moved).reshape(-1, C)
        restore = lambda a: np.moveaxis(a.reshape(moved.shape), -1, 1)  # noqa: E731
    t2 = t.reshape(-1)
    if t2.dtype != np.int64 or not t2.flags.c_contiguous:
        t2 = np.ascontiguousarray(t2, dtype=np.int64)
    return x2, t2, w, restore, expected


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """torch.nn.functional.cross_entropy for class indices: log_softmax + nll_loss (+ label
    smoothing) fused in one C++ pass per direction. A target out of range (and not ignore_index)
    raises before any loss is computed."""
    fn = "cross_entropy"
    red = REDUCTIONS.get(reduction) if size_average is None and reduce is None and isinstance(reduction, str) else None
    if red is None:
        red = reduction_code(reduction, fn, size_average, reduce)
    try:  # the common case ((N, C) float logits, (N,) int64 targets, no weight) checked in one expression
        x2, t2 = input._data, target._data
        dt = x2.dtype
        fast = (weight is None and x2.ndim == 2 and t2.ndim == 1 and t2.shape[0] == x2.shape[0] and t2.dtype is _INT64
                and (dt is FLOATS[0] or dt is FLOATS[1]) and x2.flags.c_contiguous and t2.flags.c_contiguous)
    except AttributeError:
        fast = False
    if fast:
        w, restore, tshape = None, _same, t2.shape
    else:
        x2, t2, w, restore, tshape = _class_args(input, target, weight, fn)
    ls = float(label_smoothing)
    if not 0.0 <= ls <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    try:
        loss, lse, denom = _core.cross_entropy_forward(x2, t2, w, int(ignore_index), ls, red)
    except ValueError as e:
        raise TargetOutOfRange(f"{e} (input {tuple(input.shape)}, target {tuple(target.shape)})") from None
    out = Tensor._wrap(loss if red else loss.reshape(tshape))
    if not (input.requires_grad or (weight is not None and weight.requires_grad)):
        return out
    scale = (1.0 / denom if denom else 0.0) if red == 1 else 1.0  # no target left: every row's gradient is 0

    def backward(g):
        dx = _alloc.empty_like(x2)
        g = g.reshape(()) if red else contiguous(g.reshape(-1))
        _core.cross_entropy_backward(g, x2, lse, t2, w, int(ignore_index), ls, scale, dx)
        return (restore(dx),)

    return record(out, (input,), backward, "CrossEntropyLossBackward0", saved=(input,))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """torch.nn.functional.nll_loss: -weight[t] * input[n, t], from log-probabilities."""
    fn = "nll_loss"
    red = reduction_code(reduction, fn, size_average, reduce)
    x2, t2, w, restore, tshape = _class_args(input, target, weight, fn)
    C = x2.shape[1]
    keep = t2 != ignore_index
    bad = keep & ((t2 < 0) | (t2 >= C))
    if bad.any():
        raise TargetOutOfRange(f"{fn}: target {int(t2[bad][0])} is out of bounds for {C} classes "
                               f"(input {tuple(input.shape)}, target {tuple(target.shape)})")
    rows = np.nonzero(keep)[0]
    tk = t2[rows]
    wk = np.ones(len(rows), dtype=x2.dtype) if w is None else w[tk]
    per = np.zeros(len(t2), dtype=x2.dtype)
    per[rows] = -wk * x2[rows, tk]
    denom = wk.sum(dtype=np.float64)
    if red == 0:
        value = per.reshape(tshape)
    else:
        value = np.asarray(per.sum(dtype=np.float64) / (denom if red == 1 else 1.0), dtype=x2.dtype)
    out = Tensor._wrap(value)

    def backward(g):
        gr = np.broadcast_to(g.reshape(-1), t2.shape)[rows] if red == 0 else g.reshape(()) / (denom if red == 1 else 1.0)
        dx = np.zeros_like(x2)
        dx[rows, tk] = -wk * gr
        return (restore(dx),)

    return record(out, (input,), backward, "NllLossBackward0")
