"""The activations beyond the C++-kernel ones (elu, selu, celu, softplus, hardtanh/relu6, mish,
hardsigmoid, hardswish, softsign, logsigmoid, prelu, softmin): each one recorded operation with a
vectorized NumPy forward and backward, using torch's formulas, its subgradient at each kink, and
overflow-free evaluation (expm1 on min(x, 0), sigmoid through exp(-|x|))."""
import numpy as np

from ..._tensor import Tensor
from ...autograd.engine import record
from ...ops import activation as _act
from ._common import float_tensor, maybe_inplace, same_dtype

# torch's SELU constants (Klambauer et al. 2017), to the digits torch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(t):
    """1 / (1 + exp(-t)) without overflow for any t."""
    e = np.exp(-np.abs(t))
    return np.where(t >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _pointwise(input, fn, node, forward, derivative):
    """forward(x) as one recorded operation whose backward is g * derivative(x)."""
    float_tensor(input, fn)
    x = input._data
    with np.errstate(over="ignore", under="ignore"):
        out = Tensor._wrap(np.asarray(forward(x), dtype=x.dtype))
    if not input.requires_grad:
        return out

    def backward(g):
        with np.errstate(over="ignore", under="ignore"):
            return (np.asarray(g * derivative(x), dtype=x.dtype),)

    return record(out, (input,), backward, node, saved=(input,))


def _elu(input, alpha, scale, input_scale, fn, node):
    """torch's elu family: scale * x for x > 0, else alpha * scale * expm1(x * input_scale); at
    x = 0 the gradient is the negative branch's (alpha * scale * input_scale), as torch."""
    a, s, i = float(alpha), float(scale), float(input_scale)
    return _pointwise(input, fn, node,
                      lambda x: np.where(x > 0, s * x, a * s * np.expm1(np.minimum(x, 0) * i)),
                      lambda x: np.where(x > 0, s, a * s * i * np.exp(np.minimum(x, 0) * i)))


def elu(input, alpha=1.0, inplace=False):
    return maybe_inplace(input, inplace, lambda t: _elu(t, alpha, 1.0, 1.0, "elu", "EluBackward0"), "elu_")


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    return maybe_inplace(input, inplace, lambda t: _elu(t, SELU_ALPHA, SELU_SCALE, 1.0, "selu", "EluBackward0"),
                          "selu_")


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    return maybe_inplace(input, inplace, lambda t: _elu(t, alpha, 1.0, 1.0 / alpha, "celu", "CeluBackward0"),
                          "celu_")


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as torch); computed as
    logaddexp(0, beta x) so a large threshold cannot overflow."""
    b, th = float(beta), float(threshold)
    return _pointwise(input, "softplus", "SoftplusBackward0",
                      lambda x: np.where(x * b > th, x, np.logaddexp(0, x * b) / b),
                      lambda x: np.where(x * b > th, 1.0, _sigmoid(x * b)))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val); the gradient is 1 strictly inside (min_val, max_val), 0 at and
    beyond the bounds (torch's choice at the kinks)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val (got {min_val} and {max_val})")
    if isinstance(input, Tensor) and input._data.dtype.kind in "iu":  # integer input: no gradient, as relu
        if not inplace:
            return Tensor._wrap(np.clip(input._data, min_val, max_val).astype(input._data.dtype))
        np.clip(input._data, min_val, max_val, out=input._data, casting="unsafe")
        input._version += 1
        return input
    lo, hi = float(min_val), float(max_val)
    return maybe_inplace(input, inplace, lambda t: _pointwise(
        t, "hardtanh", "HardtanhBackward0", lambda x: np.clip(x, lo, hi), lambda x: (x > lo) & (x < hi)),
        "hardtanh_")


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def _mish_grad(x):
    t = np.tanh(np.logaddexp(0, x))
    return t + x * _sigmoid(x) * (1 - t * t)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return maybe_inplace(input, inplace, lambda t: _pointwise(
        t, "mish", "MishBackward0", lambda x: x * np.tanh(np.logaddexp(0, x)), _mish_grad), "mish")


def hardsigmoid(input, inplace=False):
    """min(max(x + 3, 0), 6) / 6; gradient 1/6 strictly inside (-3, 3), else 0."""
    return maybe_inplace(input, inplace, lambda t: _pointwise(
        t, "hardsigmoid", "HardsigmoidBackward0", lambda x: np.clip(x + 3, 0, 6) / 6,
        lambda x: np.where((x > -3) & (x < 3), 1.0 / 6, 0.0)), "hardsigmoid")


def hardswish(input, inplace=False):
    """x * min(max(x + 3, 0), 6) / 6; gradient 0 for x <= -3, x / 3 + 1/2 inside, 1 for x >= 3."""
    return maybe_inplace(input, inplace, lambda t: _pointwise(
        t, "hardswish", "HardswishBackward0", lambda x: x * np.clip(x + 3, 0, 6) / 6,
        lambda x: np.where(x <= -3, 0.0, np.where(x < 3, x / 3 + 0.5, 1.0))), "hardswish")


def softsign(input):
    """x / (1 + |x|)."""
    return _pointwise(input, "softsign", "DivBackward0", lambda x: x / (1 + np.abs(x)),
                      lambda x: 1.0 / np.square(1 + np.abs(x)))


def logsigmoid(input):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for any x."""
    return _pointwise(input, "logsigmoid", "LogSigmoidBackward0",
                      lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))), lambda x: _sigmoid(-x))


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), weight broadcast over dim 1 (the channels) of input; one
    weight (numel 1) applies to every element. At x = 0 the input gradient is weight's side and
    weight's gradient is x * g there (0), as torch."""
    fn = "prelu"
    float_tensor(input, fn)
    float_tensor(weight, fn, "weight")
    same_dtype(fn, input=input, weight=weight)
    x, w = input._data, weight._data
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError(f"{fn}: Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                         f"{w.size} and channel size = {channels} (input {tuple(x.shape)}, weight {tuple(w.shape)}).")
    wb = w.reshape(()) if w.size == 1 or x.ndim < 2 else w.reshape((1, channels) + (1,) * (x.ndim - 2))
    pos = x > 0
    out = Tensor._wrap(np.asarray(np.where(pos, x, wb * x), dtype=x.dtype))

    def backward(g):
        gx = np.asarray(np.where(pos, g, wb * g), dtype=x.dtype) if input.requires_grad else None
        gw = None
        if weight.requires_grad:
            contrib = np.where(pos, 0, x * g)
            axes = tuple(d for d in range(x.ndim) if w.size == 1 or d != 1)
            gw = np.asarray(contrib.sum(axis=axes), dtype=w.dtype).reshape(w.shape)
        return gx, gw

    return record(out, (input, weight), backward, "PreluKernelBackward0", saved=(input, weight))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along dim."""
    float_tensor(input, "softmin")
    return _act.softmax(-input, dim, dtype)
