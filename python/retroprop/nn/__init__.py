"""Neural-network building blocks (torch.nn's shape)."""
from .parameter import Parameter
from . import utils

__all__ = ["Parameter"]
