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
        raise TypeError(f"{fn}: expected target to hold integer class indices (int64), got {target._data.dtype} "
                        f"of shape {tuple(target.shape)}; a float target holds class probabilities only when it has "
                        f"the input's shape {tuple(input.shape)}" + ("" if fn == "cross_entropy" else
                                                                      f" (which {fn} does not accept)"))
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
    """torch.nn.functional.cross_entropy. Class indices: log_softmax + nll_loss (+ label
    smoothing) fused in one C++ pass per direction; a target out of range (and not ignore_index)
    raises before any loss is computed. A float target of the input's shape holds class
    probabilities (see _prob_cross_entropy)."""
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
    ls = float(label_smoothing)
    if not 0.0 <= ls <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    if fast:
        w, restore, tshape = None, _same, t2.shape
    elif isinstance(input, Tensor) and isinstance(target, Tensor) and input.ndim and input.shape == target.shape:
        return _prob_cross_entropy(input, target, weight, ignore_index, red, ls)
    else:
        x2, t2, w, restore, tshape = _class_args(input, target, weight, fn)
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


def _prob_cross_entropy(input, target, weight, ignore_index, red, ls):
    """cross_entropy with class-probability targets y, as torch defines it: with
    y' = (1 - label_smoothing) y + label_smoothing / C, loss_n = -sum_c w_c y'_nc log_softmax(x)_nc;
    'mean' divides the sum by the number of rows N (times d1 ...), not by a weight sum. Input,
    target and weight promote to one result dtype (torch's rule for float32 and float64); the
    target and weight get gradients too (a soft target may come from a network)."""
    fn = "cross_entropy"
    x, y = input._data, target._data
    float_tensor(input, fn)
    if y.dtype.kind != "f":
        raise TypeError(f"{fn}: expected floating point type for target with class probabilities, got {y.dtype} "
                        f"(input {tuple(input.shape)}, target {tuple(target.shape)})")
    if ignore_index >= 0:
        raise RuntimeError(f"{fn}: ignore_index is not supported for floating point target "
                           f"(class probabilities; got ignore_index={ignore_index})")
    cax = 0 if x.ndim == 1 else 1
    C = x.shape[cax]
    parents, dtypes = [input, target], [x.dtype, y.dtype]
    wb = None
    if weight is not None:
        if not isinstance(weight, Tensor) or weight.ndim != 1 or weight.shape[0] != C:
            shape = list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
            raise ValueError(f"{fn}: weight tensor should be defined either for all {C} classes or no classes but got "
                             f"weight tensor of shape: {shape}")
        float_tensor(weight, fn, "weight")
        parents.append(weight)
        dtypes.append(weight._data.dtype)
        wb = weight._data.reshape((C,) + (1,) * (x.ndim - 1 - cax)) if x.ndim > 1 else weight._data
    dtype = np.result_type(*dtypes)
    if dtype not in FLOATS:
        raise TypeError(f"{fn}: expected float32 or float64 tensors, got " + ", ".join(str(d) for d in dtypes))
    z = x - x.max(axis=cax, keepdims=True) if x.size else x
    with np.errstate(divide="ignore"):
        logp = z - np.log(np.exp(z).sum(axis=cax, keepdims=True))
    yy = y * (1 - ls) + ls / C if ls > 0 else y
    a = yy if wb is None else yy * wb  # the weighted soft target
    prod = logp * a
    n = x.size // C if C else 0  # rows: N * d1 * ...
    if red == 0:
        value = -prod.sum(axis=cax)
    else:
        total = -prod.sum(dtype=np.float64)
        value = total if red == 2 else (total / n if n else np.nan)
    out = Tensor._wrap(np.asarray(value, dtype=dtype))

    def backward(g):
        gg = np.expand_dims(g, cax) if red == 0 else (g / n if red == 1 else g)
        dx = dy = dw = None
        if input.requires_grad:
            dx = (gg * (np.exp(logp) * a.sum(axis=cax, keepdims=True) - a)).astype(x.dtype, copy=False)
        if target.requires_grad:
            d = -gg * logp if wb is None else -gg * logp * wb
            dy = (d * (1 - ls) if ls else d).astype(y.dtype, copy=False)
            dy = np.broadcast_to(dy, y.shape) if dy.shape != y.shape else dy
        if wb is not None and weight.requires_grad:
            d = -gg * logp * yy
            dw = d.sum(axis=tuple(i for i in range(d.ndim) if i != cax)).astype(weight._data.dtype, copy=False)
        return (dx, dy, dw)[:len(parents)]

    return record(out, tuple(parents), backward, "CrossEntropyLossBackward0", saved=tuple(parents))
