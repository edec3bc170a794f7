"""Element-wise arithmetic with broadcasting and torch's type promotion: each forward with its
backward right below it. Same-shape, same-dtype operands take the shortest path."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.engine import record
from ._util import as_tensor_pair, promote, unbroadcast


_NUMBER = (float, int)  # exact types: bool is excluded


def _float_and_number(t, n):
    """Whether (t, n) is a float Tensor and a Python number: the fast path, no operand tensor."""
    return type(n) in _NUMBER and isinstance(t, Tensor) and t._data.dtype.kind == "f"


def _pass(g):
    return (g,)


def _negate(g):
    return (-g,)


def _operands(a, b, op):
    """(a, b) as Tensors and (x, y) their arrays, promoted to one dtype."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        a, b = as_tensor_pair(a, b, op)
    x, y = a._data, b._data
    if x.dtype != y.dtype:
        x, y = promote(a, b)
    return a, b, x, y


def _mismatch(op, a, b):
    return RuntimeError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together "
                        f"(sizes must match or be 1 in each trailing dimension)")


def add(a, b, alpha=1):
    if alpha == 1 and not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        if _float_and_number(a, b):
            return record(Tensor._wrap(a._data + b), (a,), _pass, "AddBackward0")
        if _float_and_number(b, a):
            return record(Tensor._wrap(a + b._data), (b,), _pass, "AddBackward0")
    a, b, x, y = _operands(a, b, "add")
    try:
        data = x + y if alpha == 1 else x + alpha * y
    except ValueError:
        raise _mismatch("add", a, b) from None

    def backward(g):
        return (unbroadcast(g, x.shape) if a.requires_grad else None,
                (unbroadcast(g if alpha == 1 else g * alpha, y.shape)) if b.requires_grad else None)

    return record(Tensor._wrap(data), (a, b), backward, "AddBackward0")


def sub(a, b, alpha=1):
    if alpha == 1 and not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        if _float_and_number(a, b):
            return record(Tensor._wrap(a._data - b), (a,), _pass, "SubBackward0")
        if _float_and_number(b, a):
            return record(Tensor._wrap(a - b._data), (b,), _negate, "RsubBackward1")
    a, b, x, y = _operands(a, b, "sub")
    if x.dtype.kind == "b":
        raise RuntimeError("sub: subtraction of two bool tensors is not supported; use logical_xor() instead")
    try:
        data = x - y if alpha == 1 else x - alpha * y
    except ValueError:
        raise _mismatch("sub", a, b) from None

    def backward(g):
        return (unbroadcast(g, x.shape) if a.requires_grad else None,
                unbroadcast(-g if alpha == 1 else -alpha * g, y.shape) if b.requires_grad else None)

    return record(Tensor._wrap(data), (a, b), backward, "SubBackward0")


def rsub(a, b, alpha=1):
    return sub(b, a, alpha)


def _mul_number(t, n):
    return record(Tensor._wrap(t._data * n), (t,), lambda g: (g * n,), "MulBackward0")


def mul(a, b):
    if not isinstance(b, Tensor) and _float_and_number(a, b):
        return _mul_number(a, b)
    if not isinstance(a, Tensor) and _float_and_number(b, a):
        return _mul_number(b, a)
    a, b, x, y = _operands(a, b, "mul")
    try:
        data = x * y
    except ValueError:
        raise _mismatch("mul", a, b) from None

    def backward(g):
        return (unbroadcast(g * y, a._data.shape) if a.requires_grad else None,
                unbroadcast(g * x, b._data.shape) if b.requires_grad else None)

    return record(Tensor._wrap(data), (a, b), backward, "MulBackward0", saved=(a, b))


def div(a, b, rounding_mode=None):
    if rounding_mode is not None:
        return floor_divide(a, b) if rounding_mode == "floor" else _trunc_divide(a, b)
    if _float_and_number(a, b) and b != 0:
        return record(Tensor._wrap(a._data / b), (a,), lambda g: (g / b,), "DivBackward0")
    a, b, x, y = _operands(a, b, "div")
    if x.dtype.kind != "f":  # torch: integer / integer gives the default float dtype
        x = x.astype(_dtype.get_default_dtype())
        y = y.astype(x.dtype)
    try:
        data = x / y
    except ValueError:
        raise _mismatch("div", a, b) from None

    def backward(g):
        return (unbroadcast(g / y, a.shape) if a.requires_grad else None,
                unbroadcast(-g * x / (y * y), b.shape) if b.requires_grad else None)

    return record(Tensor._wrap(data), (a, b), backward, "DivBackward0", saved=(a, b))


def _trunc_divide(a, b):
    a, b, x, y = _operands(a, b, "div")
    return Tensor._wrap(np.trunc(x / y).astype(x.dtype) if x.dtype.kind != "f" else np.trunc(x / y))


def floor_divide(a, b):
    """a // b, rounded towards minus infinity (not differentiable, as in torch)."""
    a, b, x, y = _operands(a, b, "floor_divide")
    try:
        return Tensor._wrap(np.floor_divide(x, y))
    except ValueError:
        raise _mismatch("floor_divide", a, b) from None


def remainder(a, b):
    """a % b with the sign of b (Python's and torch's convention); d/da is 1."""
    a, b, x, y = _operands(a, b, "remainder")
    try:
        data = np.remainder(x, y)
    except ValueError:
        raise _mismatch("remainder", a, b) from None
    sa = a.shape
    return record(Tensor._wrap(data), (a,), lambda g: (unbroadcast(g, sa),), "RemainderBackward0")


def neg(a):
    return record(Tensor._wrap(-a._data), (a,), lambda g: (-g,), "NegBackward0")


def pow(a, b):
    """a ** b for a tensor or number exponent (an int64 exponent tensor on a float base broadcasts)."""
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return _pow_scalar(a, b)
    a, b, x, y = _operands(a, b, "pow")
    try:
        data = _power(x, y)
    except ValueError:
        raise _mismatch("pow", a, b) from None

    def backward(g):
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g * y * _power(x, y - 1), a.shape)
        if b.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * data * np.log(x)
            gb = unbroadcast(np.where((x == 0) & (y >= 0), 0, gb), b.shape)
        return ga, gb

    return record(Tensor._wrap(data), (a, b), backward, "PowBackward1", saved=(a, b))


def _pow_scalar(a, e):
    x = a._data
    if x.dtype.kind != "f" and isinstance(e, float):
        x = x.astype(_dtype.get_default_dtype())
    data = x * x if e == 2 else _power(x, e)

    def backward(g):
        if e == 0:
            return (np.zeros_like(g),)
        return (g * (2 * x if e == 2 else e * _power(x, e - 1)),)

    return record(Tensor._wrap(data), (a,), backward, "PowBackward0", saved=(a,))


def _power(x, y):
    if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise RuntimeError("pow: integers to negative integer powers are not allowed")
    return np.power(x, y)
