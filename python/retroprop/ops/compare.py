"""Comparisons and logical functions: bool results, outside the graph (no gradient)."""
import numpy as np

from .._tensor import Tensor
from ._util import as_tensor, as_tensor_pair, promote


def _compare(a, b, op, fn):
    a, b = as_tensor_pair(a, b, op)
    x, y = promote(a, b)
    try:
        return Tensor._wrap(fn(x, y))
    except ValueError:
        raise RuntimeError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together") from None


def eq(a, b):
    return _compare(a, b, "eq", np.equal)


def ne(a, b):
    return _compare(a, b, "ne", np.not_equal)


def lt(a, b):
    return _compare(a, b, "lt", np.less)


def le(a, b):
    return _compare(a, b, "le", np.less_equal)


def gt(a, b):
    return _compare(a, b, "gt", np.greater)


def ge(a, b):
    return _compare(a, b, "ge", np.greater_equal)


def _eq_operator(a, b):
    return False if b is None else eq(a, b)


def _ne_operator(a, b):
    return True if b is None else ne(a, b)


def logical_not(a):
    return Tensor._wrap(np.logical_not(as_tensor(a, "logical_not")._data))


def logical_and(a, b):
    return _compare(a, b, "logical_and", np.logical_and)


def logical_or(a, b):
    return _compare(a, b, "logical_or", np.logical_or)


def logical_xor(a, b):
    return _compare(a, b, "logical_xor", np.logical_xor)


def _bitwise(a, b, op, fn):
    a, b = as_tensor_pair(a, b, op)
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        raise TypeError(f"{op}: expected integer or bool tensors, got {a.dtype} and {b.dtype}")
    x, y = promote(a, b)
    return Tensor._wrap(fn(x, y))


def bitwise_and(a, b):
    return _bitwise(a, b, "bitwise_and", np.bitwise_and)


def bitwise_or(a, b):
    return _bitwise(a, b, "bitwise_or", np.bitwise_or)


def bitwise_xor(a, b):
    return _bitwise(a, b, "bitwise_xor", np.bitwise_xor)


def bitwise_not(a):
    if a.dtype.kind == "f":
        raise TypeError(f"bitwise_not: expected an integer or bool tensor, got {a.dtype}")
    return Tensor._wrap(np.invert(a._data))


def isnan(a):
    return Tensor._wrap(np.isnan(a._data))


def isinf(a):
    return Tensor._wrap(np.isinf(a._data))


def isfinite(a):
    return Tensor._wrap(np.isfinite(a._data))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    x, y = promote(*as_tensor_pair(a, b, "isclose"))
    return Tensor._wrap(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + rtol * |b| everywhere (a Python bool, as torch.allclose)."""
    return bool(isclose(a, b, rtol, atol, equal_nan)._data.all())


def equal(a, b):
    """True when a and b have the same shape and values."""
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))
