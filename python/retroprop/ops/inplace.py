"""In-place operations (add_, mul_, fill_, __setitem__, ...) under autograd's rules.

- On a leaf that requires grad they are allowed only under no_grad (torch's RuntimeError).
- Every one bumps `_version`, so a backward that saved the tensor raises instead of being wrong.
- Outside the graph they write straight into the buffer (np.<ufunc>(..., out=)): the path
  optimizers and nn.init take.
- When the graph is involved (the tensor is a non-leaf that requires grad, or the other
  operand requires grad) the op is recorded out of place against a snapshot of the old value,
  the result written back into the buffer, and the tensor's node replaced (torch's rebase).
"""
import numpy as np

from .._tensor import Tensor
from ..autograd.engine import record
from ..autograd.grad_mode import is_grad_enabled
from .. import _random
from . import arithmetic, indexing, pointwise
from ._util import unbroadcast

_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_NODES = {"SelectBackward0", "SliceBackward0", "ViewBackward0", "TransposeBackward0", "PermuteBackward0",
               "SqueezeBackward0", "UnsqueezeBackward0", "ExpandBackward0"}


def _graph_involved(t, other):
    """Whether the write must be recorded; raises for a leaf that requires grad (as torch)."""
    if not is_grad_enabled():
        return False
    if t.requires_grad and t._node is None:
        raise RuntimeError(_LEAF)
    return t.requires_grad or (isinstance(other, Tensor) and other.requires_grad)


def _rebase(t, fn, *args):
    """Record fn(old value of t, *args) and make t hold the result with that history."""
    if t._node is not None and t._node.name in _VIEW_NODES:
        raise RuntimeError(f"in-place modification of a view ({t._node.name}) of a tensor that requires grad is not "
                           f"supported by retroprop; use an out-of-place operation or clone() the view first")
    old = Tensor._wrap(t._data.copy())
    old._node, old.requires_grad = t._node, t.requires_grad
    res = fn(old, *args)
    _write(t, res._data)
    t._node, t.requires_grad = res._node, res.requires_grad
    t._version += 1
    return t


def _write(t, data):
    if data.dtype.kind == "f" and t._data.dtype.kind != "f":
        raise RuntimeError(f"in-place operation: result type {data.dtype} can't be cast to the desired output type {t.dtype}")
    try:
        np.copyto(t._data, data, casting="unsafe")
    except ValueError:
        raise RuntimeError(f"in-place operation: output with shape {tuple(t.shape)} doesn't match the broadcast shape {data.shape}") from None


def _ufunc_(t, other, ufunc, op, fn):
    if _graph_involved(t, other):
        return _rebase(t, fn, other)
    y = other._data if isinstance(other, Tensor) else other
    try:
        ufunc(t._data, y, out=t._data)
    except TypeError:  # NumPy's casting error (UFuncTypeError)
        raise RuntimeError(f"{op}: result type of {t.dtype} and {getattr(y, 'dtype', type(y).__name__)} can't be cast "
                           f"to the desired output type {t.dtype}") from None
    except ValueError:
        raise RuntimeError(f"{op}: output with shape {tuple(t.shape)} doesn't match the broadcast shape "
                           f"{np.broadcast_shapes(t.shape, np.shape(y))}") from None
    t._version += 1
    return t


def add_(t, other, alpha=1):
    if alpha != 1:
        other = other * alpha
    return _ufunc_(t, other, np.add, "add_", arithmetic.add)


def sub_(t, other, alpha=1):
    if alpha != 1:
        other = other * alpha
    return _ufunc_(t, other, np.subtract, "sub_", arithmetic.sub)


def mul_(t, other):
    return _ufunc_(t, other, np.multiply, "mul_", arithmetic.mul)


def div_(t, other):
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"div_: result type Float can't be cast to the desired output type {t.dtype}")
    return _ufunc_(t, other, np.true_divide, "div_", arithmetic.div)


def pow_(t, exponent):
    return _ufunc_(t, exponent, np.power, "pow_", arithmetic.pow)


def neg_(t):
    return mul_(t, -1)


def clamp_(t, min=None, max=None):
    if _graph_involved(t, min if isinstance(min, Tensor) else max):
        return _rebase(t, pointwise.clamp, min, max)
    _write(t, pointwise.clamp(Tensor._wrap(t._data), min, max)._data)
    t._version += 1
    return t


clip_ = clamp_


def _overwrite(old, value):
    """The value of a fill/copy: old's shape and dtype, no gradient back to old."""
    v = value._data if isinstance(value, Tensor) else value
    data = np.array(np.broadcast_to(np.asarray(v, dtype=old.dtype), old.shape))
    if isinstance(value, Tensor):
        shape = value.shape
        return record(Tensor._wrap(data), (old, value), lambda g: (None, unbroadcast(g, shape)), "CopyBackwards")
    return record(Tensor._wrap(data), (old,), lambda g: (None,), "FillBackward0")


def copy_(t, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_: expected a Tensor as the source, got {type(src).__name__}")
    try:
        fits = np.broadcast_shapes(src.shape, t.shape) == t.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"copy_: the source of shape {tuple(src.shape)} cannot be broadcast to the destination's "
                           f"shape {tuple(t.shape)}")
    if _graph_involved(t, src):
        return _rebase(t, _overwrite, src)
    np.copyto(t._data, src._data, casting="unsafe")
    t._version += 1
    return t


def fill_(t, value):
    if isinstance(value, Tensor):
        value = value.item()
    if _graph_involved(t, None):
        return _rebase(t, _overwrite, value)
    t._data.fill(value)
    t._version += 1
    return t


def zero_(t):
    return fill_(t, 0)


def _random_(t, draw):
    if _graph_involved(t, None):
        return _rebase(t, _overwrite, draw())
    t._data[...] = draw()
    t._version += 1
    return t


def normal_(t, mean=0.0, std=1.0, generator=None):
    rng = _random.numpy_rng(generator)
    return _random_(t, lambda: rng.normal(mean, std, t.shape))


def uniform_(t, a=0.0, b=1.0, generator=None):
    rng = _random.numpy_rng(generator)
    return _random_(t, lambda: rng.uniform(a, b, t.shape))


def setitem(t, idx, value):
    """t[idx] = value, in place."""
    if _graph_involved(t, value):
        return _rebase(t, indexing.index_put, idx, value)
    idx, _ = indexing.normalize_index(idx)
    v = value._data if isinstance(value, Tensor) else value
    try:
        t._data[idx] = v
    except ValueError as e:
        raise RuntimeError(f"setitem: cannot assign a value of shape {np.shape(v)} to the selection {idx!r} of a "
                           f"tensor of shape {tuple(t.shape)}: {e}") from None
    t._version += 1
    return t


def masked_fill_(t, mask, value):
    if _graph_involved(t, value):
        return _rebase(t, indexing.masked_fill, mask, value)
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    np.copyto(t._data, value._data if isinstance(value, Tensor) else value, where=m, casting="unsafe")
    t._version += 1
    return t


def _unary_(t, fn):
    """t[...] = fn(t) in place (fn an out-of-place op); a float result into an integer tensor raises."""
    if _graph_involved(t, None):
        return _rebase(t, fn)
    _write(t, fn(Tensor._wrap(t._data))._data)
    t._version += 1
    return t


def abs_(t):
    return _unary_(t, pointwise.abs)


def exp_(t):
    return _unary_(t, pointwise.exp)


def sqrt_(t):
    return _unary_(t, pointwise.sqrt)


def log_(t):
    return _unary_(t, pointwise.log)


def clamp_min_(t, min):
    return clamp_(t, min=min)


def clamp_max_(t, max):
    return clamp_(t, max=max)


def _indexed_(t, fn, other, *args, **kwargs):
    """t = fn(t, *args) in place, where `other` is the operand that may carry a gradient."""
    if _graph_involved(t, other):
        return _rebase(t, lambda old: fn(old, *args, **kwargs))
    _write(t, fn(Tensor._wrap(t._data), *args, **kwargs)._data)
    t._version += 1
    return t


def scatter_(t, dim, index, src=None, value=None, *, reduce=None):
    return _indexed_(t, indexing.scatter, src, dim, index, src, value, reduce=reduce)


def scatter_add_(t, dim, index, src):
    return _indexed_(t, indexing.scatter_add, src, dim, index, src)


def index_add_(t, dim, index, source, *, alpha=1):
    return _indexed_(t, indexing.index_add, source, dim, index, source, alpha=alpha)


def index_fill_(t, dim, index, value):
    return _indexed_(t, indexing.index_fill, value, dim, index, value)
