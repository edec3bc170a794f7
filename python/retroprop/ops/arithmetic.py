"""Element-wise arithmetic with broadcasting: each forward with its backward right below it."""
import numpy as np

from .._tensor import Tensor
from ..autograd.engine import record
from ._util import as_tensor_pair, broadcast_shapes, unbroadcast


def _binary(a, b, name):
    a, b = as_tensor_pair(a, b, name)
    if a.shape != b.shape:
        broadcast_shapes(name, a.shape, b.shape)
    return a, b


def add(a, b, alpha=1):
    a, b = _binary(a, b, "add")
    out = Tensor._wrap(a._data + b._data if alpha == 1 else a._data + alpha * b._data)

    def backward(g):
        return unbroadcast(g, a.shape), unbroadcast(g if alpha == 1 else g * alpha, b.shape)

    return record(out, (a, b), backward, "AddBackward0")


def sub(a, b, alpha=1):
    a, b = _binary(a, b, "sub")
    out = Tensor._wrap(a._data - b._data if alpha == 1 else a._data - alpha * b._data)

    def backward(g):
        return unbroadcast(g, a.shape), unbroadcast(-g if alpha == 1 else -alpha * g, b.shape)

    return record(out, (a, b), backward, "SubBackward0")


def mul(a, b):
    a, b = _binary(a, b, "mul")
    out = Tensor._wrap(a._data * b._data)

    def backward(g):
        return (unbroadcast(g * b._data, a.shape) if a.requires_grad else None,
                unbroadcast(g * a._data, b.shape) if b.requires_grad else None)

    return record(out, (a, b), backward, "MulBackward0", saved=(a, b))


def div(a, b):
    a, b = _binary(a, b, "div")
    out_data = np.true_divide(a._data, b._data)
    if out_data.dtype == np.float64 and a.dtype.kind in "iub" and b.dtype.kind in "iub":
        out_data = out_data.astype(np.float32)  # torch: int / int gives the default float dtype
    out = Tensor._wrap(out_data)

    def backward(g):
        return (unbroadcast(g / b._data, a.shape) if a.requires_grad else None,
                unbroadcast(-g * a._data / (b._data * b._data), b.shape) if b.requires_grad else None)

    return record(out, (a, b), backward, "DivBackward0", saved=(a, b))


def neg(a):
    out = Tensor._wrap(-a._data)
    return record(out, (a,), lambda g: (-g,), "NegBackward0")
