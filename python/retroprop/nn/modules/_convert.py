"""Module.to / float / double / cpu: dtype conversion in place and the CPU-only device check.

Conversion swaps each floating-point parameter's and buffer's array for a converted one but
keeps the Parameter objects themselves (torch's default), so optimizers built before `.to()`
still update the model. Integer buffers (BatchNorm's num_batches_tracked) are left alone.
"""
import numpy as np

from ..._device import check_device
from ..._tensor import Tensor

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _parse_to_args(args, kwargs):
    """(dtype or None) from Module.to's forms: to(device), to(dtype), to(device, dtype), to(tensor)."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"Module.to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (np.dtype, type)):
            dtype = a
        elif a is not None and not isinstance(a, bool):
            device = a
    if device is not None:
        check_device(device, "Module.to")
    if dtype is None:
        return None
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"Module.to: expected a dtype, got {dtype!r}") from None
    if dtype not in _FLOATS:
        raise TypeError(f"Module.to: retroprop modules hold floating point values of float32 or float64 only, "
                        f"got dtype={dtype}")
    return dtype


class ConversionMixin:
    """Module's dtype and device conversions (mixed into Module)."""

    def _cast_floats(self, dtype):
        for module in self.modules():
            for store in (module._parameters, module._buffers):
                for t in store.values():
                    if t is None or t.dtype not in _FLOATS or t.dtype == dtype:
                        continue
                    t._data = t._data.astype(dtype)
                    if t.grad is not None:
                        t.grad._data = t.grad._data.astype(dtype)
        return self

    def to(self, *args, **kwargs):
        """Move to `device` (only 'cpu' exists) and/or cast floating-point state to `dtype`; returns self."""
        dtype = _parse_to_args(args, dict(kwargs))
        return self if dtype is None else self._cast_floats(dtype)

    def float(self):
        return self._cast_floats(np.dtype(np.float32))

    def double(self):
        return self._cast_floats(np.dtype(np.float64))

    def cpu(self):
        return self

    def cuda(self, device=None):
        check_device("cuda", "Module.cuda")  # AssertionError("Torch not compiled with CUDA enabled"), as torch

    def xpu(self, device=None):
        raise RuntimeError("Module.xpu: XPU is not available: retroprop runs on the CPU only")

    def half(self):
        raise NotImplementedError("Module.half: retroprop does not implement float16 (supported: float32, float64)")

    def bfloat16(self):
        raise NotImplementedError("Module.bfloat16: retroprop does not implement bfloat16 "
                                  "(supported: float32, float64)")

    def type(self, dst_type):
        return self._cast_floats(_parse_to_args((dst_type,), {}))

    def share_memory(self):
        return self
