"""Shape operations (views where NumPy gives views) with their backward."""
import numpy as np

from .._tensor import Tensor
from ..autograd.engine import record


def reshape(a, *shape):
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    try:
        data = a._data.reshape(shape)
    except ValueError:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {a._data.size}") from None
    out = Tensor._wrap(data)
    in_shape = a.shape
    return record(out, (a,), lambda g: (g.reshape(in_shape),), "ViewBackward0")


def transpose(a, dim0, dim1):
    nd = max(a.ndim, 1)
    for d in (dim0, dim1):
        if not -nd <= d < nd:
            raise IndexError(f"transpose: dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {d})")
    if a.ndim < 2:
        return record(Tensor._wrap(a._data), (a,), lambda g: (g,), "TransposeBackward0")
    out = Tensor._wrap(np.swapaxes(a._data, dim0, dim1))
    return record(out, (a,), lambda g: (np.swapaxes(g, dim0, dim1),), "TransposeBackward0")
