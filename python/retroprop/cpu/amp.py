"""torch.cpu.amp: torch's deprecated spellings of torch.amp.autocast("cpu") and
torch.amp.GradScaler("cpu"). dtype None is torch's default here (bfloat16)."""
from ..amp._deprecated import device_aliases

__all__ = ["GradScaler", "autocast"]

autocast, GradScaler = device_aliases("cpu")
