"""torch.cpu.amp and torch.cuda.amp: torch's deprecated spellings of torch.amp.autocast(device)
and torch.amp.GradScaler(device), one pair per device, each warning as torch does."""
import warnings

from .autocast_mode import autocast as _autocast
from .grad_scaler import GradScaler as _GradScaler


def device_aliases(device):
    """(autocast, GradScaler) of torch.<device>.amp."""
    module = f"retroprop.{device}.amp"

    class autocast(_autocast):
        __doc__ = (f"torch.{device}.amp.autocast(args...): torch.amp.autocast('{device}', args...) with a "
                   "FutureWarning.")

        def __init__(self, enabled=True, dtype=None, cache_enabled=True):
            warnings.warn(f"`torch.{device}.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast("
                          f"'{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)

    class GradScaler(_GradScaler):
        __doc__ = (f"torch.{device}.amp.GradScaler(args...): torch.amp.GradScaler('{device}', args...) with a "
                   "FutureWarning.")

        def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                     enabled=True):
            warnings.warn(f"`torch.{device}.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler("
                          f"'{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval, enabled=enabled)

    for cls in (autocast, GradScaler):
        cls.__module__ = module
        cls.__qualname__ = cls.__name__
    return autocast, GradScaler
