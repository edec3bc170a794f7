"""dropout, layer_norm, embedding and one_hot: each one recorded operation with a NumPy
forward and backward."""
import numpy as np

from ... import _alloc, _random
from ..._tensor import Tensor
from ...autograd.engine import record
from ...autograd.grad_mode import is_grad_enabled
from ...ops.inplace import _rebase
from ._common import float_tensor, same_dtype


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (identity when not
    training). Draws from the global generator (retroprop.manual_seed)."""
    float_tensor(input, "dropout")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    x = input._data
    if p == 1.0:
        scale = np.zeros(x.shape, dtype=x.dtype)
    else:
        keep = _random.numpy_rng(None).random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64) >= p
        scale = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p))
    if inplace and is_grad_enabled() and input.requires_grad:
        # In the graph: recorded out of place, then the input rebased onto it (ops.inplace's rule).
        if input._node is None:
            raise RuntimeError("dropout: a leaf Variable that requires grad is being used in an in-place operation.")
        return _rebase(input, lambda old: _scaled(old, scale))
    if inplace:
        np.multiply(x, scale, out=x)
        input._version += 1
        return input
    return _scaled(input, scale)


def _scaled(input, scale):
    out = Tensor._wrap(input._data * scale)
    return record(out, (input,), lambda g: (g * scale,), "MulBackward0")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing normalized_shape dims
    (biased variance, as torch)."""
    fn = "layer_norm"
    float_tensor(input, fn)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if input._data.shape[input.ndim - len(shape):] != shape or len(shape) > input.ndim:
        raise ValueError(f"{fn}: normalized_shape {list(shape)} does not match the trailing dims of input {tuple(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            float_tensor(t, fn, name)
            if t._data.shape != shape:
                raise ValueError(f"{fn}: {name} of shape {tuple(t.shape)} must match normalized_shape {list(shape)}")
    same_dtype(fn, input=input, weight=weight, bias=bias)
    x = input._data
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    mu = x.mean(axis=axes, keepdims=True)
    xc = x - mu
    rstd = 1.0 / np.sqrt((xc * xc).mean(axis=axes, keepdims=True) + eps)
    xhat = xc * rstd
    y = xhat * weight._data if weight is not None else xhat
    if bias is not None:
        y = y + bias._data
    out = Tensor._wrap(np.asarray(y, dtype=x.dtype))
    parents = tuple(t for t in (input, weight, bias) if t is not None)
    lead = tuple(range(x.ndim - len(shape)))
    n = int(np.prod(shape))

    def backward(g):
        gx = g * weight._data if weight is not None else g
        grads = []
        if input.requires_grad:
            grads.append(rstd / n * (n * gx - gx.sum(axis=axes, keepdims=True)
                                     - xhat * (gx * xhat).sum(axis=axes, keepdims=True)))
        else:
            grads.append(None)
        if weight is not None:
            grads.append((g * xhat).sum(axis=lead) if weight.requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=lead) if bias.requires_grad else None)
        return tuple(grads)

    return record(out, parents, backward, "NativeLayerNormBackward0", saved=parents)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """Rows of weight picked by the integer indices in input; padding_idx's row gets no gradient."""
    fn = "embedding"
    float_tensor(weight, fn, "weight")
    if not isinstance(input, Tensor) or input._data.dtype.kind not in "iu":
        raise TypeError(f"{fn}: expected input to be an integer (int64) Tensor of indices, got "
                        f"{input._data.dtype if isinstance(input, Tensor) else type(input).__name__}")
    if weight.ndim != 2:
        raise ValueError(f"{fn}: expected a 2-D weight, got shape {tuple(weight.shape)}")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(f"{fn}: max_norm, scale_grad_by_freq and sparse are not supported")
    idx, num = input._data, weight._data.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError(f"{fn}: index out of range in self (indices must be in [0, {num}), input {tuple(idx.shape)})")
    if padding_idx is not None:
        padding_idx = padding_idx % num if -num <= padding_idx < num else None
        if padding_idx is None:
            raise ValueError(f"{fn}: padding_idx must be within num_embeddings ({num})")
    out = Tensor._wrap(weight._data[idx])

    def backward(g):
        dw = _alloc.zeros(weight._data.shape, weight._data.dtype)
        np.add.at(dw, idx.reshape(-1), g.reshape(-1, weight._data.shape[1]))
        if padding_idx is not None:
            dw[padding_idx] = 0
        return (dw,)

    return record(out, (weight,), backward, "EmbeddingBackward0")


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding along a new last dimension (no gradient). Bad input raises
    RuntimeError, as torch's checks do: a non-int64 index tensor, a negative class, a class >=
    num_classes, or an empty tensor with no (positive) num_classes to give the width."""
    if not isinstance(tensor, Tensor) or tensor._data.dtype != np.int64:
        got = tensor._data.dtype if isinstance(tensor, Tensor) else type(tensor).__name__
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor (int64), got {got}")
    idx = tensor._data
    num_classes = int(num_classes)
    if idx.size == 0:
        if num_classes <= 0:
            raise RuntimeError(f"one_hot: can not infer total number of classes from empty tensor "
                               f"(num_classes={num_classes})")
        return Tensor._wrap(np.zeros(idx.shape + (num_classes,), np.int64))
    lo, hi = int(idx.min()), int(idx.max())
    if lo < 0:
        raise RuntimeError(f"one_hot: class values must be non-negative (got {lo})")
    if num_classes == -1:
        num_classes = hi + 1
    elif hi >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes (got class {hi}, "
                           f"num_classes={num_classes})")
    return Tensor._wrap((idx[..., None] == np.arange(num_classes)).astype(np.int64))
