"""Element-wise functions (exp, log, clamp, where, ...) and dtype casts, each with its backward.

Integer inputs to floating functions give the default float dtype, as in torch. Functions
with zero derivative almost everywhere (sign, floor, round) still record a node, so their
result requires grad like torch's.
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.engine import record
from ._util import as_tensor, as_tensor_pair, promote, unbroadcast


def _floated(a):
    x = a._data
    return x if x.dtype.kind == "f" else x.astype(_dtype.get_default_dtype())


def exp(a):
    out = Tensor._wrap(np.exp(_floated(a)))
    return record(out, (a,), lambda g: (g * out._data,), "ExpBackward0", saved=(out,))


def expm1(a):
    out = Tensor._wrap(np.expm1(_floated(a)))
    return record(out, (a,), lambda g: (g * (out._data + 1),), "Expm1Backward0", saved=(out,))


def log(a):
    x = _floated(a)
    return record(Tensor._wrap(np.log(x)), (a,), lambda g: (g / x,), "LogBackward0", saved=(a,))


def log1p(a):
    x = _floated(a)
    return record(Tensor._wrap(np.log1p(x)), (a,), lambda g: (g / (1 + x),), "Log1PBackward0", saved=(a,))


def sqrt(a):
    out = Tensor._wrap(np.sqrt(_floated(a)))
    return record(out, (a,), lambda g: (g / (2 * out._data),), "SqrtBackward0", saved=(out,))


def rsqrt(a):
    out = Tensor._wrap(1 / np.sqrt(_floated(a)))
    return record(out, (a,), lambda g: (-0.5 * g * out._data ** 3,), "RsqrtBackward0", saved=(out,))


def square(a):
    x = a._data
    return record(Tensor._wrap(x * x), (a,), lambda g: (2 * g * x,), "PowBackward0", saved=(a,))


def reciprocal(a):
    out = Tensor._wrap(1 / _floated(a))
    return record(out, (a,), lambda g: (-g * out._data * out._data,), "ReciprocalBackward0", saved=(out,))


def abs(a):
    x = a._data
    return record(Tensor._wrap(np.abs(x)), (a,), lambda g: (g * np.sign(x),), "AbsBackward0", saved=(a,))


def sin(a):
    x = _floated(a)
    return record(Tensor._wrap(np.sin(x)), (a,), lambda g: (g * np.cos(x),), "SinBackward0", saved=(a,))


def cos(a):
    x = _floated(a)
    return record(Tensor._wrap(np.cos(x)), (a,), lambda g: (-g * np.sin(x),), "CosBackward0", saved=(a,))


def _zero_grad(g):
    return (np.zeros_like(g),)


def sign(a):
    return record(Tensor._wrap(np.sign(a._data)), (a,), _zero_grad, "SignBackward0")


def floor(a):
    return record(Tensor._wrap(np.floor(a._data)), (a,), _zero_grad, "FloorBackward0")


def ceil(a):
    return record(Tensor._wrap(np.ceil(a._data)), (a,), _zero_grad, "CeilBackward0")


def trunc(a):
    return record(Tensor._wrap(np.trunc(a._data)), (a,), _zero_grad, "TruncBackward0")


def round(a, decimals=0):
    return record(Tensor._wrap(np.round(a._data, decimals)), (a,), _zero_grad, "RoundBackward0")


def _bound(v, x, op):
    """A clamp bound as something NumPy combines with `x` without changing its dtype."""
    if v is None or isinstance(v, (int, float)):
        return v
    if isinstance(v, Tensor):
        return v._data if v._data.dtype == x.dtype else v._data.astype(x.dtype)
    raise TypeError(f"{op}: expected a number or a Tensor as a bound, got {type(v).__name__}")


def clamp(a, min=None, max=None):
    """Limit values to [min, max]; bounds may be numbers or (broadcasting) tensors."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    x = a._data
    if x.dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
        x = x.astype(_dtype.get_default_dtype())
    lo, hi = _bound(min, x, "clamp"), _bound(max, x, "clamp")
    low = x if lo is None else np.maximum(x, lo)
    data = low if hi is None else np.minimum(low, hi)
    bounds = tuple(t for t in (min, max) if isinstance(t, Tensor))

    def backward(g):
        below = x < lo if lo is not None else np.False_
        above = low > hi if hi is not None else np.False_
        grads = [unbroadcast(np.where(below | above, 0, g), a.shape) if a.requires_grad else None]
        if isinstance(min, Tensor):
            grads.append(unbroadcast(np.where(below & ~above, g, 0), min.shape) if min.requires_grad else None)
        if isinstance(max, Tensor):
            grads.append(unbroadcast(np.where(above, g, 0), max.shape) if max.requires_grad else None)
        return grads

    return record(Tensor._wrap(data), (a,) + bounds, backward, "ClampBackward1", saved=(a,) + bounds)


clip = clamp


def clamp_min(a, min):
    return clamp(a, min=min)


def clamp_max(a, max):
    return clamp(a, max=max)


def _extremum(a, b, op, pick):
    a, b = as_tensor_pair(a, b, op)
    x, y = promote(a, b)
    try:
        data = pick(x, y)
    except ValueError:
        raise RuntimeError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together") from None

    def backward(g):
        first = np.where(x == y, 0.5, pick(x, y) == x)  # ties split the gradient, as torch does
        return (unbroadcast(g * first, a.shape) if a.requires_grad else None,
                unbroadcast(g * (1 - first), b.shape) if b.requires_grad else None)

    name = "MaximumBackward0" if pick is np.maximum else "MinimumBackward0"
    return record(Tensor._wrap(data), (a, b), backward, name, saved=(a, b))


def maximum(a, b):
    return _extremum(a, b, "maximum", np.maximum)


def minimum(a, b):
    return _extremum(a, b, "minimum", np.minimum)


def where(condition, a=None, b=None):
    """Elements of a where condition holds, else of b (broadcasting); where(c) gives c's indices."""
    c = as_tensor(condition, "where")._data
    if a is None and b is None:
        return tuple(Tensor._wrap(i) for i in np.nonzero(c))
    if c.dtype != np.bool_:
        raise RuntimeError(f"where: expected a bool condition, got {c.dtype}")
    a, b = as_tensor_pair(a, b, "where")
    x, y = promote(a, b)
    try:
        data = np.where(c, x, y)
    except ValueError:
        raise RuntimeError(f"where: shapes {c.shape}, {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together") from None

    def backward(g):
        return (unbroadcast(np.where(c, g, 0), a.shape) if a.requires_grad else None,
                unbroadcast(np.where(c, 0, g), b.shape) if b.requires_grad else None)

    return record(Tensor._wrap(data), (a, b), backward, "WhereBackward0")


def to_dtype(a, dtype):
    """A copy of `a` cast to `dtype`; the gradient is cast back (none for integer results)."""
    out = Tensor._wrap(a._data.astype(dtype))
    if dtype.kind != "f":
        return out
    src = a._data.dtype
    return record(out, (a,), lambda g: (g.astype(src),), "ToCopyBackward0")


def clone(a, memory_format=None):
    return record(Tensor._wrap(a._data.copy()), (a,), lambda g: (g,), "CloneBackward0")


def lerp(a, end, weight):
    return a + weight * (end - a)


def log2(a):
    x = _floated(a)
    return record(Tensor._wrap(np.log2(x)), (a,), lambda g: (g / (x * np.log(2)),), "Log2Backward0", saved=(a,))


def log10(a):
    x = _floated(a)
    return record(Tensor._wrap(np.log10(x)), (a,), lambda g: (g / (x * np.log(10)),), "Log10Backward0", saved=(a,))


def atan2(a, b):
    """The angle of (b, a) in radians, element-wise with broadcasting (integers give the default float)."""
    a, b = as_tensor_pair(a, b, "atan2")
    x, y = promote(a, b)
    if x.dtype.kind != "f":
        x, y = x.astype(_dtype.get_default_dtype()), y.astype(_dtype.get_default_dtype())
    try:
        data = np.arctan2(x, y)
    except ValueError:
        raise RuntimeError(f"atan2: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast "
                           f"together") from None

    def backward(g):
        r = x * x + y * y
        return (unbroadcast(g * y / r, a.shape) if a.requires_grad else None,
                unbroadcast(-g * x / r, b.shape) if b.requires_grad else None)

    return record(Tensor._wrap(data), (a, b), backward, "Atan2Backward0", saved=(a, b))


arctan2 = atan2


def fmod(a, b):
    """The C remainder a - trunc(a / b) * b: the sign of a (remainder() takes the sign of b)."""
    a, b = as_tensor_pair(a, b, "fmod")
    x, y = promote(a, b)
    if x.dtype.kind in "iu" and np.any(y == 0):
        raise RuntimeError("fmod: integer division by zero (ZeroDivisionError)")
    try:
        data = np.fmod(x, y)
    except ValueError:
        raise RuntimeError(f"fmod: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together") from None

    def backward(g):
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(-g * np.trunc(x / y), b.shape) if b.requires_grad else None)

    return record(Tensor._wrap(data), (a, b), backward, "FmodBackward1", saved=(a, b))


def frac(a):
    """x - trunc(x): the fractional part with the sign of x."""
    x = a._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f'frac: not implemented for {x.dtype} (expected a floating-point tensor)')
    return record(Tensor._wrap(x - np.trunc(x)), (a,), lambda g: (g,), "FracBackward0")


def nan_to_num(a, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (by default 0 and the dtype's
    largest and lowest finite values); integer and bool tensors come back unchanged (a copy)."""
    x = a._data
    if x.dtype.kind != "f":
        return record(Tensor._wrap(x.copy()), (a,), lambda g: (g,), "NanToNumBackward0")
    data = np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
    return record(Tensor._wrap(data), (a,), lambda g: (np.where(np.isfinite(x), g, 0),), "NanToNumBackward0",
                  saved=(a,))
