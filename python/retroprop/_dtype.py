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
