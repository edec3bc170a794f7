"""Shape operations (views where NumPy gives views) and joining/splitting, with their backward."""
import numpy as np

from .._tensor import Tensor
from ..autograd.engine import record
from ._util import broadcast_shapes, check_dim, result_dtype, shape_args, unbroadcast


def reshape(a, *shape):
    shape = shape_args(shape, "reshape")
    try:
        data = a._data.reshape(shape)
    except ValueError:
        raise RuntimeError(f"reshape: shape '{list(shape)}' is invalid for input of size {a._data.size}") from None
    in_shape = a._data.shape
    return record(Tensor._wrap(data)._view_of(a), (a,), lambda g: (g.reshape(in_shape),), "ViewBackward0")


def view(a, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer, Tensor)):
        raise NotImplementedError("view(dtype): reinterpreting a tensor's bytes is not supported by retroprop")
    return reshape(a, *shape)


def view_as(a, other):
    return reshape(a, other.shape)


reshape_as = view_as


def flatten(a, start_dim=0, end_dim=-1):
    if a.ndim == 0:
        return reshape(a, 1)
    s, e = check_dim(start_dim, a.ndim, "flatten"), check_dim(end_dim, a.ndim, "flatten")
    if s > e:
        raise RuntimeError(f"flatten() has invalid args: start_dim ({start_dim}) cannot come after end_dim ({end_dim})")
    shape = a._data.shape
    return reshape(a, shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


def unflatten(a, dim, sizes):
    d = check_dim(dim, a.ndim, "unflatten")
    return reshape(a, a._data.shape[:d] + tuple(sizes) + a._data.shape[d + 1:])


def squeeze(a, dim=None):
    if dim is None:
        axes = tuple(i for i, s in enumerate(a._data.shape) if s == 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = tuple(d for d in (check_dim(d, a.ndim, "squeeze") for d in dims) if a.ndim and a._data.shape[d] == 1)
    in_shape = a._data.shape
    return record(Tensor._wrap(a._data.squeeze(axes))._view_of(a), (a,), lambda g: (g.reshape(in_shape),), "SqueezeBackward0")


def unsqueeze(a, dim):
    d = check_dim(dim, a.ndim + 1, "unsqueeze")
    in_shape = a._data.shape
    return record(Tensor._wrap(np.expand_dims(a._data, d))._view_of(a), (a,), lambda g: (g.reshape(in_shape),), "UnsqueezeBackward0")


def transpose(a, dim0, dim1):
    d0, d1 = check_dim(dim0, a.ndim, "transpose"), check_dim(dim1, a.ndim, "transpose")
    if a.ndim < 2:
        return record(Tensor._wrap(a._data)._view_of(a), (a,), lambda g: (g,), "TransposeBackward0")
    out = Tensor._wrap(np.swapaxes(a._data, d0, d1))._view_of(a)
    return record(out, (a,), lambda g: (np.swapaxes(g, d0, d1),), "TransposeBackward0")


swapaxes = swapdims = transpose


def t(a):
    if a.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return transpose(a, 0, -1) if a.ndim == 2 else transpose(a, 0, 0)


def permute(a, *dims):
    dims = shape_args(dims, "permute")
    if len(dims) != a.ndim:
        raise RuntimeError(f"permute: number of dims don't match (tensor has {a.ndim}, got {len(dims)}: {dims})")
    axes = tuple(check_dim(d, a.ndim, "permute") for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"permute: repeated dim in {dims}")
    inverse = tuple(np.argsort(axes))
    out = Tensor._wrap(np.transpose(a._data, axes))._view_of(a)
    return record(out, (a,), lambda g: (np.transpose(g, inverse),), "PermuteBackward0")


def movedim(a, source, destination):
    return record(Tensor._wrap(np.moveaxis(a._data, source, destination))._view_of(a), (a,),
                  lambda g: (np.moveaxis(g, destination, source),), "MovedimBackward0")


def expand(a, *sizes):
    sizes = shape_args(sizes, "expand")
    lead = len(sizes) - a.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({a.ndim})")
    target = tuple(a._data.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, s in enumerate(a._data.shape):
        if s != 1 and target[i + lead] != s:
            raise RuntimeError(f"expand: the expanded size of the tensor ({target[i + lead]}) must match the existing size "
                               f"({s}) at non-singleton dimension {i + lead}. Target sizes: {list(sizes)}. Tensor sizes: {list(a._data.shape)}")
    return broadcast_to(a, target)


def expand_as(a, other):
    return expand(a, other.shape)


def broadcast_to(a, *shape):
    shape = shape_args(shape, "broadcast_to")
    broadcast_shapes("broadcast_to", a._data.shape, shape)
    in_shape = a._data.shape
    return record(Tensor._wrap(np.broadcast_to(a._data, shape))._view_of(a), (a,), lambda g: (unbroadcast(g, in_shape),), "ExpandBackward0")


def repeat(a, *sizes):
    sizes = shape_args(sizes, "repeat")
    if len(sizes) < a.ndim:
        raise RuntimeError(f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than number of dimensions of tensor ({a.ndim})")
    x = a._data.reshape((1,) * (len(sizes) - a.ndim) + a._data.shape)
    in_shape = a._data.shape

    def backward(g):
        interleaved = tuple(v for r, s in zip(sizes, x.shape) for v in (r, s))
        return (g.reshape(interleaved).sum(axis=tuple(range(0, 2 * len(sizes), 2))).reshape(in_shape),)

    return record(Tensor._wrap(np.tile(x, sizes)), (a,), backward, "RepeatBackward0")


def flip(a, *dims):
    axes = tuple(check_dim(d, a.ndim, "flip") for d in shape_args(dims, "flip"))
    return record(Tensor._wrap(np.flip(a._data, axes)), (a,), lambda g: (np.flip(g, axes),), "FlipBackward0")


def _arrays(tensors, op):
    """The tensors' arrays, promoted to one dtype (as torch.cat and torch.stack do)."""
    if isinstance(tensors, Tensor) or not len(tensors):
        raise RuntimeError(f"{op}: expected a non-empty sequence of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected a sequence of Tensors, got an element of type {type(t).__name__}")
    dtype = tensors[0]._data.dtype
    for t in tensors[1:]:
        if t._data.dtype != dtype:
            dtype = result_dtype(np.empty(1, dtype), np.empty(1, t._data.dtype))
    return [t._data if t._data.dtype == dtype else t._data.astype(dtype) for t in tensors]


def cat(tensors, dim=0):
    tensors = tuple(tensors)
    arrays = _arrays(tensors, "cat")
    axis = check_dim(dim, arrays[0].ndim, "cat")
    if arrays[0].ndim == 0:
        raise RuntimeError("cat: zero-dimensional tensor cannot be concatenated")
    try:
        data = np.concatenate(arrays, axis=axis)
    except ValueError:
        shapes = ", ".join(str(tuple(x.shape)) for x in arrays)
        raise RuntimeError(f"cat: sizes of tensors must match except in dimension {dim}; got shapes {shapes}") from None
    bounds = np.cumsum([x.shape[axis] for x in arrays])[:-1]
    return record(Tensor._wrap(data), tensors, lambda g: tuple(np.split(g, bounds, axis=axis)), "CatBackward0")


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = tuple(tensors)
    arrays = _arrays(tensors, "stack")
    axis = check_dim(dim, arrays[0].ndim + 1, "stack")
    if any(x.shape != arrays[0].shape for x in arrays):
        shapes = ", ".join(str(tuple(x.shape)) for x in arrays)
        raise RuntimeError(f"stack: expects each tensor to be equal size, but got shapes {shapes}")
    data = np.stack(arrays, axis=axis)
    return record(Tensor._wrap(data), tensors, lambda g: tuple(np.moveaxis(g, axis, 0)), "StackBackward0")


def narrow(a, dim, start, length):
    d = check_dim(dim, a.ndim, "narrow")
    return ops.getitem(a, (slice(None),) * d + (slice(start, start + length),))


def select(a, dim, index):
    d = check_dim(dim, a.ndim, "select")
    return ops.getitem(a, (slice(None),) * d + (index,))


def split(a, split_size_or_sections, dim=0):
    d = check_dim(dim, a.ndim, "split")
    n = a._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise RuntimeError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, n - s) for s in range(0, n, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split: split sizes {sizes} do not sum to the size {n} of dimension {dim}")
    starts = np.cumsum([0] + sizes[:-1])
    return tuple(narrow(a, d, int(s), k) for s, k in zip(starts, sizes))


def chunk(a, chunks, dim=0):
    d = check_dim(dim, a.ndim, "chunk")
    return split(a, max(-(-a._data.shape[d] // chunks), 1), d)


def unbind(a, dim=0):
    d = check_dim(dim, a.ndim, "unbind")
    return tuple(select(a, d, i) for i in range(a._data.shape[d]))


def roll(a, shifts, dims=None):
    """Elements shifted cyclically along dims (over the flattened tensor when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: 0")
        x = a._data
        data = np.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
        return record(Tensor._wrap(data), (a,), lambda g: (np.roll(g.reshape(-1), -shifts[0]).reshape(g.shape),),
                      "RollBackward0")
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}")
    axes = tuple(check_dim(d, a.ndim, "roll") for d in dims)
    back = tuple(-s for s in shifts)
    if a.ndim == 0:
        return record(Tensor._wrap(a._data.copy()), (a,), lambda g: (g,), "RollBackward0")
    return record(Tensor._wrap(np.roll(a._data, shifts, axes)), (a,), lambda g: (np.roll(g, back, axes),),
                  "RollBackward0")


def repeat_interleave(a, repeats=None, dim=None, *, output_size=None):
    """Each element (each slice along dim) repeated `repeats` times (an int or one count per slice);
    repeat_interleave(counts) alone gives each index i repeated counts[i] times."""
    if repeats is None:  # torch.repeat_interleave(repeats): the indices, repeated
        counts = a._data
        if counts.ndim > 1 or counts.dtype.kind not in "iu":
            raise RuntimeError(f"repeat_interleave: repeats must be a 0-dim or 1-dim integer tensor, got shape "
                               f"{tuple(counts.shape)} and dtype {counts.dtype}")
        if np.any(counts < 0):
            raise RuntimeError("repeat_interleave: repeats must be non-negative")
        return Tensor._wrap(np.repeat(np.arange(counts.size, dtype=np.int64), counts.reshape(-1)))
    x = a._data
    if dim is None:
        x, axis = x.reshape(-1), 0
    else:
        axis = check_dim(dim, x.ndim, "repeat_interleave")
        if x.ndim == 0:
            x = x.reshape(1)
    n = x.shape[axis]
    if isinstance(repeats, Tensor):
        if repeats.ndim > 1 or repeats.dtype.kind not in "iu":
            raise RuntimeError(f"repeat_interleave: repeats must be a 0-dim or 1-dim integer tensor, got shape "
                               f"{tuple(repeats.shape)} and dtype {repeats.dtype}")
        reps = repeats._data.reshape(-1)
        if reps.size == 1:
            reps = np.full(n, reps[0])
        elif reps.size != n:
            raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {reps.size} and input.size({axis}) = {n}")
    else:
        reps = np.full(n, int(repeats))
    if np.any(reps < 0):
        raise RuntimeError("repeat_interleave: repeats must be non-negative")
    if output_size is not None and int(reps.sum()) != output_size:
        raise RuntimeError(f"repeat_interleave: output_size {output_size} does not match the sum of repeats "
                           f"{int(reps.sum())}")
    source = np.repeat(np.arange(n), reps)
    in_shape = a._data.shape

    def backward(g):
        grad = np.zeros(x.shape, dtype=g.dtype)
        np.add.at(np.moveaxis(grad, axis, 0), source, np.moveaxis(g, axis, 0))
        return (grad.reshape(in_shape),)

    return record(Tensor._wrap(np.take(x, source, axis)), (a,), backward, "RepeatInterleaveBackward0")


def _joined(tensors, op):
    tensors = tuple(tensors)
    if isinstance(tensors, Tensor) or not tensors:
        raise RuntimeError(f"{op}: expected a non-empty sequence of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected a sequence of Tensors, got an element of type {type(t).__name__}")
    return tensors


def hstack(tensors):
    """Concatenate column-wise: along dim 0 for 1-D tensors (0-d ones count as 1-D), else dim 1."""
    ts = [t if t.ndim else reshape(t, 1) for t in _joined(tensors, "hstack")]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors):
    """Concatenate row-wise (along dim 0), 0-d and 1-D tensors taken as rows (1, n)."""
    return cat([t if t.ndim >= 2 else reshape(t, 1, -1) for t in _joined(tensors, "vstack")], 0)


row_stack = vstack


def column_stack(tensors):
    """Concatenate along dim 1, 0-d and 1-D tensors taken as columns (n, 1)."""
    return cat([t if t.ndim >= 2 else reshape(t, -1, 1) for t in _joined(tensors, "column_stack")], 1)


from .. import ops  # noqa: E402  (getitem lives in ops.indexing)
