"""F.pad: constant padding of any trailing dims (negative amounts crop), and reflect /
replicate / circular padding of the last 1-3 dims; one recorded operation each."""
import numpy as np

from ..._tensor import Tensor
from ...autograd.engine import record

_INDEX_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(input, pad, mode="constant", value=None):
    """torch.nn.functional.pad: `pad` is (left, right) amounts for the last dim, then for the one
    before it, and so on."""
    fn = "pad"
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: expected input to be a Tensor, got {type(input).__name__}")
    pad = [int(p) for p in pad]
    x = input._data
    if len(pad) % 2:
        raise RuntimeError(f"{fn}: Padding length must be divisible by 2 (got {len(pad)})")
    if len(pad) > 2 * x.ndim:
        raise RuntimeError(f"{fn}: Padding length should be less than or equal to two times the input dimension but "
                         f"got padding length {len(pad)} and input of dimension {x.ndim}")
    pairs = {x.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}
    if mode == "constant":
        return _constant(input, pairs, 0 if value is None else value)
    if mode not in _INDEX_MODES:
        raise NotImplementedError(f"{fn}: mode {mode!r} is not supported (expected 'constant', 'reflect', "
                                  f"'replicate' or 'circular')")
    if value is not None and value != 0:
        raise RuntimeError(f'{fn}: Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"{fn}: Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now "
                                  f"(mode {mode!r}, input {tuple(x.shape)}, pad {tuple(pad)})")
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: mode {mode!r} expects a float32 or float64 input, got {x.dtype}")
    for d, (lo, hi) in pairs.items():
        if lo < 0 or hi < 0:
            raise NotImplementedError(f"{fn}: negative padding is supported in 'constant' mode only (got {tuple(pad)})")
        limit = x.shape[d] - 1 if mode == "reflect" else x.shape[d] if mode == "circular" else None
        if (mode != "replicate" and max(lo, hi) > limit) or x.shape[d] == 0:
            raise RuntimeError(f"{fn}: padding ({lo}, {hi}) of dimension {d} is too large for input {tuple(x.shape)} in "
                             f"mode {mode!r} (at most {limit} for a dimension of size {x.shape[d]})")
    maps = [(d, np.pad(np.arange(x.shape[d]), (lo, hi), mode=_INDEX_MODES[mode])) for d, (lo, hi) in pairs.items()]
    y = x
    for d, idx in maps:
        y = np.take(y, idx, axis=d)
    out = Tensor._wrap(np.ascontiguousarray(y))

    def backward(g):
        for d, idx in reversed(maps):
            shape = list(g.shape)
            shape[d] = x.shape[d]
            acc = np.zeros(shape, dtype=g.dtype)
            np.add.at(acc, (slice(None),) * d + (idx,), g)
            g = acc
        return (g,)

    names = {"reflect": "ReflectionPad", "replicate": "ReplicationPad", "circular": "CircularPad"}
    return record(out, (input,), backward, f"{names[mode]}{k}DBackward0")


def _constant(input, pairs, value):
    x = input._data
    shape, src, dst = list(x.shape), [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for d, (lo, hi) in pairs.items():
        size = x.shape[d]
        new = size + lo + hi
        if new < 0:
            raise RuntimeError(f"pad: The input size {size}, plus negative padding {lo} and {hi} resulted in a negative "
                             f"output size, which is invalid. Check dimension {d} of your input.")
        start, stop = max(-lo, 0), size - max(-hi, 0)
        length = max(stop - start, 0)
        shape[d] = new
        src[d] = slice(start, start + length)
        dst[d] = slice(max(lo, 0), max(lo, 0) + length)
    y = np.full(shape, value, dtype=x.dtype)
    src, dst = tuple(src), tuple(dst)
    y[dst] = x[src]
    out = Tensor._wrap(y)
    if x.dtype.kind != "f":
        return out

    def backward(g):
        gx = np.zeros(x.shape, dtype=g.dtype)
        gx[src] = g[dst]
        return (gx,)

    return record(out, (input,), backward, "ConstantPadNdBackward0")
