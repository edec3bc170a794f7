"""dropout1d (whole channels zeroed) and alpha_dropout (SELU-preserving), torch's formulas; each
one recorded operation. Draws from the global generator (retroprop.manual_seed)."""
import numpy as np

from ... import _random
from ..._tensor import Tensor
from ...autograd.engine import record
from ._common import float_tensor, maybe_inplace

# alpha' of SELU: -scale * alpha, the value SELU tends to for large negative inputs.
_ALPHA = 1.7580993408473766


def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(shape, p, dtype):
    return (_random.numpy_rng(None).random(shape, dtype=np.float32 if dtype == np.float32 else np.float64) >= p
            ).astype(dtype)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (dim 1 of (N, C, L), dim 0 of (C, L)) with probability p, scaling the
    kept ones by 1 / (1 - p)."""
    float_tensor(input, "dropout1d")
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that dropout1d "
                         f"exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
                         f"dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if not training or p == 0.0:
        return input
    x = input._data
    mask_shape = x.shape[:-1] + (1,)
    scale = (np.zeros(mask_shape, x.dtype) if p == 1.0
             else _keep_mask(mask_shape, p, x.dtype) * x.dtype.type(1.0 / (1.0 - p)))

    def fn(t):
        out = Tensor._wrap(t._data * scale)
        return record(out, (t,), lambda g: (np.asarray(g * scale, dtype=x.dtype),), "MulBackward0")

    return maybe_inplace(input, inplace, fn, "dropout1d")


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout (Klambauer et al. 2017): dropped elements set to SELU's negative saturation,
    then an affine map a * x + b that keeps zero mean and unit variance."""
    float_tensor(input, "alpha_dropout")
    _check_p(p)
    if not training or p == 0.0 or input._data.size == 0:
        return input
    x = input._data
    if p == 1.0:
        noise, b = np.zeros(x.shape, x.dtype), np.zeros((), x.dtype)
    else:
        a = 1.0 / np.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        keep = _keep_mask(x.shape, p, x.dtype)
        b = np.asarray((keep - 1) * (_ALPHA * a) + _ALPHA * a * p, dtype=x.dtype)
        noise = np.asarray(keep * a, dtype=x.dtype)

    def fn(t):
        out = Tensor._wrap(np.asarray(t._data * noise + b, dtype=x.dtype))
        return record(out, (t,), lambda g: (np.asarray(g * noise, dtype=x.dtype),), "AddBackward0")

    return maybe_inplace(input, inplace, fn, "alpha_dropout")
