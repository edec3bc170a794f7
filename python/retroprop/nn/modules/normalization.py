"""LayerNorm, GroupNorm and RMSNorm: per-sample normalisations with learnable affine maps."""
import numbers

from .. import functional as F
from .. import init
from .linear import new_parameter
from .module import Module


def _trailing_shape(normalized_shape):
    """normalized_shape as torch keeps it: an int n is (n,), any sequence a tuple of ints."""
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


class _Affine(Module):
    """A normalisation's learnable affine map: a weight (ones) and, when `bias`, a bias (zeros) of
    `shape`, or neither when not `affine` (both registered as None)."""

    def _affine(self, shape, affine, bias, device, dtype):
        self.register_parameter("weight", new_parameter(shape, device, dtype) if affine else None)
        self.register_parameter("bias", new_parameter(shape, device, dtype) if affine and bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)


class LayerNorm(_Affine):
    """Normalises over the trailing `normalized_shape` dimensions of each sample."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _trailing_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self._affine(self.normalized_shape, elementwise_affine, bias, device, dtype)

    def forward(self, input):
        p = self._parameters  # direct lookups: attribute fallback through __getattr__ is slow
        return F.layer_norm(input, self.normalized_shape, p["weight"], p["bias"], self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(_Affine):
    """Normalises each sample's channels (dim 1) in num_groups groups, then a per-channel affine map."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        self._affine((num_channels,), affine, bias, device, dtype)

    def forward(self, input):
        p = self._parameters
        return F.group_norm(input, self.num_groups, p["weight"], p["bias"], self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """Divides by the root mean square over the trailing `normalized_shape` dims (eps None: the
    input dtype's machine epsilon), then scales by a learnable weight."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _trailing_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = new_parameter(self.normalized_shape, device, dtype)
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self._parameters["weight"], self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
