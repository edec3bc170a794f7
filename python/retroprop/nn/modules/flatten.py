"""Flatten and Unflatten: reshape a contiguous range of dimensions."""
import numpy as np

from .module import Module


class Flatten(Module):
    """Flattens dimensions start_dim..end_dim into one (by default all but the batch dimension)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        shape = tuple(input.shape)
        nd = max(len(shape), 1)
        for d in (self.start_dim, self.end_dim):
            if not -nd <= d < nd:
                raise IndexError(f"Flatten: dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                                 f"but got {d})")
        start, end = self.start_dim % nd, self.end_dim % nd
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if not shape:
            return input.reshape(1)
        return input.reshape(shape[:start] + (int(np.prod(shape[start:end + 1])),) + shape[end + 1:])

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expands dimension `dim` into `unflattened_size` (which may hold one -1)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"Unflatten: dim must be an int, got {type(dim).__name__}")
        if not isinstance(unflattened_size, (tuple, list)) or not all(isinstance(s, int) for s in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        nd = input.dim()
        if not -nd <= self.dim < nd:
            raise IndexError(f"Unflatten: dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                             f"but got {self.dim})")
        d = self.dim % nd
        shape = tuple(input.shape)
        return input.reshape(shape[:d] + self.unflattened_size + shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
