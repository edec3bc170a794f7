"""normalize, pairwise_distance (composites of Tensor ops, as torch writes them, so their
gradients at zero norms are torch's) and cosine_similarity (one recorded operation)."""
import numpy as np

from ..._tensor import Tensor
from ...autograd.engine import record
from ._common import float_tensor, same_dtype


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p over dim, eps)."""
    float_tensor(input, "normalize")
    if out is not None:
        raise NotImplementedError("normalize: the out= argument is not supported by retroprop; use the return value")
    denom = input.norm(p, dim=dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension (of the broadcast shape)."""
    float_tensor(x1, "pairwise_distance", "x1")
    float_tensor(x2, "pairwise_distance", "x2")
    same_dtype("pairwise_distance", x1=x1, x2=x2)
    nd = max(x1.ndim, x2.ndim)
    if nd == 0:
        raise ValueError("pairwise_distance: expected x1 and x2 with at least one dimension, got two 0-d tensors")
    return (x1 - x2 + eps).norm(p, dim=nd - 1, keepdim=keepdim)


def _unbroadcast(g, shape):
    """g (of a broadcast shape) summed back to `shape`."""
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum((x1 / n1) * (x2 / n2)) over dim, n = max(||x||_2, eps), x1 and x2 broadcast. As torch,
    the clamp to eps changes the value only: the gradient goes through the unclamped norm (whose
    gradient is 0 at a zero vector)."""
    fn = "cosine_similarity"
    float_tensor(x1, fn, "x1")
    float_tensor(x2, fn, "x2")
    same_dtype(fn, x1=x1, x2=x2)
    a, b = x1._data, x2._data
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"{fn}: x1 of shape {tuple(a.shape)} and x2 of shape {tuple(b.shape)} are not "
                           f"broadcastable") from None
    if not shape:
        raise ValueError(f"{fn}: expected x1 and x2 with at least one dimension, got two 0-d tensors")
    nd = len(shape)
    if not -nd <= dim < nd:
        raise IndexError(f"{fn}: Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    d = dim % nd
    a, b = np.broadcast_to(a, shape), np.broadcast_to(b, shape)
    r1 = np.sqrt((a * a).sum(axis=d, keepdims=True))
    r2 = np.sqrt((b * b).sum(axis=d, keepdims=True))
    n1, n2 = np.maximum(r1, eps), np.maximum(r2, eps)
    y = ((a / n1) * (b / n2)).sum(axis=d, keepdims=True)
    out = Tensor._wrap(np.asarray(y.squeeze(d), dtype=a.dtype))

    def backward(g):
        g = np.expand_dims(g, d)
        with np.errstate(divide="ignore", invalid="ignore"):
            u1 = np.where(r1 == 0, 0, a / (n1 * r1))  # x1 / (n1 ||x1||), 0 for a zero vector
            u2 = np.where(r2 == 0, 0, b / (n2 * r2))
        ga = gb = None
        if x1.requires_grad:
            ga = np.asarray(_unbroadcast(g * (b / (n1 * n2) - y * u1), x1.shape), dtype=a.dtype)
        if x2.requires_grad:
            gb = np.asarray(_unbroadcast(g * (a / (n1 * n2) - y * u2), x2.shape), dtype=a.dtype)
        return ga, gb

    return record(out, (x1, x2), backward, "CosineSimilarityBackward", saved=(x1, x2))
