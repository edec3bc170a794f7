"""Sorting and top-k: values keep a gradient (routed back through the indices)."""
import numpy as np

from .._tensor import Tensor
from ..autograd.engine import record
from ._util import check_dim
from .reduction import return_type



sort_return = return_type("sort")
topk_return = return_type("topk")


def _order(x, axis, descending, stable=True):
    idx = np.argsort(-x if descending and x.dtype.kind != "b" else x, axis=axis, kind="stable")
    return np.flip(idx, axis) if descending and x.dtype.kind == "b" else idx


def _gathered(a, idx, axis, name):
    x = a._data

    def backward(g):
        grad = np.zeros(x.shape, dtype=g.dtype)
        np.put_along_axis(grad, idx, g, axis)
        return (grad,)

    return record(Tensor._wrap(np.take_along_axis(x, idx, axis)), (a,), backward, name)


def sort(a, dim=-1, descending=False, stable=False):
    if a.ndim == 0:
        return sort_return(a.clone(), Tensor._wrap(np.zeros((), np.int64)))
    axis = check_dim(dim, a.ndim, "sort")
    idx = _order(a._data, axis, descending)
    return sort_return(_gathered(a, idx, axis, "SortBackward0"), Tensor._wrap(idx.astype(np.int64)))


def argsort(a, dim=-1, descending=False, stable=False):
    if a.ndim == 0:
        return Tensor._wrap(np.zeros((), np.int64))
    return Tensor._wrap(_order(a._data, check_dim(dim, a.ndim, "argsort"), descending).astype(np.int64))


def topk(a, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along dim, with their indices."""
    axis = check_dim(dim, a.ndim, "topk")
    n = a.shape[axis] if a.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) is out of range for dimension {dim} of size {n}")
    if a.ndim == 0:
        return topk_return(a.clone(), Tensor._wrap(np.zeros((), np.int64)))
    idx = np.take(_order(a._data, axis, largest), np.arange(k), axis=axis)
    return topk_return(_gathered(a, idx, axis, "TopkBackward0"), Tensor._wrap(idx.astype(np.int64)))


def unique(a, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or, with `dim`, distinct slices along dim), in ascending order; with
    return_inverse, each element's position in them; with return_counts, how often each occurs.
    The result is sorted also for sorted=False (torch's CPU kernel sorts too)."""
    x = a._data
    if dim is not None:
        axis = check_dim(dim, x.ndim, "unique")
        if x.ndim == 0:
            raise RuntimeError("unique: a 0-d tensor has no dimension to take unique slices along")
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=axis, equal_nan=False)
        inverse = inverse.reshape(-1)
    else:
        values, inverse, counts = np.unique(x.reshape(-1), return_inverse=True, return_counts=True,
                                            equal_nan=False)  # torch keeps every NaN apart
        inverse = inverse.reshape(x.shape)
    out = [Tensor._wrap(values)]
    if return_inverse:
        out.append(Tensor._wrap(inverse.astype(np.int64)))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
