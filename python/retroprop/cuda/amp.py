"""torch.cuda.amp: torch's deprecated spellings of torch.amp.autocast("cuda") and
torch.amp.GradScaler("cuda"). Without CUDA, both warn and disable themselves, as in torch."""
import warnings

from ..amp._deprecated import device_aliases
from ..amp.autocast_mode import custom_bwd as _custom_bwd, custom_fwd as _custom_fwd
from ..amp.grad_scaler import OptState  # noqa: F401  (torch keeps it importable from here)

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd"]


autocast, GradScaler = device_aliases("cuda")


def custom_fwd(fwd=None, *, cast_inputs=None):
    """torch.cuda.amp.custom_fwd: torch.amp.custom_fwd(device_type="cuda") with a FutureWarning."""
    warnings.warn("`torch.cuda.amp.custom_fwd(args...)` is deprecated. Please use `torch.amp.custom_fwd(args..., "
                  "device_type='cuda')` instead.", FutureWarning, stacklevel=2)
    return _custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd=None):
    """torch.cuda.amp.custom_bwd: torch.amp.custom_bwd(device_type="cuda") with a FutureWarning."""
    warnings.warn("`torch.cuda.amp.custom_bwd(args...)` is deprecated. Please use `torch.amp.custom_bwd(args..., "
                  "device_type='cuda')` instead.", FutureWarning, stacklevel=2)
    return _custom_bwd(bwd, device_type="cuda")
