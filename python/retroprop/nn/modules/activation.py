"""Activation modules: thin wrappers over nn.functional, with torch's constructor arguments and reprs.

`inplace=True` is accepted (scripts pass it often) but the module computes out of place: the
returned values are the same, only the input tensor is left unmodified.
"""
from .. import functional as F
from .module import Module


class ReLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    def forward(self, input):
        return F.sigmoid(input)


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


def fused_activation_spec(module):
    """(act, negative_slope) for F._linear_act equivalent to `module`, or None if it cannot be fused.

    Only the exact classes qualify (a subclass may override forward), and only without hooks.
    """
    if module._has_hooks:
        return None
    kind = type(module)
    if kind is LeakyReLU:
        return "leaky_relu", module.negative_slope
    if kind is GELU:
        return ("gelu" if module.approximate == "none" else "gelu_tanh"), 0.01
    name = _FUSABLE.get(kind)
    return None if name is None else (name, 0.01)


_FUSABLE = {ReLU: "relu", SiLU: "silu", Tanh: "tanh", Sigmoid: "sigmoid"}
