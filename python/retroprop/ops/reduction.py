"""Reductions (sum, mean, max/min, var/std, norm, ...) with their backward."""
import builtins
import collections

import numpy as np

from .._tensor import Tensor
from ..autograd.engine import record
from ._util import check_dim, check_dims


def return_type(name):
    """A named tuple (values, indices) printed like torch.return_types.<name>."""
    base = collections.namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


max_return = return_type("max")
min_return = return_type("min")


def _expand_back(g, shape, axes, keepdim):
    """Gradient of a reduction over `axes` of an input of `shape`, broadcast back to it."""
    if axes is not None and not keepdim:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


def sum(a, dim=None, keepdim=False, dtype=None):
    x = a._data
    axes = None if dim is None else check_dims(dim, x.ndim, "sum")
    if dtype is None and x.dtype.kind in "biu":
        dtype = np.int64  # torch sums integers and bools as int64
    data = np.add.reduce(x, axis=axes, keepdims=keepdim, dtype=dtype)
    shape = x.shape
    return record(Tensor._wrap(data), (a,), lambda g: (_expand_back(g, shape, axes, keepdim),), "SumBackward0")


def mean(a, dim=None, keepdim=False, dtype=None):
    x = a._data
    if x.dtype.kind != "f" and dtype is None:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {x.dtype}")
    axes = None if dim is None else check_dims(dim, x.ndim, "mean")
    total = np.add.reduce(x, axis=axes, keepdims=keepdim, dtype=dtype)
    count = x.size // total.size if total.size else 0
    data = total / count if count else total * np.nan
    shape = x.shape

    def backward(g):
        return (_expand_back(g / count if count else g * np.nan, shape, axes, keepdim),)

    return record(Tensor._wrap(data), (a,), backward, "MeanBackward0")


def prod(a, dim=None, keepdim=False, dtype=None):
    axes = None if dim is None or a.ndim == 0 else (check_dim(dim, a.ndim, "prod"),)
    x = a._data
    data = np.asarray(x.prod(axis=axes, keepdims=keepdim, dtype=dtype))

    def backward(g):
        # d/dx_i is the product of the others: prefix times suffix products (zeros are fine).
        xm = x.reshape(-1) if axes is None else np.moveaxis(x, axes[0], -1)
        ones = np.ones_like(xm[..., :1])
        left = np.cumprod(np.concatenate([ones, xm[..., :-1]], -1), -1)
        right = np.flip(np.cumprod(np.concatenate([ones, np.flip(xm, -1)[..., :-1]], -1), -1), -1)
        others = (left * right).reshape(x.shape) if axes is None else np.moveaxis(left * right, -1, axes[0])
        return (_expand_back(g, x.shape, axes, keepdim) * others,)

    return record(Tensor._wrap(data), (a,), backward, "ProdBackward0", saved=(a,))


def _extreme(a, dim, keepdim, op, arg, ret):
    x = a._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        data = np.asarray(x.max() if op == "max" else x.min())

        def backward(g):
            hit = x == data  # ties share the gradient evenly, as in torch
            return (np.where(hit, g / np.count_nonzero(hit), 0),)

        return record(Tensor._wrap(data), (a,), backward, op.capitalize() + "Backward1", saved=(a,))
    axis = check_dim(dim, x.ndim, op)
    if x.ndim and x.shape[axis] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    idx = np.expand_dims(arg(x, axis=axis), axis) if x.ndim else np.zeros((), np.int64)
    values = np.take_along_axis(x, idx, axis) if x.ndim else x.copy()
    if not keepdim and x.ndim:
        values, idx_out = values.squeeze(axis), idx.squeeze(axis)
    else:
        idx_out = idx

    def backward(g):
        grad = np.zeros(x.shape, dtype=g.dtype)
        if x.ndim:
            np.put_along_axis(grad, idx, g if keepdim else np.expand_dims(g, axis), axis)
        else:
            grad[...] = g
        return (grad,)

    out = record(Tensor._wrap(values), (a,), backward, op.capitalize() + "Backward0")
    return ret(out, Tensor._wrap(idx_out.astype(np.int64)))


def max(a, dim=None, keepdim=False):
    """The largest value; with `dim`, (values, indices) along it; with a tensor, maximum()."""
    if isinstance(dim, Tensor):
        return ops.maximum(a, dim)
    return _extreme(a, dim, keepdim, "max", np.argmax, max_return)


def min(a, dim=None, keepdim=False):
    """The smallest value; with `dim`, (values, indices) along it; with a tensor, minimum()."""
    if isinstance(dim, Tensor):
        return ops.minimum(a, dim)
    return _extreme(a, dim, keepdim, "min", np.argmin, min_return)


def amax(a, dim=(), keepdim=False):
    return max(a) if dim in ((), None) else _extreme(a, dim, keepdim, "max", np.argmax, max_return).values


def amin(a, dim=(), keepdim=False):
    return min(a) if dim in ((), None) else _extreme(a, dim, keepdim, "min", np.argmin, min_return).values


def _arg(a, dim, keepdim, op, fn):
    x = a._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        idx = np.asarray(fn(x), dtype=np.int64)
        return Tensor._wrap(idx.reshape((1,) * x.ndim) if keepdim else idx)
    axis = check_dim(dim, x.ndim, op)
    if not x.ndim:
        return Tensor._wrap(np.zeros((), np.int64))
    return Tensor._wrap(np.asarray(fn(x, axis=axis, keepdims=keepdim), dtype=np.int64))


def argmax(a, dim=None, keepdim=False):
    return _arg(a, dim, keepdim, "argmax", np.argmax)


def argmin(a, dim=None, keepdim=False):
    return _arg(a, dim, keepdim, "argmin", np.argmin)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance with Bessel's correction by default (unbiased, as torch)."""
    if isinstance(dim, bool):  # legacy var(input, unbiased)
        dim, unbiased = None, dim
    if a.dtype.kind != "f":
        raise RuntimeError(f"var: expected a floating-point tensor, got {a.dtype}")
    axes = check_dims(dim, a.ndim, "var")
    x = a._data
    d = x - x.mean(axis=axes, keepdims=True)
    n = x.size if axes is None else int(np.prod([x.shape[i] for i in axes]))
    denom = n - _correction(unbiased, correction)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.asarray((d * d).sum(axis=axes, keepdims=keepdim) / denom, dtype=x.dtype)

    def backward(g):
        return (_expand_back(g, x.shape, axes, keepdim) * (2 / denom) * d,)

    return record(Tensor._wrap(data), (a,), backward, "VarBackward0", saved=(a,))


def std(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return ops.sqrt(var(a, dim, unbiased, keepdim, correction=correction))


def var_mean(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(a, dim, unbiased, keepdim, correction=correction), mean(a, dim, keepdim)


def std_mean(a, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(a, dim, unbiased, keepdim, correction=correction), mean(a, dim, keepdim)


def norm(a, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm over `dim` (all elements by default): p = 2/'fro', 1, inf, -inf or any p."""
    if a.dtype.kind != "f":
        raise RuntimeError(f"norm: expected a floating-point tensor, got {a.dtype}")
    p = 2 if p in ("fro", None) else p
    axes = check_dims(dim, a.ndim, "norm")
    x = a._data
    ax = np.abs(x)
    if p == np.inf or p == -np.inf:
        data = np.asarray(ax.max(axis=axes, keepdims=keepdim) if p > 0 else ax.min(axis=axes, keepdims=keepdim))
    elif p == 2:
        data = np.asarray(np.sqrt((x * x).sum(axis=axes, keepdims=keepdim)))
    elif p == 0:
        data = np.asarray((x != 0).sum(axis=axes, keepdims=keepdim), dtype=x.dtype)
    else:
        data = np.asarray(((ax ** p).sum(axis=axes, keepdims=keepdim)) ** (1 / p))

    def backward(g):
        gx = _expand_back(g, x.shape, axes, keepdim)
        nx = _expand_back(data, x.shape, axes, keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == np.inf or p == -np.inf:
                hit = ax == nx
                share = hit / _expand_back(np.asarray(hit.sum(axis=axes, keepdims=keepdim)), x.shape, axes, keepdim)
                return (gx * np.sign(x) * share,)
            if p == 0:
                return (np.zeros_like(x),)
            if p == 1:
                return (gx * np.sign(x),)
            if p == 2:
                return (np.where(nx == 0, 0, gx * x / nx),)
            return (np.where(nx == 0, 0, gx * np.sign(x) * ax ** (p - 1) / nx ** (p - 1)),)

    return record(Tensor._wrap(data), (a,), backward, "NormBackward1", saved=(a,))


def all(a, dim=None, keepdim=False):
    axes = check_dims(dim, a.ndim, "all")
    return Tensor._wrap(np.asarray(a._data.all(axis=axes, keepdims=keepdim)))


def any(a, dim=None, keepdim=False):
    axes = check_dims(dim, a.ndim, "any")
    return Tensor._wrap(np.asarray(a._data.any(axis=axes, keepdims=keepdim)))


def logsumexp(a, dim, keepdim=False):
    axes = check_dims(dim, a.ndim, "logsumexp")
    x = a._data
    m = x.max(axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    s = np.exp(x - m).sum(axis=axes, keepdims=True)
    full = np.log(s) + m
    data = full if keepdim else (full.squeeze(axes) if axes else full.reshape(()))

    def backward(g):
        return (_expand_back(g, x.shape, axes, keepdim) * np.exp(x - full),)

    return record(Tensor._wrap(data), (a,), backward, "LogsumexpBackward0", saved=(a,))


def cumsum(a, dim, dtype=None):
    axis = check_dim(dim, a.ndim, "cumsum")
    data = np.cumsum(a._data, axis=axis, dtype=dtype) if a.ndim else a._data.copy()
    return record(Tensor._wrap(data), (a,), lambda g: (np.flip(np.cumsum(np.flip(g, axis), axis), axis) if g.ndim else g,),
                  "CumsumBackward0")


from .. import ops  # noqa: E402  (maximum, sqrt live in sibling modules)
