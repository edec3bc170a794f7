"""Parameter: a leaf Tensor that a Module registers as learnable."""
import numpy as np

from .._tensor import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad by default and is registered by Module attribute assignment."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        self._init(data, requires_grad)  # not Tensor.__init__: that is torch's legacy constructor

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
