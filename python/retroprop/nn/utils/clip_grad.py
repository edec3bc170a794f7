"""Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).

clip_grad_norm_ makes one C++ pass over all gradients for their norms (per tensor, in double,
in parallel over chunks) and, only when clipping is needed, one more to scale them.
"""
import math

import numpy as np

from ... import _core
from ..._tensor import Tensor

_KIND = {2.0: 0, 1.0: 1, math.inf: 2}  # norms the C++ pass computes: sum of squares, sum |x|, max |x|


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _tensor_norms(arrays, norm_type):
    """Each array's norm of order norm_type, in double."""
    contiguous = [a if a.flags.c_contiguous else np.ascontiguousarray(a) for a in arrays]
    kind = _KIND.get(norm_type)
    if kind is None:  # rarer orders: NumPy's vector norm, one array at a time
        return [float(np.linalg.norm(a.ravel().astype(np.float64), ord=norm_type)) for a in contiguous]
    parts = _core.grad_norm_parts(contiguous, kind)
    return [math.sqrt(x) for x in parts] if kind == 0 else parts


def _total(norms, norm_type):
    """The norm of the per-tensor norms (torch: vector_norm(stack(norms), norm_type))."""
    if norm_type == math.inf:
        return max(norms) if not any(math.isnan(n) for n in norms) else math.nan
    return float(np.linalg.norm(np.asarray(norms, dtype=np.float64), ord=norm_type))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients together so that their joint norm is at most max_norm; return that
    norm (before clipping) as a scalar Tensor."""
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return Tensor._wrap(np.array(0.0, dtype=np.float32))
    arrays = [g._data for g in grads]
    dtype = np.result_type(*arrays)
    total = dtype.type(_total(_tensor_norms(arrays, norm_type), norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be clipped. "
            "To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = dtype.type(max_norm) / (total + dtype.type(1e-6))  # torch's coefficient, in the gradients' dtype
    if not coef >= 1.0:  # torch clamps to 1 and multiplies; x * 1 == x, so the pass is skipped then
        _scale(grads, float(coef))
    return Tensor._wrap(np.array(total))


def _scale(grads, coef):
    contiguous = [g._data for g in grads if g._data.flags.c_contiguous]
    _core.scale_(contiguous, coef)
    for g in grads:
        if not g._data.flags.c_contiguous:
            g._data *= g._data.dtype.type(coef)
        g._version += 1


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of clip_grad_norm_ (as in torch)."""
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._version += 1
