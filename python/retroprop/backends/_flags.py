"""Process-wide switches torch keeps in its C++ context: deterministic algorithms and the float32
matmul precision (which torch.backends.cuda.matmul.allow_tf32 reads and writes too).

They are recorded and read back as torch does; none changes retroprop's numerics, which have one
float32 precision and are deterministic already (see use_deterministic_algorithms).
"""
import types
import warnings

_MATMUL_PRECISIONS = ("highest", "high", "medium")
_state = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}


def _check_bool(value, setter):
    if not isinstance(value, bool):
        raise RuntimeError(f"{setter} expects a bool, but got {type(value).__name__}")
    return value


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record whether deterministic algorithms are requested, as torch does.

    retroprop is deterministic whatever this says: its C++ kernels split work over threads in
    fixed, shape-only blocks and never split a product's K across threads, so no result's bits
    depend on the thread count or on which thread ran which block (ARCHITECTURE.md), and the
    rest runs in NumPy in a fixed order. The same inputs on the same instruction-set path
    (`retroprop.config()`) give the same bits run after run; different paths (AVX2 vs
    baseline) may differ in the last bits. tests/backends/test_flags.py checks this."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' (position 1) must be bool, "
                        f"not {type(mode).__name__}")
    if not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'warn_only' must be bool, "
                        f"not {type(warn_only).__name__}")
    _state["deterministic"] = mode
    _state["warn_only"] = warn_only


def are_deterministic_algorithms_enabled():
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _state["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """torch's alternative spelling of use_deterministic_algorithms: 0/"default" off,
    1/"warn" on with warn_only, 2/"error" on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, "
                               f"but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int) or isinstance(debug_mode, bool):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _state["deterministic"]:
        return 0
    return 1 if _state["warn_only"] else 2


def set_float32_matmul_precision(precision):
    """Record "highest", "high" or "medium", as torch does; retroprop's float32 products are
    always computed in full float32 (it has no TF32 or bfloat16 paths), whatever is set.
    Like torch, any other string warns and leaves the setting unchanged."""
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in _MATMUL_PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _state["matmul_precision"]


class BoolFlag:
    """A module attribute that holds a bool, rejecting anything else with torch's message."""

    def __init__(self, default, setter):
        self.default, self.setter = default, setter

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, module, owner=None):
        if module is None:
            return self
        return vars(module).get("_flag_" + self.name, self.default)

    def __set__(self, module, value):
        vars(module)["_flag_" + self.name] = _check_bool(value, self.setter)


def make_flag_module(module_name, cls):
    """Give module `module_name` the class `cls` (a ModuleType subclass holding its flags)."""
    import sys

    assert issubclass(cls, types.ModuleType)
    sys.modules[module_name].__class__ = cls
