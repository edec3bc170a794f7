"""Reused NumPy buffers for the arrays a training step makes afresh every step (layer outputs,
gradients flowing backward, .grad after zero_grad(set_to_none=True)).

After the first step the same (shape, dtype) requests come back every step, so `empty` hands out
a buffer from an earlier step once nothing else references it, instead of allocating. Safety does
not depend on callers: a pooled buffer is reused only when its reference count shows that the
pool alone holds it. A Tensor, a view (which references its base), a memoryview, a user's
`.numpy()` result or a graph kept with retain_graph all hold a reference, so a buffer anyone can
still read is never handed out twice. (A raw data pointer kept outside Python, e.g. through
ctypes, is not a reference; such a pointer into any retroprop output is not supported.)

Like np.empty, the contents are garbage: callers overwrite every element. Small arrays are not
pooled (NumPy and the system allocator serve them from caches); the pool keeps at most _PER_KEY
buffers per (shape, dtype) and _CAP_BYTES in total, dropping its least recently used shapes
(buffers still in use stay valid for their holders; they are just no longer pooled).
"""
import sys
from collections import OrderedDict
from math import prod

import numpy as np

_MIN_BYTES = 16 * 1024
_PER_KEY = 32  # layers of one width share a shape: a deep stack needs one per live activation
_CAP_BYTES = 256 * 1024 * 1024

_pool = OrderedDict()  # (shape, dtype) -> [base arrays]
_small = set()  # keys seen below _MIN_BYTES: served by np.empty without normalising again
_SMALL_KEYS = 1024
_pooled_bytes = 0


def _refs_when_free():
    """sys.getrefcount of a pooled buffer nobody else holds, as seen from inside `_take`: the
    pool's list slot, the local name and getrefcount's argument (measured, not assumed)."""
    bufs = [np.empty(1)]
    b = bufs[0]
    return sys.getrefcount(b)


_FREE = _refs_when_free()


def _take(bufs):
    """A free buffer, preferring the one handed out most recently (kept last): the likeliest to
    still be in cache, as the allocator's own last-freed-first-reused order would give."""
    for i in range(len(bufs) - 1, -1, -1):
        b = bufs[i]
        if sys.getrefcount(b) == _FREE:
            if i != len(bufs) - 1:
                bufs.append(bufs.pop(i))
            return b
    return None


def empty(shape, dtype):
    """An uninitialised C-contiguous array, from the pool when a free one of this shape exists."""
    # Fast path, a dozen times a step: the key as callers give it (a shape tuple and an np.dtype,
    # which is how the pool stores it) finds its buffers without normalising anything first.
    key = (shape, dtype)
    try:
        bufs = _pool.get(key)
    except TypeError:  # a shape given as a list
        return _allocate(shape, dtype)
    if bufs is not None:
        _pool.move_to_end(key)
        b = _take(bufs)
        if b is not None:
            return b
    elif key in _small:
        return np.empty(shape, dtype)
    return _allocate(shape, dtype)


def _allocate(shape, dtype):
    """A new array for empty(), pooled when it is large enough and the pool has room for it."""
    global _pooled_bytes
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    dtype = np.dtype(dtype)
    nbytes = prod(shape) * dtype.itemsize
    b = np.empty(shape, dtype)
    key = (shape, dtype)
    if nbytes < _MIN_BYTES:
        if len(_small) >= _SMALL_KEYS:  # many shapes (a varying batch): start over rather than grow
            _small.clear()
        _small.add(key)
        return b
    bufs = _pool.get(key)
    if bufs is None:
        bufs = _pool[key] = []
    else:
        _pool.move_to_end(key)
        free = _take(bufs)  # the caller's key differed only in spelling (a list, an int, a type)
        if free is not None:
            return free
    if len(bufs) < _PER_KEY:
        bufs.append(b)
        _pooled_bytes += nbytes
        while _pooled_bytes > _CAP_BYTES and len(_pool) > 1:
            (oshape, odtype), old = _pool.popitem(last=False)
            _pooled_bytes -= len(old) * prod(oshape) * odtype.itemsize
    return b


def empty_like(a):
    """empty(a.shape, a.dtype)."""
    return empty(a.shape, a.dtype)


def zeros(shape, dtype):
    b = empty(shape, dtype)
    b.fill(0)
    return b


def clear():
    """Forget every pooled buffer (memory held only by the pool goes back to the allocator)."""
    global _pooled_bytes
    _pool.clear()
    _small.clear()
    _pooled_bytes = 0


def pooled_bytes():
    return _pooled_bytes
