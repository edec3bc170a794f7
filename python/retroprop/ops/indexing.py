"""Indexing (t[...]), gathering and masked writes, with their backward.

Basic indices (ints, slices, None, Ellipsis) give NumPy views, as torch gives views; integer
arrays/tensors and bool masks copy, and their backward adds with np.add.at so that repeated
indices accumulate.
"""
import numpy as np

from .._tensor import Tensor
from ..autograd.engine import record
from ._util import as_tensor, check_dim, unbroadcast

_BASIC = (int, slice, type(None), type(Ellipsis))


def _index_part(i):
    if isinstance(i, Tensor):
        if i._data.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return i._data
    if isinstance(i, list):
        arr = np.asarray(i)
        if arr.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return arr
    if isinstance(i, bool):
        return np.bool_(i)
    return i


def normalize_index(idx):
    """`idx` with Tensors and lists replaced by NumPy arrays, and whether it is basic (a view)."""
    if type(idx) is int or type(idx) is slice:
        return idx, True
    if isinstance(idx, tuple):
        parts = tuple(_index_part(i) for i in idx)
        return parts, all(isinstance(p, _BASIC) and not isinstance(p, bool) for p in parts)
    part = _index_part(idx)
    return part, isinstance(part, _BASIC) and not isinstance(part, bool)


def _take(x, idx, shape):
    try:
        return x[idx]
    except IndexError as e:
        raise IndexError(f"index {idx!r} is out of range for a tensor of shape {tuple(shape)}: {e}") from None


def getitem(a, idx):
    idx, basic = normalize_index(idx)
    x = a._data
    data = _take(x, idx, a.shape)
    shape, dtype = x.shape, x.dtype

    def backward(g):
        grad = np.zeros(shape, dtype=g.dtype)
        if basic:
            grad[idx] = g
        else:
            np.add.at(grad, idx, g)
        return (grad,)

    name = "SelectBackward0" if type(idx) is int else "SliceBackward0" if basic else "IndexBackward0"
    return record(Tensor._wrap(data), (a,), backward, name)


def index_put(a, idx, value):
    """A copy of `a` with a[idx] = value (out of place; __setitem__ builds on it)."""
    idx, basic = normalize_index(idx)
    v = as_tensor(value, "index_put")
    data = a._data.copy()
    try:
        data[idx] = v._data
    except ValueError:
        raise RuntimeError(f"index_put: shape mismatch: value tensor of shape {tuple(v.shape)} cannot be broadcast "
                           f"to indexing result of shape {tuple(data[idx].shape)}") from None
    vshape = v.shape

    def backward(g):
        ga = gv = None
        if a.requires_grad:
            ga = g.copy()
            ga[idx] = 0
        if v.requires_grad:
            gv = unbroadcast(g[idx], vshape)
        return ga, gv

    return record(Tensor._wrap(data), (a, v), backward, "IndexPutBackward0")


def masked_fill(a, mask, value):
    """a with value where mask holds (mask broadcasts against a)."""
    m = as_tensor(mask, "masked_fill")._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill: expected a bool mask, got {m.dtype}")
    v = value._data if isinstance(value, Tensor) else value
    data = np.where(m, np.asarray(v, dtype=a.dtype), a._data)
    if data.shape != a.shape:
        raise RuntimeError(f"masked_fill: mask of shape {m.shape} does not broadcast to the tensor's shape {tuple(a.shape)}")
    return record(Tensor._wrap(data), (a,), lambda g: (np.where(m, 0, g),), "MaskedFillBackward0")


def index_select(a, dim, index):
    d = check_dim(dim, a.ndim, "index_select")
    return getitem(a, (slice(None),) * d + (as_tensor(index, "index_select")._data.reshape(-1),))


def gather(a, dim, index):
    """out[i][j] = a[index[i][j]][j] (dim 0), as torch.gather, through np.take_along_axis."""
    d = check_dim(dim, a.ndim, "gather")
    idx = as_tensor(index, "gather")._data
    if idx.ndim != a.ndim:
        raise RuntimeError(f"gather: index tensor must have the same number of dimensions as input ({idx.ndim} vs {a.ndim})")
    x = a._data
    try:
        data = np.take_along_axis(x[tuple(slice(0, n) for n in idx.shape[:d] + (x.shape[d],) + idx.shape[d + 1:])], idx, d)
    except IndexError as e:
        raise RuntimeError(f"gather: index out of range for dimension {dim} of size {x.shape[d]}: {e}") from None

    def backward(g):
        grad = np.zeros(x.shape, dtype=g.dtype)
        grid = list(np.indices(idx.shape, sparse=True))
        grid[d] = idx
        np.add.at(grad, tuple(grid), g)
        return (grad,)

    return record(Tensor._wrap(data), (a,), backward, "GatherBackward0")
