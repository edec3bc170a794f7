"""group_norm and rms_norm: each one recorded operation with a NumPy forward and backward
(biased variance / mean square, as torch)."""
import numpy as np

from ..._tensor import Tensor
from ...autograd.engine import record
from ._common import float_tensor, same_dtype


def _check_affine(fn, input, shape, **tensors):
    for name, t in tensors.items():
        if t is not None:
            float_tensor(t, fn, name)
            if t._data.shape != shape:
                raise RuntimeError(f"{fn}: {name} of shape {tuple(t.shape)} must have shape {shape} "
                                 f"(input {tuple(input.shape)})")
    same_dtype(fn, input=input, **tensors)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each sample's channels in num_groups groups (over the group's channels and all
    spatial positions), then scale and shift per channel."""
    fn = "group_norm"
    float_tensor(input, fn)
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"{fn}: expected an input of at least 2 dimensions (N, C, *), got shape {tuple(x.shape)}")
    n, c = x.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"{fn}: Expected number of channels in input to be divisible by num_groups, but got input of "
                         f"shape {list(x.shape)} and num_groups={num_groups}")
    _check_affine(fn, input, (c,), weight=weight, bias=bias)
    xg = x.reshape(n, num_groups, -1)
    m = xg.shape[2]
    mu = xg.mean(axis=2, keepdims=True)
    xc = xg - mu
    rstd = 1.0 / np.sqrt((xc * xc).mean(axis=2, keepdims=True) + eps)
    xhat = (xc * rstd).reshape(x.shape)
    cshape = (1, c) + (1,) * (x.ndim - 2)
    y = xhat * weight._data.reshape(cshape) if weight is not None else xhat
    if bias is not None:
        y = y + bias._data.reshape(cshape)
    out = Tensor._wrap(np.asarray(y, dtype=x.dtype))
    parents = tuple(t for t in (input, weight, bias) if t is not None)
    others = (0,) + tuple(range(2, x.ndim))

    def backward(g):
        grads = []
        if input.requires_grad:
            gx = (g * weight._data.reshape(cshape) if weight is not None else g).reshape(n, num_groups, m)
            xh = xhat.reshape(n, num_groups, m)
            grads.append(np.asarray(rstd / m * (m * gx - gx.sum(axis=2, keepdims=True)
                                                - xh * (gx * xh).sum(axis=2, keepdims=True)),
                                    dtype=x.dtype).reshape(x.shape))
        else:
            grads.append(None)
        if weight is not None:
            grads.append((g * xhat).sum(axis=others) if weight.requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=others) if bias.requires_grad else None)
        return tuple(grads)

    return record(out, parents, backward, "NativeGroupNormBackward0", saved=parents)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2 over the trailing normalized_shape dims) + eps) * weight; eps None means
    the dtype's machine epsilon (torch.finfo(dtype).eps), as torch."""
    fn = "rms_norm"
    float_tensor(input, fn)
    shape = (int(normalized_shape),) if np.ndim(normalized_shape) == 0 else tuple(int(s) for s in normalized_shape)
    x = input._data
    if len(shape) > x.ndim or x.shape[x.ndim - len(shape):] != shape:
        raise RuntimeError(f"{fn}: normalized_shape {list(shape)} does not match the trailing dims of input "
                         f"{tuple(x.shape)}")
    _check_affine(fn, input, shape, weight=weight)
    eps = float(np.finfo(x.dtype).eps) if eps is None else eps
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    rstd = 1.0 / np.sqrt((x * x).mean(axis=axes, keepdims=True) + eps)
    xhat = x * rstd
    out = Tensor._wrap(np.asarray(xhat * weight._data if weight is not None else xhat, dtype=x.dtype))
    parents = (input,) if weight is None else (input, weight)
    lead = tuple(range(x.ndim - len(shape)))

    def backward(g):
        gx = None
        if input.requires_grad:
            gy = g * weight._data if weight is not None else g
            gx = np.asarray(rstd * (gy - xhat * (gy * xhat).mean(axis=axes, keepdims=True)), dtype=x.dtype)
        if weight is None:
            return (gx,)
        return gx, ((g * xhat).sum(axis=lead) if weight.requires_grad else None)

    return record(out, parents, backward, "RmsNormBackward", saved=parents)
