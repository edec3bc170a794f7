"""Reductions (sum, mean) with their backward."""
import numpy as np

from .._tensor import Tensor
from ..autograd.engine import record


def _axes(dim, ndim, name):
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{name}: dimension out of range (expected to be in range of [{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {d})")
        out.append(d % max(ndim, 1))
    return tuple(out) if ndim else None


def _expand_back(g, shape, axes, keepdim):
    """Gradient of a reduction over `axes` of an input of `shape`, broadcast back to it."""
    if axes is not None and not keepdim:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


def sum(a, dim=None, keepdim=False, dtype=None):
    axes = _axes(dim, a.ndim, "sum")
    data = a._data.sum(axis=axes, keepdims=keepdim, dtype=dtype)
    if a.dtype.kind in "biu" and dtype is None:
        data = data.astype(np.int64)
    out = Tensor._wrap(np.asarray(data))
    shape = a.shape
    return record(out, (a,), lambda g: (_expand_back(g, shape, axes, keepdim),), "SumBackward0")


def mean(a, dim=None, keepdim=False, dtype=None):
    if a.dtype.kind not in "fc" and dtype is None:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {a.dtype}")
    axes = _axes(dim, a.ndim, "mean")
    data = np.asarray(a._data.mean(axis=axes, keepdims=keepdim, dtype=dtype))
    out = Tensor._wrap(data)
    shape = a.shape
    count = a._data.size // max(data.size, 1) if a._data.size else 0

    def backward(g):
        return (_expand_back(g / count if count else g * np.nan, shape, axes, keepdim),)

    return record(out, (a,), backward, "MeanBackward0")
