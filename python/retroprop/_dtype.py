"""dtypes under torch's names. They are NumPy dtypes, so `t.dtype == retroprop.float32` holds."""
import builtins

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)



class _NamedOnly:
    """A dtype torch has and NumPy lacks (bfloat16): it exists so that code naming it where it
    takes no effect runs (`autocast(dtype=torch.bfloat16, enabled=False)`, a dtype table); making
    a tensor of it raises, naming it."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name  # pickles as the module attribute of that name


bfloat16 = _NamedOnly("bfloat16")

_SUPPORTED = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
# Python types given as dtype= mean what torch makes of them.
_PYTHON_TYPES = {builtins.float: float64, builtins.int: int64, builtins.bool: bool}
_TORCH_NAMES = {float16: "float16", float32: "float32", float64: "float64", uint8: "uint8", int8: "int8",
                int16: "int16", int32: "int32", int64: "int64", bool: "bool"}

_default_dtype = float32


def get_default_dtype():
    return _default_dtype


def set_default_dtype(d):
    """Set the dtype that Python floats and float factories default to (float32 or float64)."""
    global _default_dtype
    d = np.dtype(d)
    if d not in (float32, float64):
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the default type, got {d}")
    _default_dtype = d


def to_dtype(d, op="dtype"):
    """`d` (a retroprop/NumPy dtype, a Python type or a name) as a supported NumPy dtype."""
    if d is None:
        return _default_dtype
    if builtins.isinstance(d, _NamedOnly):
        raise TypeError(f"{op}: dtype {d!r} is not supported by retroprop (NumPy, its array type, has no {d.name})")
    d = _PYTHON_TYPES.get(d, d)
    try:
        d = np.dtype(d)
    except TypeError:
        raise TypeError(f"{op}: {d!r} is not a dtype") from None
    if d not in _SUPPORTED:
        raise TypeError(f"{op}: dtype {d} is not supported by retroprop")
    return d


def torch_name(d):
    """'torch.float64' for float64: how torch spells a dtype in reprs and messages."""
    return "torch." + _TORCH_NAMES.get(d, str(d))


class _DtypeMeta(type):
    def __instancecheck__(cls, obj):
        return (isinstance(obj, np.dtype) and obj in _SUPPORTED) or isinstance(obj, _NamedOnly)

    def __subclasscheck__(cls, sub):
        return builtins.isinstance(sub, builtins.type) and issubclass(sub, np.dtype)


class dtype(metaclass=_DtypeMeta):
    """torch.dtype: retroprop's dtypes are NumPy dtypes, so this is a name for type checks and
    annotations (`isinstance(retroprop.float32, retroprop.dtype)` holds); it makes no instances."""

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.dtype' instances: use retroprop.float32, retroprop.int64, ...")


def _info_dtype(d, op, kinds, other):
    if d is None:
        return _default_dtype
    if not builtins.isinstance(d, (np.dtype, _NamedOnly)) and d not in _PYTHON_TYPES:
        raise TypeError(f"{op}(): argument 'type' (position 1) must be torch.dtype, not {builtins.type(d).__name__}")
    d = to_dtype(d, op)
    if d == bool:
        raise TypeError(f"torch.bool is not supported by torch.{op}")
    if d.kind not in kinds:
        raise TypeError(f"torch.{op}() requires {'a floating point' if op == 'finfo' else 'an integer'} input type. "
                        f"Use torch.{other} to handle '{torch_name(d)}'")
    return d


class finfo:
    """torch.finfo: limits of a floating-point dtype (the default dtype when none is given)."""

    def __init__(self, type=None):
        d = _info_dtype(type, "finfo", "f", "iinfo")
        f = np.finfo(d)
        self.bits = builtins.int(f.bits)
        self.eps = builtins.float(f.eps)
        self.max = builtins.float(f.max)
        self.min = builtins.float(f.min)
        self.tiny = self.smallest_normal = builtins.float(f.smallest_normal)
        self.resolution = builtins.float(10.0 ** -builtins.int(f.precision))  # torch: 0.001 for float16, not 0.0010004
        self.dtype = _TORCH_NAMES[d]

    def __eq__(self, other):
        return builtins.isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """torch.iinfo: limits of an integer dtype."""

    def __init__(self, type):
        d = _info_dtype(type, "iinfo", "iu", "finfo")
        f = np.iinfo(d)
        self.bits = builtins.int(f.bits)
        self.max = builtins.int(f.max)
        self.min = builtins.int(f.min)
        self.dtype = _TORCH_NAMES[d]

    def __eq__(self, other):
        return builtins.isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
