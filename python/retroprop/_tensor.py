"""The Tensor: an n-dimensional array over a NumPy buffer, recording operations for backward.

A Tensor owns no memory of its own: `_data` is a NumPy array (zero-copy with `from_numpy` and
`.numpy()`). Operations live in `retroprop.ops` (forward and backward side by side); the
methods here are thin delegations to them, most bound straight to the op functions at the end
of this file so that a method call costs no more than the function call. The graph is the
chain of `_node`s (autograd.engine).
"""
import numpy as np

from . import _dtype
from ._printing import tensor_repr as _repr  # torch's _tensor_str rules
from ._device import CPU, check_device, device as _device_cls, unavailable as _device_unavailable


class Size(tuple):
    """torch.Size: a tuple of dimension sizes (`Tensor.shape` and `Tensor.size()`); equal to the plain tuple."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        out = []
        for i, s in enumerate(sizes):
            if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
                out.append(int(s))
            elif isinstance(s, Tensor) and s._data.size == 1 and s._data.dtype.kind in "iu":
                out.append(int(s._data))
            else:
                raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')")
        return tuple.__new__(cls, out)

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        if isinstance(key, slice):
            return tuple.__new__(Size, tuple.__getitem__(self, key))
        return tuple.__getitem__(self, key)

    def __add__(self, other):
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        return tuple.__new__(Size, tuple(other) + tuple(self))

    def __mul__(self, n):
        return tuple.__new__(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__


def _is_size_int(a):
    return isinstance(a, (int, np.integer)) and not isinstance(a, bool)


def _legacy_new(args, dtype, op, strict):
    """The NumPy array for torch's legacy constructors (`Tensor(...)`, `FloatTensor(...)`, `t.new(...)`):
    no argument -> empty (0,); ints or one torch.Size -> uninitialised of that shape; data -> a copy
    as `dtype` (an ndarray already of `dtype` is shared, as torch does). A Tensor is aliased; with
    `strict` it must already be of `dtype`. Returns (array, source tensor or None)."""
    if not args:
        return np.empty((0,), dtype), None
    if len(args) == 1 and isinstance(args[0], Size):
        args = tuple(args[0])
    if all(_is_size_int(a) for a in args):
        shape = tuple(int(a) for a in args)
        for s in shape:
            if s < 0:
                raise RuntimeError(f"{op}: trying to create tensor with negative dimension {s}: {list(shape)}")
        return np.empty(shape, dtype), None
    if len(args) > 1:
        raise TypeError(f"{op}: expected sizes (ints) or one data argument, got "
                        f"({', '.join(type(a).__name__ for a in args)})")
    data = args[0]
    if isinstance(data, Tensor):
        if strict and data._data.dtype != dtype:
            raise TypeError(f"{op}: expected a tensor of dtype {_dtype.torch_name(dtype)}, got one of "
                            f"{_dtype.torch_name(data._data.dtype)}")
        return data._data, data
    if isinstance(data, np.ndarray):
        return np.asarray(data, dtype=dtype), None
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{op}: invalid data type '{type(data).__name__}'")
    if not (hasattr(type(data), "__len__") and hasattr(type(data), "__getitem__")):
        raise TypeError(f"{op}: data must be a sequence (got {type(data).__name__})")
    return np.array(data, dtype=dtype), None


class Tensor:
    """An array of float, integer or bool values, viewing a NumPy buffer."""

    # _vc: the version counter, a one-element list shared by a tensor and its views (as in torch),
    # so that writing through a view is seen by a backward that saved the base, and vice versa.
    __slots__ = ("_data", "requires_grad", "_grad", "_node", "_vc", "_retain", "__weakref__")

    def __init__(self, *args, size=None, device=None):
        """torch's legacy constructor: `Tensor(2, 3)` / `Tensor(torch.Size([2, 3]))` / `Tensor(size=(2, 3))`
        uninitialised, `Tensor()` empty, `Tensor(data)` a copy as the default float dtype, `Tensor(tensor)` an alias."""
        check_device(device, "Tensor")
        if size is not None:
            if args:
                raise TypeError("Tensor: size= cannot be combined with positional arguments")
            args = (Size(size),)
        data, src = _legacy_new(args, _dtype.get_default_dtype(), "Tensor", strict=False)
        self._init(data, False)
        if src is not None:
            self._vc = src._vc

    def _init(self, data, requires_grad=False):
        """Set up a new tensor over `data` (a Tensor's array is shared, an ndarray kept, anything
        else converted with the default float dtype): what subclasses such as Parameter call."""
        if isinstance(data, Tensor):
            data = data._data
        elif not isinstance(data, np.ndarray):
            data = np.array(data, dtype=_dtype.get_default_dtype())
        self._data = data
        self._grad = None
        self._node = None
        self._vc = [0]
        self._retain = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, data):
        """A Tensor over NumPy array `data`, without checks (the operations' fast path)."""
        if type(data) is not np.ndarray:
            data = np.asarray(data)  # NumPy returns scalars, not 0-d arrays, from 0-d operations
        t = object.__new__(Tensor)
        t._data = data
        t.requires_grad = False
        t._grad = None
        t._node = None
        t._vc = [0]
        t._retain = False
        return t

    def _view_of(self, base):
        """Share `base`'s version counter when this tensor's array is a view (not a copy)."""
        if self._data.base is not None:
            self._vc = base._vc
        return self

    @property
    def _version(self):
        """How many in-place writes this tensor's memory has seen (checked by backward)."""
        return self._vc[0]

    @_version.setter
    def _version(self, value):
        self._vc[0] = value

    # --- attributes -----------------------------------------------------------------------
    @property
    def shape(self):
        return tuple.__new__(Size, self._data.shape)

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def device(self):
        return CPU

    is_cuda = False
    __array_priority__ = 1000  # ndarray (op) Tensor defers to the Tensor's reflected operator, as with torch

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def size(self, dim=None):
        if dim is None:
            return tuple.__new__(Size, self._data.shape)
        return self._data.shape[ops.check_dim(dim, self._data.ndim, "size")]

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def get_device(self):
        return -1

    @property
    def grad_fn(self):
        return self._node

    @property
    def is_leaf(self):
        return self._node is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                                   f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor are the same size")
            if value.dtype != self.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{value.dtype}' to a tensor with dtype "
                                   f"'{self.dtype}'. The gradient must match the tensor's dtype")
        self._grad = value

    @property
    def data(self):
        """This tensor's values as a tensor outside the graph (sharing memory, not the version:
        writes through .data are deliberately unseen by autograd, as in torch)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def retains_grad(self):
        return self._retain

    @property
    def T(self):
        return ops.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return ops.transpose(self, -2, -1)

    # --- conversions ----------------------------------------------------------------------
    def numpy(self, force=False):
        """The underlying NumPy array (no copy), also for a tensor that requires grad."""
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __dlpack__(self, *args, **kwargs):
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'more than one value' if self._data.size else 'no values'} is ambiguous")
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (ops.select(self, 0, i) for i in range(self._data.shape[0]))

    __hash__ = object.__hash__  # by identity, as torch (== is element-wise)

    def detach(self):
        t = Tensor._wrap(self._data)
        t._vc = self._vc
        return t

    def detach_(self):
        self._node = None
        self.requires_grad = False
        return self

    def contiguous(self, memory_format=None):
        return self if self._data.flags.c_contiguous else ops.clone(self)

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def to(self, *args, **kwargs):
        """A tensor of the requested dtype (self when unchanged); devices other than the CPU raise."""
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None), "to")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, _device_cls, int)) and not isinstance(a, bool):
                check_device(a, "to")
            else:
                dtype = a
        if dtype is None:
            return ops.clone(self) if kwargs.get("copy") else self
        dtype = _dtype.to_dtype(dtype, "to")
        if dtype == self._data.dtype and not kwargs.get("copy"):
            return self
        return ops.to_dtype(self, dtype)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, *args, **kwargs):
        check_device("cuda", "cuda")

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """`t.type()` -> 'torch.FloatTensor'; `t.type(torch.LongTensor)`, `t.type('torch.LongTensor')`
        or `t.type(torch.int64)` -> converted (self when unchanged)."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self._data.dtype, "Tensor")
        if isinstance(dtype, _LegacyTensorType):
            dtype = dtype.dtype
        elif dtype is Tensor:
            dtype = _dtype.get_default_dtype()
        elif isinstance(dtype, str):
            name = dtype
            if name.startswith("torch.cuda."):
                raise _device_unavailable(_device_cls("cuda"), f"type({name!r})")
            dtype = _LEGACY_BY_NAME.get(name)
            if dtype is None:
                raise ValueError(f"invalid type: {name!r}")
        return self.to(dtype)

    def new(self, *args, device=None):
        """torch's legacy `t.new(...)`: as `Tensor(...)`, but of self's dtype (a tensor argument must match it)."""
        check_device(device, "new")
        data, src = _legacy_new(args, self._data.dtype, "new", strict=True)
        t = Tensor._wrap(data)
        if src is not None:
            t._vc = src._vc
        return t

    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    def bool(self, memory_format=None):
        return self.to(_dtype.bool)

    def type_as(self, other):
        return self.to(other.dtype)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return _creation.tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.zeros(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.ones(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.empty(*size, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return _creation.full(size, fill_value, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    # --- autograd -------------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        if self._node is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(f"Only Tensors of floating point and complex dtype can require gradients (got {self._data.dtype})")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep the gradient of this non-leaf tensor in `.grad` after backward (leaves always do)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._node is not None:
            self._retain = True

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) * gradient into every leaf's `.grad`."""
        if create_graph:
            raise NotImplementedError("backward(create_graph=True): retroprop does not differentiate through backward")
        if not self.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if gradient is None:
            d = self._data
            if d.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs (got shape {tuple(self.shape)})")
            g = np.ones(d.shape, d.dtype)
        else:
            g = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=self.dtype)
            if g.shape != self.shape:
                raise RuntimeError(f"backward: gradient of shape {g.shape} does not match the tensor's shape {self.shape}")
        run_backward([self], [g], retain_graph=bool(retain_graph), only=inputs)

    # --- operators ------------------------------------------------------------------------
    def __radd__(self, other):
        return ops.add(other, self)

    def __rsub__(self, other):
        return ops.sub(other, self)

    def __rmul__(self, other):
        return ops.mul(other, self)

    def __rtruediv__(self, other):
        return ops.div(other, self)

    def __rpow__(self, other):
        return ops.pow(other, self)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __rfloordiv__(self, other):
        return ops.floor_divide(other, self)

    def __rmod__(self, other):
        return ops.remainder(other, self)

    def __pos__(self):
        return self

    def __iadd__(self, other):
        return ops.add_(self, other)

    def __isub__(self, other):
        return ops.sub_(self, other)

    def __imul__(self, other):
        return ops.mul_(self, other)

    def __itruediv__(self, other):
        return ops.div_(self, other)

    def __rand__(self, other):
        return ops.bitwise_and(other, self)

    def __ror__(self, other):
        return ops.bitwise_or(other, self)

    def where(self, condition, other):
        return ops.where(condition, self, other)

    def relu(self):
        return ops.activation.relu(self)

    def tanh(self):
        return ops.activation.tanh(self)

    def sigmoid(self):
        return ops.activation.sigmoid(self)

    def softmax(self, dim=None, dtype=None):
        return ops.activation.softmax(self, dim, dtype)

    def log_softmax(self, dim=None, dtype=None):
        return ops.activation.log_softmax(self, dim, dtype)

    def __repr__(self):
        return _repr(self)

    def __format__(self, spec):
        """f"{loss:.4f}" formats a 0-d tensor's value, as torch does."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return format(repr(self), spec)


_TYPE_NAMES = {_dtype.float16: "HalfTensor", _dtype.float32: "FloatTensor", _dtype.float64: "DoubleTensor",
               _dtype.uint8: "ByteTensor", _dtype.int8: "CharTensor", _dtype.int16: "ShortTensor",
               _dtype.int32: "IntTensor", _dtype.int64: "LongTensor", _dtype.bool: "BoolTensor"}


class _LegacyTensorType(type):
    """The metaclass of torch's legacy typed tensor classes (FloatTensor, LongTensor, ...): calling
    one constructs like `Tensor(...)` in its dtype; isinstance checks a Tensor's dtype."""

    def __call__(cls, *args, device=None):
        check_device(device, cls.__name__)
        data, src = _legacy_new(args, cls.dtype, cls.__name__, strict=True)
        t = Tensor._wrap(data)
        if src is not None:
            t._vc = src._vc
        return t

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_class(name, dt):
    return _LegacyTensorType(name, (), {"dtype": dt, "__module__": "retroprop", "__slots__": (),
                                        "__doc__": f"torch.{name}: constructs {_dtype.torch_name(dt)} tensors."})


FloatTensor, DoubleTensor, HalfTensor, ByteTensor, CharTensor, ShortTensor, IntTensor, LongTensor, BoolTensor = (
    _legacy_class(_TYPE_NAMES[d], d) for d in (_dtype.float32, _dtype.float64, _dtype.float16, _dtype.uint8,
                                                _dtype.int8, _dtype.int16, _dtype.int32, _dtype.int64, _dtype.bool))
_LEGACY_BY_NAME = {"torch." + n: d for d, n in _TYPE_NAMES.items()}


from . import ops, _creation  # noqa: E402  (ops import Tensor from this module)
from .autograd.engine import run_backward  # noqa: E402

# Methods that are the op functions themselves (self is their first argument).
for _name in ops.TENSOR_METHODS:
    setattr(Tensor, _name, getattr(ops, _name))
for _dunder, _name in ops.TENSOR_OPERATORS.items():
    setattr(Tensor, _dunder, getattr(ops, _name))
del _name, _dunder

from ._creation import from_numpy, tensor  # noqa: E402,F401  (their former home; kept importable)
matmul = ops.matmul
