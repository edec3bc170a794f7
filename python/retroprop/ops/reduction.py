"""Reductions (sum, mean, max/min, var/std, norm, ...) with their backward."""
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
    """Gradient of a reduction over `axes` of an input of `shape`, spread back over it."""
    if axes is not None and not keepdim:
        g = g.reshape(tuple(1 if i in axes else n for i, n in enumerate(shape)))
    out = np.empty(shape, dtype=g.dtype)
    out[...] = g
    return out


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


def _amax(a, dim, keepdim, op, fn):
    """amax/amin over `dim` (an int or a tuple; all dims when empty); ties share the gradient evenly."""
    x = a._data
    axes = None if dim is None or (isinstance(dim, (tuple, list)) and not len(dim)) else check_dims(dim, x.ndim, op)
    if x.size == 0 and (axes is None or any(x.shape[i] == 0 for i in axes)):
        raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0, or the reduced "
                         f"dims to have non-zero size (shape {tuple(x.shape)}, dim {dim})")
    data = np.asarray(fn(x, axis=axes, keepdims=keepdim))

    def backward(g):
        hit = x == _expand_back(data, x.shape, axes, keepdim)
        count = hit.sum(axis=axes, keepdims=True)
        return (np.where(hit, _expand_back(g, x.shape, axes, keepdim) / count, 0).astype(g.dtype),)

    return record(Tensor._wrap(data), (a,), backward, op.capitalize() + "Backward0", saved=(a,))


def amax(a, dim=(), keepdim=False):
    return _amax(a, dim, keepdim, "amax", np.amax)


def amin(a, dim=(), keepdim=False):
    return _amax(a, dim, keepdim, "amin", np.amin)


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


def count_nonzero(a, dim=None):
    """How many elements are non-zero, over `dim` (an int or a tuple; all by default), as int64."""
    axes = check_dims(dim, a.ndim, "count_nonzero")
    return Tensor._wrap(np.asarray(np.count_nonzero(a._data, axis=axes), dtype=np.int64))


def bincount(input, weights=None, minlength=0):
    """Occurrences of each value 0..max of a 1-D non-negative integer tensor (summed weights if given)."""
    x = input._data
    if x.dtype.kind == "b" or x.dtype.kind == "f":
        raise NotImplementedError(f'"bincount_cpu" not implemented for {x.dtype}: expected an integer tensor')
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs (got shape {tuple(x.shape)})")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return Tensor._wrap(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data if isinstance(weights, Tensor) else np.asarray(weights)
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError(f"bincount: weights should be 1-d and have the same length as input "
                           f"(got shapes {tuple(w.shape)} and {tuple(x.shape)})")
    dtype = w.dtype if w.dtype == np.float32 else np.float64  # torch: float32 stays, the rest give float64
    return Tensor._wrap(np.bincount(x, w.astype(np.float64), minlength=minlength).astype(dtype))


median_return = return_type("median")
nanmedian_return = return_type("nanmedian")


def _median(a, dim, keepdim, op, ret, skip_nan):
    """The lower median (element (n - 1) // 2 of the sorted values); NaN propagates unless skip_nan."""
    x = a._data
    if dim is None:
        flat = x.reshape(-1)
        if skip_nan:
            flat = flat[~np.isnan(flat)] if flat.dtype.kind == "f" else flat
        if flat.size == 0:
            value = np.asarray(np.nan, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
        elif flat.dtype.kind == "f" and np.isnan(flat).any():
            value = np.asarray(np.nan, dtype=x.dtype)
        else:
            value = np.asarray(np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])

        def backward(g):
            hit = x == value  # ties share the gradient evenly, as torch does for median()
            n = np.count_nonzero(hit)
            return (np.where(hit, g / n, 0) if n else np.zeros_like(x),)

        return record(Tensor._wrap(value), (a,), backward, op.capitalize() + "Backward0", saved=(a,))
    axis = check_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return ret(ops.clone(a), Tensor._wrap(np.zeros((), np.int64)))
    if x.shape[axis] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    xm = np.moveaxis(x, axis, -1)
    # A stable sort puts NaNs last; for tied values it picks the index torch's kernel gives in the
    # cases we checked (torch documents the index of a tie as unspecified).
    order = np.argsort(xm, axis=-1, kind="stable")
    if xm.dtype.kind == "f":
        nan = np.isnan(xm)
        valid = xm.shape[-1] - nan.sum(-1)
        if skip_nan:
            k = np.maximum(valid - 1, 0) // 2
        else:  # a row holding a NaN has the NaN as its median, at its first position
            k = np.where(valid < xm.shape[-1], valid, (xm.shape[-1] - 1) // 2)
    else:
        k = np.full(xm.shape[:-1], (xm.shape[-1] - 1) // 2)
    idx = np.take_along_axis(order, k[..., None], -1)
    values = np.take_along_axis(xm, idx, -1)[..., 0]
    idx = idx[..., 0].astype(np.int64)
    if keepdim:
        values, idx = np.expand_dims(values, axis), np.expand_dims(idx, axis)
    index = np.expand_dims(idx, axis) if not keepdim else idx

    def backward(g):
        grad = np.zeros(x.shape, dtype=g.dtype)
        np.put_along_axis(grad, index, g if keepdim else np.expand_dims(g, axis), axis)
        return (grad,)

    out = record(Tensor._wrap(values), (a,), backward, op.capitalize() + "Backward1")
    return ret(out, Tensor._wrap(idx))


def median(a, dim=None, keepdim=False):
    """The lower median of all elements; with `dim`, (values, indices) along it. NaN propagates."""
    return _median(a, dim, keepdim, "median", median_return, False)


def nanmedian(a, dim=None, keepdim=False):
    """median() ignoring NaNs (NaN only where a row holds nothing else)."""
    return _median(a, dim, keepdim, "nanmedian", nanmedian_return, True)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(a, q, dim, keepdim, interpolation, op, skip_nan):
    x = a._data
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype, got {x.dtype}")
    if x.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor, got shape {tuple(q.shape)}")
        if q.dtype != x.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor ({q.dtype} vs {x.dtype})")
        qs, scalar = q._data.reshape(-1).astype(np.float64), q.ndim == 0
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        qs, scalar = np.asarray([q], dtype=np.float64), True
    else:
        raise TypeError(f"{op}(): q must be a float or a Tensor, got {type(q).__name__}")
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError(f"{op}() q values must be in the range [0, 1], got {qs.tolist()}")
    if dim is None:
        xm = x.reshape(1, -1)  # all elements as one row
        axis = None
    else:
        axis = check_dim(dim, x.ndim, op)
        xm = np.moveaxis(x, axis, -1) if x.ndim else x.reshape(1)
    n = xm.shape[-1]
    order = np.argsort(xm, axis=-1, kind="stable")  # NaNs sort last
    srt = np.take_along_axis(xm, order, -1)
    nan = np.isnan(xm).sum(-1)[..., None]  # (..., 1)
    valid = n - nan if skip_nan else np.full_like(nan, n)
    rank = qs.astype(x.dtype) * np.maximum(valid - 1, 0).astype(x.dtype)  # (..., len(q)), in the input's dtype as torch
    if interpolation == "lower":
        rank = np.floor(rank)
    elif interpolation == "higher":
        rank = np.ceil(rank)
    elif interpolation == "nearest":
        rank = np.round(rank)  # half to even, as torch.round
    below = np.floor(rank).astype(np.int64)
    above = np.ceil(rank).astype(np.int64)
    weight = (np.full_like(rank, 0.5) if interpolation == "midpoint" else rank - below).astype(x.dtype)
    lo, hi = np.take_along_axis(srt, below, -1), np.take_along_axis(srt, above, -1)
    diff = hi - lo
    values = np.where(weight < 0.5, lo + weight * diff, hi - diff * (1 - weight))  # torch's lerp, to the last bit
    empty = (valid == 0) if skip_nan else (nan > 0)  # a NaN poisons quantile(); only all-NaN nanquantile()
    values = np.where(empty, np.nan, values).astype(x.dtype)
    idx_lo, idx_hi = np.take_along_axis(order, below, -1), np.take_along_axis(order, above, -1)
    weight = np.where(empty, 0, weight)

    # values: (..., len(q)) -> torch's layout: q first, then the reduced shape.
    def layout(v):
        v = np.moveaxis(v, -1, 0)
        if dim is None:
            v = v.reshape((len(qs),) + ((1,) * x.ndim if keepdim else ()))
        elif keepdim and x.ndim:
            v = np.expand_dims(v, axis + 1)
        return v[0] if scalar else v

    def backward(g):
        gm = g[None] if scalar else g
        if dim is None:
            gm = gm.reshape(len(qs), 1)
        elif keepdim and x.ndim:
            gm = np.squeeze(gm, axis + 1)
        gm = np.moveaxis(gm, 0, -1)
        grad = np.zeros(xm.shape, dtype=g.dtype)
        lanes = list(np.indices(gm.shape, sparse=True))
        for idx, w in ((idx_lo, 1 - weight), (idx_hi, weight)):
            lanes[-1] = idx
            np.add.at(grad, tuple(lanes[:-1]) + (idx,), np.where(empty, 0, gm * w))
        grad = grad.reshape(x.shape) if dim is None else (np.moveaxis(grad, -1, axis) if x.ndim else grad.reshape(()))
        return (grad,)

    name = "QuantileBackward0" if not skip_nan else "NanquantileBackward0"
    return record(Tensor._wrap(np.array(layout(values))), (a,), backward, name, saved=(a,))


def quantile(a, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles (q a number or a 1-D tensor of the input's dtype) over `dim` (all elements
    by default), interpolating between the sorted values as `interpolation` says; NaN propagates."""
    return _quantile(a, q, dim, keepdim, interpolation, "quantile", False)


def nanquantile(a, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile() ignoring NaNs (NaN only where a row holds nothing else)."""
    return _quantile(a, q, dim, keepdim, interpolation, "nanquantile", True)


def cumprod(a, dim, dtype=None):
    """Running products along dim (integers and bools give int64, as in torch); differentiable,
    also through zeros in the input."""
    axis = check_dim(dim, a.ndim, "cumprod")
    x = a._data
    if dtype is None and x.dtype.kind in "biu":
        dtype = np.int64
    data = np.cumprod(x, axis=axis, dtype=dtype) if x.ndim else x.astype(dtype or x.dtype)
    out = Tensor._wrap(data)

    def backward(g):
        if not x.ndim:
            return (g,)
        xm, gm = np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)
        if np.all(xm != 0):  # d out_j / d x_i = out_j / x_i for j >= i
            om = np.moveaxis(data, axis, -1)
            grad = np.flip(np.cumsum(np.flip(gm * om, -1), -1), -1) / xm
        else:  # products of the others, one position at a time (exact with zeros)
            grad = np.empty(xm.shape, dtype=g.dtype)
            for i in range(xm.shape[-1]):
                y = xm[..., i:].copy()
                y[..., 0] = 1
                prefix = np.prod(xm[..., :i], axis=-1, keepdims=True)
                grad[..., i] = (gm[..., i:] * prefix * np.cumprod(y, -1)).sum(-1)
        return (np.moveaxis(grad, -1, axis),)

    return record(out, (a,), backward, "CumprodBackward0", saved=(a, out))


from .. import ops  # noqa: E402  (maximum, sqrt live in sibling modules)
