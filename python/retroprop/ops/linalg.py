"""Matrix products through retroprop's GEMM, with their backward (also GEMMs)."""
import numpy as np

from .. import _alloc, _core
from .._tensor import Tensor
from ..autograd.engine import accumulate_into_leaves, record
from ._util import check_dim, unbroadcast

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def gemm_operand(x):
    """x itself when the GEMM can read it in place (one unit stride), else a C-contiguous copy."""
    flags = x.flags
    if flags.c_contiguous or flags.f_contiguous:
        return x
    item = x.itemsize
    if (x.strides[1] == item or x.strides[0] == item or x.shape[0] <= 1 or x.shape[1] <= 1) and min(x.strides) >= 0:
        return x
    return np.ascontiguousarray(x)


def mm_into(a, b, out, alpha=1.0, beta=0.0):
    """out = alpha * a @ b + beta * out for 2-D NumPy arrays, through the C++ GEMM."""
    _core.gemm(gemm_operand(a), gemm_operand(b), out, alpha, beta)
    return out


def mm_array(a, b):
    """a @ b for 2-D float NumPy arrays of one dtype."""
    return mm_into(a, b, _alloc.empty((a.shape[0], b.shape[1]), a.dtype))


def _check(a, b, name):
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: expected both operands to have the same dtype, got {a.dtype} and {b.dtype}")
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"{name}: both arguments need at least 1 dimension, got shapes {a.shape} and {b.shape}")
    ka = a.shape[-1]
    kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if ka != kb:
        raise RuntimeError(f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied ({ka} != {kb})")


def matmul(a, b):
    """Matrix product as torch.matmul: 2-D through the GEMM; 1-D and batched (broadcast) too."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul: expected Tensor operands, got {type(a).__name__} and {type(b).__name__}")
    x, y = a._data, b._data
    if x.ndim == 2 and y.ndim == 2 and x.dtype == y.dtype and x.dtype in _FLOAT_DTYPES and x.shape[1] == y.shape[0]:
        return _mm(a, b, x, y)
    _check(a, b, "matmul")
    if a.dtype not in _FLOAT_DTYPES:  # integer products: NumPy, no gradient (integers have none)
        return Tensor._wrap(np.matmul(x, y))
    return _matmul_general(a, b)


def _mm(a, b, x, y):
    """2-D product through the GEMM; backward accumulates a leaf's gradient in place (beta = 1)."""

    def backward(g):
        ga = gb = None
        if a.requires_grad and not _into_leaf(a, g, y.T):
            ga = mm_array(g, y.T)
        if b.requires_grad and not _into_leaf(b, x.T, g):
            gb = mm_array(x.T, g)
        return ga, gb

    return record(Tensor._wrap(mm_array(x, y)), (a, b), backward, "MmBackward0", saved=(a, b))


def _into_leaf(t, p, q):
    """t.grad += p @ q straight in the GEMM when t is a leaf the engine lets kernels write."""
    if t._node is not None or not accumulate_into_leaves():
        return False
    grad = t._grad
    if grad is None:
        t._grad = Tensor._wrap(mm_array(p, q))
        return True
    g = grad._data
    if g.dtype != p.dtype or not g.flags.c_contiguous or not g.flags.writeable or g.shape != t._data.shape:
        return False
    mm_into(p, q, g, 1.0, 1.0)
    grad._version += 1
    return True


def _matmul_general(a, b):
    """1-D and batched cases: NumPy's matmul (same broadcasting rules as torch)."""
    out = Tensor._wrap(np.matmul(a._data, b._data))

    def backward(g):
        ad, bd = a._data, b._data
        if ad.ndim == 1 and bd.ndim == 1:  # inner product: g is 0-d
            return (g * bd if a.requires_grad else None, g * ad if b.requires_grad else None)
        a2 = ad[None, :] if ad.ndim == 1 else ad
        b2 = bd[:, None] if bd.ndim == 1 else bd
        g2 = g
        if ad.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if bd.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(np.matmul(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(ad.shape)
        if b.requires_grad:
            gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(bd.shape)
        return ga, gb

    return record(out, (a, b), backward, "MatmulBackward0", saved=(a, b))


def mm(a, b):
    """Product of two 2-D matrices (torch.mm)."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected two 2-D tensors, got shapes {getattr(a, 'shape', a)} and {getattr(b, 'shape', b)}")
    return matmul(a, b)


def bmm(a, b):
    """Batched product of two 3-D tensors with the same batch size (torch.bmm)."""
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise RuntimeError(f"bmm: expected two 3-D tensors with one batch size, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def dot(a, b):
    """Inner product of two 1-D tensors of one size (torch.dot)."""
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise RuntimeError(f"dot: expected two 1-D tensors of one size, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def mv(a, b):
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"mv: expected a 2-D and a 1-D tensor, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def outer(a, b):
    """a[i] * b[j] for two 1-D tensors."""
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: expected two 1-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return a.unsqueeze(1) * b.unsqueeze(0)


def _triangle(a, keep, name):
    if a.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape {tuple(a.shape)}")
    return record(Tensor._wrap(np.where(keep, a._data, 0)), (a,), lambda g: (np.where(keep, g, 0),), name.capitalize() + "Backward0")


def tril(a, diagonal=0):
    """The lower triangle of the last two dimensions (the rest zero)."""
    n, m = a.shape[-2:] if a.ndim >= 2 else (0, 0)
    return _triangle(a, np.tri(n, m, diagonal, dtype=bool), "tril")


def triu(a, diagonal=0):
    """The upper triangle of the last two dimensions (the rest zero)."""
    n, m = a.shape[-2:] if a.ndim >= 2 else (0, 0)
    return _triangle(a, ~np.tri(n, m, diagonal - 1, dtype=bool), "triu")


def diagonal(a, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes as the last dimension: a view, as in torch."""
    d1, d2 = check_dim(dim1, a.ndim, "diagonal"), check_dim(dim2, a.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    x = a._data
    shape = x.shape
    # np.diagonal's view is read-only; torch's is writable: the same strides through as_strided.
    m = np.moveaxis(x, (d1, d2), (-2, -1))
    r0, c0 = max(-offset, 0), max(offset, 0)
    n = max(min(m.shape[-2] - r0, m.shape[-1] - c0), 0)
    start = m[..., min(r0, m.shape[-2]):, min(c0, m.shape[-1]):]
    step = m.strides[-2] + m.strides[-1]
    data = np.lib.stride_tricks.as_strided(start, m.shape[:-2] + (n,), m.strides[:-2] + (step,))
    rows, cols = np.arange(n) + r0, np.arange(n) + c0

    def backward(g):
        grad = np.zeros(shape, dtype=g.dtype)
        np.moveaxis(grad, (d1, d2), (-2, -1))[..., rows, cols] = g
        return (grad,)

    return record(Tensor._wrap(data)._view_of(a), (a,), backward, "DiagonalBackward0")


_diagonal = diagonal


def diag(a, diagonal=0):
    """A 1-D tensor as a square matrix with it on the `diagonal`-th diagonal; a matrix's diagonal as 1-D."""
    if a.ndim == 1:
        k = diagonal
        x = a._data

        def backward(g):
            return (np.diagonal(g, k).copy(),)

        return record(Tensor._wrap(np.diag(x, k)), (a,), backward, "DiagEmbedBackward0")
    if a.ndim == 2:
        return _diagonal(a, diagonal, 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {a.ndim}D")


def trace(a):
    """The sum of the main diagonal of a matrix (integers sum as int64, as in torch)."""
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    x = a._data
    data = np.asarray(np.trace(x, dtype=np.int64 if x.dtype.kind in "biu" else None))
    shape = x.shape

    def backward(g):
        grad = np.zeros(shape, dtype=g.dtype)
        np.fill_diagonal(grad, g)
        return (grad,)

    return record(Tensor._wrap(data), (a,), backward, "TraceBackward0")
