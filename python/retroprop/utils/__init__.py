"""Utilities in torch.utils's shape: `retroprop.utils.data` (datasets, samplers, DataLoader)."""
from . import data

__all__ = ["data"]
