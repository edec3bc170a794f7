"""The Tensor: an n-dimensional array over a NumPy buffer (zero-copy), with matmul in C++."""
import numpy as np

from . import _core

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _gemm_operand(x):
    """x itself when the GEMM can read it in place (one unit stride), else a C-contiguous copy."""
    item = x.itemsize
    if x.strides[1] == item or x.strides[0] == item or x.shape[0] <= 1 or x.shape[1] <= 1:
        if all(s >= 0 for s in x.strides):
            return x
    return np.ascontiguousarray(x)


class Tensor:
    """An array of float32, float64, int64 or bool values, viewing a NumPy buffer."""

    __slots__ = ("_data", "__weakref__")

    def __init__(self, data):
        self._data = data if isinstance(data, np.ndarray) else np.asarray(data)

    @property
    def shape(self):
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    @property
    def T(self):
        if self._data.ndim > 2:
            raise ValueError(f"T: expected a tensor of at most 2 dimensions, got shape {self.shape}")
        return Tensor(self._data.T)

    def numpy(self):
        """The underlying NumPy array (no copy)."""
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        suffix = "" if self._data.dtype == np.float32 else f", dtype={self._data.dtype}"
        return f"tensor({body}{suffix})"


def from_numpy(array):
    """A Tensor sharing memory with `array` (no copy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def tensor(data, dtype=None):
    """A Tensor holding a copy of `data`; Python floats become float32, as in torch."""
    arr = np.array(data._data if isinstance(data, Tensor) else data, dtype=dtype, copy=True)
    if dtype is None and arr.dtype == np.float64 and not isinstance(data, np.ndarray):
        arr = arr.astype(np.float32)
    return Tensor(arr)


def matmul(a, b):
    """Matrix product of two 2-D tensors through retroprop's GEMM."""
    a = a._data if isinstance(a, Tensor) else np.asarray(a)
    b = b._data if isinstance(b, Tensor) else np.asarray(b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"matmul: expected 2-D operands, got shapes {a.shape} and {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied ({a.shape[1]} != {b.shape[0]})")
    if a.dtype != b.dtype:
        raise TypeError(f"matmul: expected both operands to have the same dtype, got {a.dtype} and {b.dtype}")
    if a.dtype not in _FLOAT_DTYPES:
        raise TypeError(f"matmul: expected float32 or float64 operands, got {a.dtype}")
    out = np.empty((a.shape[0], b.shape[1]), dtype=a.dtype)
    _core.gemm(_gemm_operand(a), _gemm_operand(b), out)
    return Tensor(out)
