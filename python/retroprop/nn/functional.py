"""retroprop.nn.functional: torch.nn.functional's names and signatures.

Linear goes through the C++ GEMM (bias and activation in its epilogue), activations and
(log_)softmax through C++ element-wise kernels, cross_entropy through a fused softmax +
cross-entropy kernel; the other losses are single-node NumPy operations.
"""
from ..ops import activation as _act
from ._functional.classification import cross_entropy, nll_loss
from ._functional.linear import _linear_act, linear
from ._functional.misc import dropout, embedding, layer_norm, one_hot
from ._functional.activation import (celu, celu_, elu, elu_, hardsigmoid, hardswish, hardtanh, hardtanh_, logsigmoid,
                                     mish, prelu, relu6, selu, selu_, softmin, softplus, softsign)
from ._functional.distance import cosine_similarity, normalize, pairwise_distance
from ._functional.dropout import alpha_dropout, dropout1d
from ._functional.pad import pad
from ._functional.normalization import group_norm, rms_norm
from ._functional.regression import (binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss, kl_div,
                                     l1_loss, mse_loss, smooth_l1_loss)

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout", "embedding", "gelu",
    "huber_loss", "l1_loss", "layer_norm", "leaky_relu", "leaky_relu_", "linear", "log_softmax", "mse_loss",
    "nll_loss", "one_hot", "relu", "relu_", "sigmoid", "silu", "smooth_l1_loss", "softmax", "tanh",
]
__all__ += [
    "alpha_dropout", "celu", "celu_", "cosine_similarity", "dropout1d", "elu", "elu_", "hardsigmoid", "hardswish",
    "hardtanh", "hardtanh_", "logsigmoid", "mish", "normalize", "pad", "pairwise_distance", "prelu", "relu6", "selu",
    "selu_", "softmin", "softplus", "softsign", "group_norm", "rms_norm",
]
__all__ += ["kl_div"]


def relu(input, inplace=False):
    return _act.relu_(input) if inplace else _act.relu(input)


def relu_(input):
    return _act.relu_(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _act.leaky_relu_(input, negative_slope) if inplace else _act.leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return _act.leaky_relu_(input, negative_slope)


def gelu(input, approximate="none"):
    return _act.gelu(input, approximate)


def silu(input, inplace=False):
    return _act.silu_(input) if inplace else _act.silu(input)


def tanh(input):
    return _act.tanh(input)


def sigmoid(input):
    return _act.sigmoid(input)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _act.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _act.log_softmax(input, dim, dtype)
