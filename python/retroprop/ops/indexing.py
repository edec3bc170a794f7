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
    if basic:  # a trailing Ellipsis makes NumPy return a 0-d view rather than a scalar copy
        data = _take(x, idx + (Ellipsis,) if type(idx) is tuple and Ellipsis not in idx else
                     idx if type(idx) is tuple else (idx, Ellipsis), x.shape)
    else:
        data = _take(x, idx, x.shape)
    shape, dtype = x.shape, x.dtype

    def backward(g):
        grad = np.zeros(shape, dtype=g.dtype)
        if basic:
            grad[idx] = g
        else:
            np.add.at(grad, idx, g)
        return (grad,)

    name = "SelectBackward0" if type(idx) is int else "SliceBackward0" if basic else "IndexBackward0"
    out = Tensor._wrap(data)
    return record(out._view_of(a) if basic else out, (a,), backward, name)


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


def nonzero(a, *, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dimension
    with as_tuple=True (a 0-d input counts as 1-D there, as in torch)."""
    x = a._data
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(x.reshape(-1) if x.ndim == 0 else x))
    if x.ndim == 0:
        return Tensor._wrap(np.zeros((1 if x else 0, 0), np.int64))
    return Tensor._wrap(np.argwhere(x).astype(np.int64))


def argwhere(a):
    return nonzero(a)


def masked_select(a, mask):
    """The elements of `a` where the bool `mask` (broadcast against `a`) holds, as a 1-D tensor."""
    m = as_tensor(mask, "masked_select")._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {m.dtype}")
    try:
        shape = np.broadcast_shapes(a.shape, m.shape)
    except ValueError:
        raise RuntimeError(f"masked_select: the mask of shape {m.shape} and the tensor of shape {tuple(a.shape)} "
                           f"cannot be broadcast together") from None
    mb = np.broadcast_to(m, shape)
    x = a._data
    data = np.broadcast_to(x, shape)[mb]

    def backward(g):
        full = np.zeros(shape, dtype=g.dtype)
        full[mb] = g
        return (unbroadcast(full, x.shape),)

    return record(Tensor._wrap(data), (a,), backward, "MaskedSelectBackward0")


def _scatter_index(a, dim, index, src, op):
    """The index grid of a scatter along `dim` (torch's checks: int64 index of a's rank, no larger than
    src, nor than a outside dim; values in range)."""
    d = check_dim(dim, a.ndim, op)
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}: expected a Tensor as the index, got {type(index).__name__}")
    idx = index._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.ndim != max(a.ndim, 0) and not (idx.ndim <= 1 and a.ndim <= 1):
        raise RuntimeError(f"{op}: index tensor must have the same number of dimensions as self tensor "
                           f"({idx.ndim} vs {a.ndim})")
    shape = a.shape if a.ndim else (1,)
    idx = idx.reshape(idx.shape if idx.ndim else (1,))
    for i, n in enumerate(idx.shape):
        if (i != d and n > shape[i]) or (src is not None and src.ndim and n > src.shape[i]):
            also = "" if src is None else f" and no larger than src {tuple(src.shape)}"
            raise RuntimeError(f"{op}: expected index {tuple(idx.shape)} to be no larger than self {tuple(a.shape)} "
                               f"apart from dimension {d}{also}")
    if idx.size and (idx.min() < -shape[d] or idx.max() >= shape[d]):
        raise RuntimeError(f"{op}: index {int(idx.max()) if idx.max() >= shape[d] else int(idx.min())} is out of "
                           f"bounds for dimension {d} with size {shape[d]}")
    grid = list(np.indices(idx.shape, sparse=True))
    grid[d] = idx % shape[d]
    return tuple(grid), idx.shape


def _src_part(src, shape):
    return src[tuple(slice(0, n) for n in shape)] if src.ndim else np.broadcast_to(src, shape)


def scatter(a, dim, index, src=None, value=None, *, reduce=None):
    """A copy of `a` with a[index[i][j]][j] = src[i][j] (dim 0; likewise for other dims), or = value.
    reduce='add'/'multiply' combines instead of overwriting (not differentiable, as in torch)."""
    if src is None and value is None:
        raise TypeError("scatter: expected either src (a Tensor) or value (a number)")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src  # scatter(dim, index, 1.0): the number as `value`, as torch
    grid, ishape = _scatter_index(a, dim, index, src, "scatter")
    x = a._data
    data = x.reshape(x.shape if x.ndim else (1,)).copy()
    v = _src_part(src._data, ishape) if src is not None else np.asarray(
        value._data if isinstance(value, Tensor) else value)
    if reduce is None:
        data[grid] = v
    elif reduce in ("add", "multiply"):
        if a.requires_grad or (src is not None and src.requires_grad):
            raise RuntimeError(f"scatter(reduce={reduce!r}) is not differentiable in retroprop (torch's backward "
                               f"for it is limited too); use scatter_add or scatter_reduce-free code")
        (np.add if reduce == "add" else np.multiply).at(data, grid, v.astype(data.dtype))
    else:
        raise RuntimeError(f"scatter: reduce argument must be either 'add' or 'multiply', got {reduce!r}")
    data = data.reshape(x.shape)
    parents = (a, src) if src is not None else (a,)
    sshape = src.shape if src is not None else None

    def backward(g):
        gm = g.reshape(g.shape if g.ndim else (1,))
        ga = gm.copy()
        ga[grid] = 0
        grads = [ga.reshape(x.shape)]
        if src is not None:
            gs = np.zeros(sshape if len(sshape) else (1,), dtype=g.dtype)
            gs[tuple(slice(0, n) for n in ishape)] = gm[grid]
            grads.append(gs.reshape(sshape))
        return tuple(grads)

    return record(Tensor._wrap(data), parents, backward, "ScatterBackward0")


def scatter_add(a, dim, index, src):
    """A copy of `a` with src[i][j] added at a[index[i][j]][j] (dim 0); repeated indices accumulate."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: expected a Tensor as src, got {type(src).__name__}")
    grid, ishape = _scatter_index(a, dim, index, src, "scatter_add")
    x = a._data
    data = x.reshape(x.shape if x.ndim else (1,)).copy()
    np.add.at(data, grid, _src_part(src._data, ishape).astype(data.dtype))
    sshape = src.shape

    def backward(g):
        gm = g.reshape(g.shape if g.ndim else (1,))
        gs = np.zeros(sshape if len(sshape) else (1,), dtype=g.dtype)
        gs[tuple(slice(0, n) for n in ishape)] = gm[grid]
        return g, gs.reshape(sshape)

    return record(Tensor._wrap(data.reshape(x.shape)), (a, src), backward, "ScatterAddBackward0")


def _index_along(a, dim, index, op):
    d = check_dim(dim, a.ndim, op)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Index is supposed to be a vector of integers, got shape {tuple(idx.shape)} "
                         f"and dtype {idx.dtype}")
    idx = idx.reshape(-1)
    n = a.shape[d] if a.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"{op}(): index out of range for dimension {d} of size {n}")
    return d, idx % n if n else idx


def index_add(a, dim, index, source, *, alpha=1):
    """A copy of `a` with alpha * source[i] added to the slice index[i] along dim (repeats accumulate)."""
    d, idx = _index_along(a, dim, index, "index_add")
    if not isinstance(source, Tensor):
        raise TypeError(f"index_add: expected a Tensor as source, got {type(source).__name__}")
    x, s = a._data, source._data
    expected = x.shape[:d] + (idx.size,) + x.shape[d + 1:] if x.ndim else (idx.size,)
    if s.shape != expected and not (x.ndim == 0 and s.size == idx.size):
        raise RuntimeError(f"index_add(): source of shape {tuple(s.shape)} does not match the shape {expected} "
                           f"that self {tuple(x.shape)} and index of length {idx.size} require along dim {d}")
    data = x.reshape(x.shape if x.ndim else (1,)).copy()
    np.add.at(np.moveaxis(data, d, 0), idx, np.moveaxis((s * alpha if alpha != 1 else s).reshape(expected), d, 0)
              .astype(data.dtype))
    sshape = s.shape

    def backward(g):
        gm = g.reshape(g.shape if g.ndim else (1,))
        gs = np.take(gm, idx, axis=d)
        return g, (gs * alpha if alpha != 1 else gs).reshape(sshape)

    return record(Tensor._wrap(data.reshape(x.shape)), (a, source), backward, "IndexAddBackward0")


def index_fill(a, dim, index, value):
    """A copy of `a` with the slices index[i] along dim set to value (a number or a 0-d tensor)."""
    d, idx = _index_along(a, dim, index, "index_fill")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s)")
    x = a._data
    data = x.reshape(x.shape if x.ndim else (1,)).copy()
    sel = (slice(None),) * d + (idx,)
    data[sel] = value._data if isinstance(value, Tensor) else value
    vt = value if isinstance(value, Tensor) else None

    def backward(g):
        gm = g.reshape(g.shape if g.ndim else (1,)).copy()
        gv = None
        if vt is not None and vt.requires_grad:
            mask = np.zeros(gm.shape, bool)
            mask[sel] = True
            gv = np.asarray((gm * mask).sum(), dtype=g.dtype)
        gm[sel] = 0
        return (gm.reshape(x.shape), gv) if vt is not None else (gm.reshape(x.shape),)

    return record(Tensor._wrap(data.reshape(x.shape)), (a,) + ((vt,) if vt is not None else ()), backward,
                  "IndexFillBackward0")
