"""Helpers shared by the differentiable operations: argument coercion and broadcasting."""
import numpy as np

from .._tensor import Tensor


def as_tensor_pair(a, b, op):
    """(a, b) as Tensors; a Python scalar takes the other operand's dtype (as torch does)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a, b
    if isinstance(a, Tensor):
        return a, scalar_like(b, a, op)
    if isinstance(b, Tensor):
        return scalar_like(a, b, op), b
    raise TypeError(f"{op}: expected at least one Tensor operand, got {type(a).__name__} and {type(b).__name__}")


def scalar_like(x, ref, op):
    """A Python number or array-like as a Tensor, typed to combine with `ref` as torch would."""
    if isinstance(x, (bool, int, float)) or (isinstance(x, np.generic) and x.ndim == 0):
        dtype = ref.dtype
        if isinstance(x, float) and ref.dtype.kind in "iub":
            dtype = np.dtype(np.float32)
        elif isinstance(x, int) and not isinstance(x, bool) and ref.dtype.kind == "b":
            dtype = np.dtype(np.int64)
        return Tensor._wrap(np.asarray(x, dtype=dtype))
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    raise TypeError(f"{op}: unsupported operand type {type(x).__name__}")


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
        raise ValueError(f"{op}: shapes {' and '.join(str(tuple(s)) for s in shapes)} cannot be broadcast together") from None
