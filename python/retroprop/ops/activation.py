"""Differentiable activations and (log_)softmax; forward and backward both run in C++ kernels.

Tensor methods and retroprop.nn.functional delegate here. Activations whose derivative is a
function of their output (relu, leaky_relu with slope >= 0, tanh, sigmoid) save the output;
gelu and silu save the input.
"""
import numpy as np

from .. import _alloc, _core
from .._tensor import Tensor
from ..autograd.engine import record
from ..autograd.grad_mode import is_grad_enabled

# Codes of the C++ enum kernels::Act.
ACT = {"none": 0, "relu": 1, "leaky_relu": 2, "gelu": 3, "gelu_tanh": 4, "silu": 5, "tanh": 6, "sigmoid": 7}
_FROM_OUTPUT = {0, 1, 6, 7}
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_NAMES = {1: "Relu", 2: "LeakyRelu", 3: "Gelu", 4: "Gelu", 5: "Silu", 6: "Tanh", 7: "Sigmoid"}


def from_output(act, slope):
    """Whether act's derivative is computed from its output (so backward saves the output)."""
    return act in _FROM_OUTPUT or (act == 2 and slope >= 0)


def _float_data(a, name):
    if not isinstance(a, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(a).__name__}")
    x = a._data
    if x.dtype not in _FLOATS:
        raise TypeError(f"{name}: expected a float32 or float64 tensor, got {x.dtype}")
    return x if x.flags.c_contiguous else np.ascontiguousarray(x)


def _contiguous(g):
    return g if g.flags.c_contiguous else np.ascontiguousarray(g)


def apply_act(a, act, slope=0.01, name="activation"):
    """act(a) as a recorded operation (act: a code of ACT)."""
    node = getattr(a, "_node", None)
    if node is not None and node.fuse is not None and is_grad_enabled():
        from ..nn._functional.linear import act_after_linear  # nn builds on ops: imported when used
        return act_after_linear(a, act, slope, _NAMES[act] + "Backward0")
    x = _float_data(a, name)
    y = _alloc.empty_like(x)
    _core.act_forward(x, y, act, slope)
    out = Tensor._wrap(y)
    if not a.requires_grad:
        return out
    saved = y if from_output(act, slope) else x
    use_out = saved is y

    def backward(g):
        dx = _alloc.empty_like(saved)
        _core.act_backward(_contiguous(g), saved, dx, act, slope, use_out)
        return (dx,)

    return record(out, (a,), backward, _NAMES[act] + "Backward0", saved=(out,) if use_out else (a,))


def relu(a):
    if isinstance(a, Tensor) and a._data.dtype.kind in "iu":  # integer relu: no gradient
        return Tensor._wrap(np.maximum(a._data, 0))
    return apply_act(a, 1, 0.0, "relu")


def leaky_relu(a, negative_slope=0.01):
    return apply_act(a, 2, float(negative_slope), "leaky_relu")


def gelu(a, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return apply_act(a, 3 if approximate == "none" else 4, 0.0, "gelu")


def silu(a):
    return apply_act(a, 5, 0.0, "silu")


def tanh(a):
    return apply_act(a, 6, 0.0, "tanh")


def sigmoid(a):
    return apply_act(a, 7, 0.0, "sigmoid")


def _inplace(a, fn, act, slope, name):
    """a[...] = act(a), returning a. Outside the graph the kernel writes a's buffer; when a needs
    a gradient the op is recorded out of place and a rebased onto it (ops.inplace's rule, as torch)."""
    _float_data(a, name)
    if is_grad_enabled() and a.requires_grad:
        if a._node is None:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an in-place operation.")
        from .inplace import _rebase
        return _rebase(a, fn)
    x = a._data
    if x.flags.c_contiguous and x.flags.writeable:
        _core.act_forward(x, x, act, slope)
    else:
        np.copyto(x, fn(Tensor._wrap(x))._data)
    a._version += 1
    return a


def relu_(a):
    if isinstance(a, Tensor) and a._data.dtype.kind in "iu":  # integer relu_: no gradient involved
        np.maximum(a._data, 0, out=a._data)
        a._version += 1
        return a
    return _inplace(a, relu, 1, 0.0, "relu_")


def leaky_relu_(a, negative_slope=0.01):
    return _inplace(a, lambda t: leaky_relu(t, negative_slope), 2, float(negative_slope), "leaky_relu_")


def silu_(a):
    return _inplace(a, silu, 5, 0.0, "silu_")


def _softmax_dim(dim, ndim, name):
    if dim is None:  # torch's legacy implicit choice
        dim = 0 if ndim in (0, 1, 3) else 1
    nd = max(ndim, 1)
    if not -nd <= dim < nd:
        raise IndexError(f"{name}: dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return dim % nd


def _softmax(a, dim, dtype, log):
    name = "log_softmax" if log else "softmax"
    if isinstance(a, Tensor) and dtype is not None and a.dtype != np.dtype(dtype):
        from .. import ops
        a = ops.to(a, dtype) if hasattr(ops, "to") else Tensor._wrap(a._data.astype(dtype))
    x = _float_data(a, name)
    d = _softmax_dim(dim, x.ndim, name)
    last = x.ndim == 0 or d == x.ndim - 1
    xl = x if last else np.ascontiguousarray(np.moveaxis(x, d, -1))
    y = _alloc.empty_like(xl)
    _core.softmax_forward(xl, y, log)
    out = Tensor._wrap(y if last else np.moveaxis(y, -1, d))
    if not a.requires_grad:
        return out

    def backward(g):
        gl = _contiguous(g if last else np.moveaxis(g, d, -1))
        dx = _alloc.empty_like(y)
        _core.softmax_backward(gl, y, dx, log)
        return (dx if last else np.moveaxis(dx, -1, d),)

    return record(out, (a,), backward, "LogSoftmaxBackward0" if log else "SoftmaxBackward0", saved=(out,))


def softmax(a, dim=None, dtype=None):
    return _softmax(a, dim, dtype, False)


def log_softmax(a, dim=None, dtype=None):
    return _softmax(a, dim, dtype, True)


def tanh_(a):
    return _inplace(a, tanh, 6, 0.0, "tanh_")


def sigmoid_(a):
    return _inplace(a, sigmoid, 7, 0.0, "sigmoid_")
