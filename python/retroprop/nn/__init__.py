"""Neural-network building blocks (torch.nn's shape)."""
from .parameter import Parameter

__all__ = ["Parameter"]
