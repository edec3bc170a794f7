"""torch.amp.autocast for retroprop, which computes in float32/float64 only.

`autocast(..., enabled=False)` (the CPU training template's `enabled=use_amp`) does nothing, as
in torch. Enabled, it follows torch where torch itself turns autocast off (device "cuda" without
CUDA, a CPU dtype other than bfloat16/float16: a warning, then nothing) and raises
NotImplementedError where torch would run ops in bfloat16/float16, since retroprop has no such
kernels. So autocast is never active, and is_autocast_enabled() is always False.
"""
import functools
import warnings

import numpy as np

from .. import _dtype

# The device types torch's device-string parser knows; others fail as they do in torch.
_TORCH_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
                       "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


def _check_device_type(device_type, op):
    if device_type not in _TORCH_DEVICE_TYPES:
        raise RuntimeError(f"{op}: expected one of {', '.join(_TORCH_DEVICE_TYPES)} device type at start of device "
                           f"string: {device_type}")


def is_autocast_available(device_type):
    """Whether autocast accepts `device_type`: "cpu" and "cuda", as in torch (even without CUDA).
    Accepted is not active: see the module docstring."""
    if not isinstance(device_type, str):
        raise TypeError(f"is_autocast_available: expected device_type to be a str, got {type(device_type).__name__}")
    _check_device_type(device_type, "is_autocast_available")
    return device_type in ("cpu", "cuda")


def is_autocast_enabled(device_type=None):
    """Whether an autocast region is active (for `device_type`, or CUDA's when None, as in torch):
    always False, since retroprop never enables autocast (see the module docstring)."""
    if device_type is not None:
        if not isinstance(device_type, str):
            raise TypeError(f"is_autocast_enabled: expected device_type to be a str, got {type(device_type).__name__}")
        _check_device_type(device_type, "is_autocast_enabled")
    return False


class autocast:
    """Context manager and decorator: `with autocast("cpu", enabled=False):` or `@autocast(...)`.

    device_type "cpu": disabled does nothing; enabled with dtype None (torch's bfloat16) or
    float16 raises NotImplementedError; enabled with another dtype warns and disables, as torch.
    device_type "cuda": enabled warns that CUDA is not available and disables, as torch does
    without CUDA. Other device types raise RuntimeError (retroprop runs on the CPU only).
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        _check_device_type(device_type, "autocast")
        if device_type not in ("cpu", "cuda"):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}': retroprop runs on "
                               "the CPU only")
        self.device = device_type
        self.fast_dtype = dtype  # None: the device's default (torch's bfloat16 on CPU, float16 on CUDA)
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled:
            if device_type == "cuda":
                warnings.warn("CUDA is not available. Disabling autocast.", UserWarning, stacklevel=2)
                enabled = False
            elif dtype is None or dtype is _dtype.bfloat16 or _is_float16(dtype):
                name = "torch.float16" if _is_float16(dtype) else "torch.bfloat16"
                raise NotImplementedError(
                    f"autocast(device_type='cpu', dtype={name}): retroprop has no bfloat16 or float16 kernels, so "
                    "it cannot run ops in lower precision; pass enabled=False (retroprop computes in float32)")
            else:
                warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                              "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                              UserWarning, stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        if not isinstance(self._enabled, bool):
            raise TypeError(f"autocast: argument 'enabled' must be bool, not {type(self._enabled).__name__}")
        if not isinstance(self._cache_enabled, bool):
            raise TypeError(f"autocast: argument 'cache_enabled' must be bool, not "
                            f"{type(self._cache_enabled).__name__}")
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorate_autocast


def _is_float16(dtype):
    try:
        return np.dtype(dtype) == _dtype.float16
    except TypeError:
        return False


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for an autograd.Function's forward, as torch.amp.custom_fwd. Its casts apply
    only inside an active autocast region, which retroprop never has, so forward runs as written."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    _check_device_type(device_type, "custom_fwd")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for an autograd.Function's backward, as torch.amp.custom_bwd: backward runs in
    forward's autocast state, which in retroprop is always disabled, so it runs as written."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    _check_device_type(device_type, "custom_bwd")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        return bwd(*args, **kwargs)

    return decorate_bwd
