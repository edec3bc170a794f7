"""retroprop.nn.functional: torch.nn.functional's names and signatures.

Linear goes through the C++ GEMM (bias and activation in its epilogue), activations and
(log_)softmax through C++ element-wise kernels, cross_entropy through a fused softmax +
cross-entropy kernel; the other losses are single-node NumPy operations.
"""
from ..ops import activation as _act
from ._functional.classification import cross_entropy, nll_loss
from ._functional.linear import _linear_act, linear
from ._functional.misc import dropout, embedding, layer_norm, one_hot
from ._functional.regression import (binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss, l1_loss,
                                     mse_loss, smooth_l1_loss)

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout", "embedding", "gelu",
    "huber_loss", "l1_loss", "layer_norm", "leaky_relu", "linear", "log_softmax", "mse_loss", "nll_loss", "one_hot",
    "relu", "sigmoid", "silu", "smooth_l1_loss", "softmax", "tanh",
]


def _no_inplace(name):
    raise NotImplementedError(f"{name}: inplace=True is not supported; use the out-of-place form")


def relu(input, inplace=False):
    if inplace:
        _no_inplace("relu")
    return _act.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        _no_inplace("leaky_relu")
    return _act.leaky_relu(input, negative_slope)


def gelu(input, approximate="none"):
    return _act.gelu(input, approximate)


def silu(input, inplace=False):
    if inplace:
        _no_inplace("silu")
    return _act.silu(input)


def tanh(input):
    return _act.tanh(input)


def sigmoid(input):
    return _act.sigmoid(input)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _act.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _act.log_softmax(input, dim, dtype)
