"""The Tensor: an n-dimensional array over a NumPy buffer, recording operations for backward.

A Tensor owns no memory of its own: `_data` is a NumPy array (zero-copy with `from_numpy` and
`.numpy()`). Operations live in `retroprop.ops` (forward and backward side by side); the
methods here are thin delegations to them. The graph is the chain of `_node`s (autograd.engine).
"""
import numpy as np

from .autograd.grad_mode import is_grad_enabled

_DEFAULT_FLOAT = np.dtype(np.float32)
_SUPPORTED = {np.dtype(t) for t in (np.float32, np.float64, np.int64, np.bool_)}


class Tensor:
    """An array of float32, float64, int64 or bool values, viewing a NumPy buffer."""

    __slots__ = ("_data", "requires_grad", "grad", "_node", "_version", "__weakref__")

    def __init__(self, data, requires_grad=False):
        self._data = data._data if isinstance(data, Tensor) else np.asarray(data)
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._node = None
        self._version = 0

    @classmethod
    def _wrap(cls, data):
        """A Tensor over NumPy array `data`, without checks (the operations' fast path)."""
        t = object.__new__(Tensor)
        t._data = data
        t.requires_grad = False
        t.grad = None
        t._node = None
        t._version = 0
        return t

    # --- attributes -----------------------------------------------------------------------
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
    def grad_fn(self):
        return self._node

    @property
    def is_leaf(self):
        return self._node is None

    @property
    def T(self):
        if self._data.ndim > 2:
            raise ValueError(f"T: expected a tensor of at most 2 dimensions, got shape {self.shape}")
        return ops.transpose(self, 0, 1) if self._data.ndim == 2 else self

    def numpy(self):
        """The underlying NumPy array (no copy), also for a tensor that requires grad."""
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def detach(self):
        return Tensor._wrap(self._data)

    def requires_grad_(self, requires_grad=True):
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        self.requires_grad = bool(requires_grad)
        return self

    # --- autograd -------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) * gradient into every leaf's `.grad`."""
        from .autograd.engine import run_backward

        if not self.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = np.ones(self.shape, dtype=self.dtype)
        else:
            g = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=self.dtype)
            if g.shape != self.shape:
                raise RuntimeError(f"backward: gradient of shape {g.shape} does not match the tensor's shape {self.shape}")
        run_backward([self], [g], retain_graph=bool(retain_graph))

    # --- operators ------------------------------------------------------------------------
    def __add__(self, other):
        return ops.add(self, other)

    def __radd__(self, other):
        return ops.add(other, self)

    def __sub__(self, other):
        return ops.sub(self, other)

    def __rsub__(self, other):
        return ops.sub(other, self)

    def __mul__(self, other):
        return ops.mul(self, other)

    def __rmul__(self, other):
        return ops.mul(other, self)

    def __truediv__(self, other):
        return ops.div(self, other)

    def __rtruediv__(self, other):
        return ops.div(other, self)

    def __neg__(self):
        return ops.neg(self)

    def __matmul__(self, other):
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    # --- methods delegating to ops --------------------------------------------------------
    def sum(self, dim=None, keepdim=False, dtype=None):
        return ops.sum(self, dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, dtype=None):
        return ops.mean(self, dim, keepdim, dtype)

    def reshape(self, *shape):
        return ops.reshape(self, *shape)

    def transpose(self, dim0, dim1):
        return ops.transpose(self, dim0, dim1)

    def relu(self):
        return ops.relu(self)

    def matmul(self, other):
        return ops.matmul(self, other)

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        extras = []
        if self._data.dtype not in (_DEFAULT_FLOAT, np.dtype(np.int64), np.dtype(np.bool_)):
            extras.append(f"dtype=torch.{self._data.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn=<{self._node.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"


def from_numpy(array):
    """A Tensor sharing memory with `array` (no copy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array)


def tensor(data, dtype=None, requires_grad=False):
    """A Tensor holding a copy of `data`; Python floats become float32, as in torch."""
    src = data._data if isinstance(data, Tensor) else data
    arr = np.array(src, dtype=dtype, copy=True)
    if dtype is None and arr.dtype == np.float64 and not isinstance(src, np.ndarray):
        arr = arr.astype(_DEFAULT_FLOAT)
    if dtype is None and arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    t = Tensor._wrap(arr)
    if requires_grad:
        if arr.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def matmul(a, b):
    """Matrix product (torch.matmul): 2-D through retroprop's GEMM, 1-D and batched too."""
    return ops.matmul(a, b)


from . import ops  # noqa: E402  (ops import Tensor from this module)
