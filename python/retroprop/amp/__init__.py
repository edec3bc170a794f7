"""retroprop.amp: torch.amp's autocast (disabled-only: retroprop has no bfloat16/float16
kernels) and GradScaler (implemented in full)."""
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]
