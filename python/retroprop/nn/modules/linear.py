"""Linear (y = x W^T + b, one GEMM with the bias in its epilogue via F.linear) and Identity."""
import math

import numpy as np

from ..._device import check_device
from ..._dtype import get_default_dtype
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def new_parameter(shape, device=None, dtype=None):
    """An uninitialised Parameter of `shape` in `dtype` (the default float dtype when None)."""
    check_device(device, "nn.Parameter")
    dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"module parameters must be float32 or float64, got dtype {dtype}")
    return Parameter(np.empty(shape, dtype=dtype))


class Identity(Module):
    """Returns its input unchanged (accepts and ignores any constructor arguments, as torch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x @ weight.T + bias, with weight (out_features, in_features) and torch's initialisation."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = new_parameter((out_features, in_features), device, dtype)
        if bias:
            self.bias = new_parameter((out_features,), device, dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(in), 1/sqrt(in)), torch's long-standing default.
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        p = self._parameters  # one instance-dict hit instead of two __getattr__ fallbacks per call
        return F.linear(input, p["weight"], p["bias"])

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
