"""Tensor creation (torch.tensor, zeros, rand, arange, *_like, ...): every factory takes dtype=,
device= ("cpu" only) and requires_grad=; sizes come as varargs or one sequence; random ones
take generator= (the global generator, seeded by manual_seed, when None)."""
import numpy as np

from . import _dtype, _random
from ._device import check_device
from ._tensor import Tensor
from .ops._util import shape_args


def _finish(data, requires_grad, device, op):
    check_device(device, op)
    t = Tensor._wrap(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(f"{op}: only Tensors of floating point and complex dtype can require gradients (got {data.dtype})")
        t.requires_grad = True
    return t


def _size(args, size, op):
    shape = shape_args(args if size is None else (size,), op)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"{op}: trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _float_dtype(dtype, op):
    d = _dtype.to_dtype(dtype, op)
    if d.kind != "f":
        raise TypeError(f"{op}: expected a floating-point dtype, got {d}")
    return d


def _infer(src):
    """NumPy array for Python data with torch's defaults: floats -> default dtype, ints -> int64."""
    arr = np.array(src)
    if arr.dtype == np.float64 and not isinstance(src, (np.ndarray, np.generic)):
        return arr.astype(_dtype.get_default_dtype())
    if arr.dtype.kind in "iu" and not isinstance(src, (np.ndarray, np.generic)):
        return arr.astype(np.int64)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"tensor: could not convert data of type {type(src).__name__} to a numeric tensor")
    return arr


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A Tensor holding a copy of `data`; Python floats become the default float dtype, as in torch."""
    src = data._data if isinstance(data, Tensor) else data
    if isinstance(src, (list, tuple)) and any(isinstance(x, Tensor) for x in src):
        src = [x._data if isinstance(x, Tensor) else x for x in src]
    arr = _infer(src) if dtype is None else np.array(src, dtype=_dtype.to_dtype(dtype, "tensor"))
    if arr is src:
        arr = arr.copy()
    return _finish(arr, requires_grad, device, "tensor")


def as_tensor(data, dtype=None, device=None):
    """`data` as a Tensor, sharing memory with a NumPy array or Tensor when the dtype allows."""
    if isinstance(data, Tensor) and (dtype is None or _dtype.to_dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_dtype(dtype) == data.dtype):
        return _finish(data, False, device, "as_tensor")
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A Tensor sharing memory with `array` (no copy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype not in _dtype._SUPPORTED:
        raise TypeError(f"from_numpy: can't convert an array of dtype {array.dtype}; supported: float16, float32, "
                        "float64, int8, int16, int32, int64, uint8 and bool")
    return Tensor._wrap(array)


def from_dlpack(ext):
    """A Tensor sharing memory with any object that exports DLPack (a NumPy array, a torch tensor...)."""
    if isinstance(ext, Tensor):
        return Tensor._wrap(ext._data)
    return Tensor._wrap(np.from_dlpack(ext))


def zeros(*size, dtype=None, device=None, requires_grad=False, layout=None):
    return _finish(np.zeros(_size(size, None, "zeros"), _dtype.to_dtype(dtype, "zeros")), requires_grad, device, "zeros")


def ones(*size, dtype=None, device=None, requires_grad=False, layout=None):
    return _finish(np.ones(_size(size, None, "ones"), _dtype.to_dtype(dtype, "ones")), requires_grad, device, "ones")


def empty(*size, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return _finish(np.empty(_size(size, None, "empty"), _dtype.to_dtype(dtype, "empty")), requires_grad, device, "empty")


def _fill_dtype(value, dtype, op):
    if dtype is not None:
        return _dtype.to_dtype(dtype, op)
    if isinstance(value, Tensor):
        return value.dtype
    if isinstance(value, (bool, np.bool_)):
        return _dtype.bool
    if isinstance(value, (int, np.integer)):
        return _dtype.int64
    return _dtype.get_default_dtype()


def full(size, fill_value, dtype=None, device=None, requires_grad=False, layout=None):
    d = _fill_dtype(fill_value, dtype, "full")
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _finish(np.full(_size((size,), None, "full"), value, d), requires_grad, device, "full")


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, n if m is None else m, dtype=_dtype.to_dtype(dtype, "eye")), requires_grad, device, "eye")


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, layout=None):
    """Values from start (0 by default) up to end, exclusive: int64 for integer arguments."""
    if end is None:
        start, end = 0, start
    bounds = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if bounds[2] == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (bounds[1] - bounds[0]) * bounds[2] < 0:
        raise RuntimeError(f"arange: upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step})")
    if dtype is None:
        dtype = _dtype.int64 if all(isinstance(v, (int, np.integer)) for v in bounds) else _dtype.get_default_dtype()
    d = _dtype.to_dtype(dtype, "arange")
    n = int(np.ceil((bounds[1] - bounds[0]) / bounds[2]))
    data = (bounds[0] + bounds[2] * np.arange(n, dtype=np.float64 if d.kind == "f" else np.int64)).astype(d)
    return _finish(data, requires_grad, device, "arange")


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, layout=None):
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    d = _dtype.to_dtype(dtype, "linspace")
    data = np.linspace(float(start), float(end), int(steps), dtype=np.float64).astype(d)
    return _finish(data, requires_grad, device, "linspace")


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    d = _dtype.to_dtype(dtype, "logspace")
    data = np.logspace(float(start), float(end), int(steps), base=base, dtype=np.float64).astype(d)
    return _finish(data, requires_grad, device, "logspace")


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, layout=None):
    """Uniform samples in [0, 1)."""
    d = _float_dtype(dtype, "rand")
    data = _random.numpy_rng(generator).random(_size(size, None, "rand"), dtype=np.float64).astype(d)
    return _finish(data, requires_grad, device, "rand")


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, layout=None):
    """Standard normal samples."""
    d = _float_dtype(dtype, "randn")
    data = _random.numpy_rng(generator).standard_normal(_size(size, None, "randn")).astype(d)
    return _finish(data, requires_grad, device, "randn")


def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad=False, layout=None):
    """Integers uniform in [low, high): randint(high, size) or randint(low, high, size)."""
    if size is None:
        args, size = args[:-1], args[-1] if args else None
    if size is None or len(args) not in (1, 2):
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    low, high = (0, args[0]) if len(args) == 1 else args
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    d = _dtype.to_dtype(dtype or _dtype.int64, "randint")
    data = _random.numpy_rng(generator).integers(low, high, _size((size,), None, "randint")).astype(d)
    return _finish(data, requires_grad, device, "randint")


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    d = _dtype.to_dtype(dtype or _dtype.int64, "randperm")
    return _finish(_random.numpy_rng(generator).permutation(n).astype(d), requires_grad, device, "randperm")


def normal(mean=0.0, std=1.0, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Normal samples: number mean/std with `size`, or tensors giving them element-wise."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = None if size is None else _size((size,), None, "normal")
    ref = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    d = ref.dtype if ref is not None and dtype is None else _float_dtype(dtype, "normal")
    data = np.asarray(_random.numpy_rng(generator).normal(m, s, shape)).astype(d)
    return _finish(data, requires_grad, device, "normal")


def bernoulli(input, p=None, generator=None):
    probs = input._data if p is None else np.full(input.shape, p)
    return Tensor._wrap((_random.numpy_rng(generator).random(input.shape) < probs).astype(input.dtype))


def multinomial(input, num_samples, replacement=False, generator=None):
    """Indices drawn from the rows of `input` (non-negative weights, 1-D or 2-D)."""
    rng = _random.numpy_rng(generator)
    rows = np.atleast_2d(input._data).astype(np.float64)
    if not replacement and num_samples > rows.shape[-1]:
        raise RuntimeError(f"multinomial: cannot sample {num_samples} > {rows.shape[-1]} samples without replacement")
    out = np.stack([rng.choice(r.size, num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return Tensor._wrap(out.reshape(input.shape[:-1] + (num_samples,)).astype(np.int64))


def _like(x, dtype):
    return x.dtype if dtype is None else _dtype.to_dtype(dtype, "like")


def zeros_like(input, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return zeros(input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return ones(input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return empty(input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return full(input.shape, fill_value, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return rand(input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return randn(input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=_like(input, dtype), device=device, requires_grad=requires_grad)
