"""Helpers shared by the differentiable operations: argument coercion, type promotion,
broadcasting and dimension checks."""
import functools
import inspect
import operator

import numpy as np

from .. import _dtype
from .._tensor import Tensor

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def result_dtype(a, b):
    """torch's type promotion for two arrays: a 0-d operand only decides the dtype when it is of
    a higher category (bool < integer < float) than the other; int and float give the float."""
    da, db = a.dtype, b.dtype
    if da == db:
        return da
    ca, cb = _CATEGORY[da.kind], _CATEGORY[db.kind]
    if (a.ndim == 0) != (b.ndim == 0):
        zero, full = (da, db) if a.ndim == 0 else (db, da)
        czero, cfull = (ca, cb) if a.ndim == 0 else (cb, ca)
        return zero if czero > cfull else full
    if ca != cb:
        return da if ca > cb else db
    return np.promote_types(da, db)


def promote(a, b):
    """(a, b) as NumPy arrays of their common dtype (no copies when they agree)."""
    x, y = a._data, b._data
    if x.dtype != y.dtype:
        d = result_dtype(x, y)
        x = x if x.dtype == d else x.astype(d)
        y = y if y.dtype == d else y.astype(d)
    return x, y


def as_tensor_pair(a, b, op):
    """(a, b) as Tensors; a Python scalar takes the other operand's dtype (as torch does)."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            return a, b
        return a, scalar_like(b, a, op)
    if isinstance(b, Tensor):
        return scalar_like(a, b, op), b
    raise TypeError(f"{op}: expected at least one Tensor operand, got {type(a).__name__} and {type(b).__name__}")


def scalar_like(x, ref, op):
    """A Python number or array-like as a Tensor, typed to combine with `ref` as torch would."""
    if isinstance(x, (bool, int, float)) or (isinstance(x, np.generic) and x.ndim == 0):
        dtype = ref.dtype
        kind = ref.dtype.kind
        if kind in "iub" and isinstance(x, (float, np.floating)):
            dtype = _dtype.get_default_dtype()
        elif kind == "b" and not isinstance(x, (bool, np.bool_)):
            dtype = np.dtype(np.int64)
        return Tensor._wrap(np.asarray(x, dtype=dtype))
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    if isinstance(x, (list, tuple)):
        return Tensor._wrap(np.asarray(x, dtype=ref.dtype if ref.dtype.kind == "f" else None))
    raise TypeError(f"{op}: unsupported operand type {type(x).__name__}")


def as_tensor(x, op):
    """`x` as a Tensor (Python numbers and lists as torch.tensor would make them)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float, list, tuple, np.ndarray, np.generic)):
        arr = np.asarray(x)
        if arr.dtype == np.float64 and not isinstance(x, (np.ndarray, np.generic)):
            arr = arr.astype(_dtype.get_default_dtype())
        return Tensor._wrap(arr)
    raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")


def unbroadcast(g, shape):
    """Sum gradient `g` down to `shape`, undoing NumPy broadcasting."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, (gs, s) in enumerate(zip(g.shape, shape)) if s == 1 and gs != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def broadcast_shapes(op, *shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(f"{op}: shapes {' and '.join(str(tuple(s)) for s in shapes)} cannot be broadcast together") from None


def check_dim(d, ndim, op):
    """Dimension `d` of a tensor with `ndim` dimensions, made non-negative (IndexError if out of range)."""
    n = ndim if ndim else 1
    if not -n <= d < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d % n


def check_dims(dim, ndim, op):
    """`dim` (None, an int or a sequence of ints) as a tuple of non-negative axes, or None for all."""
    if dim is None:
        return None
    if type(dim) is int and -ndim <= dim < ndim:
        return (dim % ndim,)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    axes = tuple(check_dim(d, ndim, op) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"{op}: dim {dims} appears multiple times in the list of dims")
    return axes if ndim else ()


def shape_args(args, op):
    """Sizes given as varargs (2, 3) or as one sequence ((2, 3) or [2, 3]) as a tuple of ints."""
    if len(args) == 1:
        first = args[0]
        if isinstance(first, (tuple, list)):
            args = tuple(first)
        elif isinstance(first, Tensor):
            args = tuple(first._data.tolist())
    for s in args:
        if type(s) is not int:
            break
    else:
        return args  # the common case: plain ints
    try:
        return tuple(operator.index(s) for s in args)
    except TypeError:
        raise TypeError(f"{op}: expected a sequence of integers as the size, got {args!r}") from None


def require_float(a, op):
    if a.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating-point tensor, got {a.dtype}")


def accept_axis(fn):
    """fn also taking NumPy's `axis=` keyword as an alias of its `dim` argument, as torch does
    for its reductions and joins; giving both is a TypeError (as in torch)."""
    pos = list(inspect.signature(fn).parameters).index("dim")
    name = fn.__name__

    @functools.wraps(fn)
    def with_axis(*args, **kwargs):
        if "axis" in kwargs:
            axis = kwargs.pop("axis")
            if "dim" in kwargs or len(args) > pos:
                raise TypeError(f"{name}(): got both 'dim' and 'axis' (an alias of 'dim'); pass only one")
            kwargs["dim"] = axis
        return fn(*args, **kwargs)

    return with_axis
