"""Argument checks and gradient plumbing shared by the nn.functional implementations."""
import numpy as np

from ... import _alloc
from ..._tensor import Tensor
from ...autograd import engine
from ...autograd.grad_mode import is_grad_enabled
from ...ops.inplace import _rebase

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def float_tensor(x, fn, name="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: expected {name} to be a Tensor, got {type(x).__name__}")
    if x._data.dtype not in FLOATS:
        raise TypeError(f"{fn}: expected {name} to be float32 or float64, got {x._data.dtype}")
    return x


def same_dtype(fn, **tensors):
    items = [(k, t) for k, t in tensors.items() if t is not None]
    d = items[0][1]._data.dtype
    for k, t in items[1:]:
        if t._data.dtype != d:
            desc = ", ".join(f"{k} {t._data.dtype}" for k, t in items)
            raise TypeError(f"{fn}: expected all tensors to have one dtype, got {desc}")


def reduction_code(reduction, fn, size_average=None, reduce=None):
    """The reduction string (handling torch's deprecated size_average/reduce) as 0/1/2."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
    try:
        return REDUCTIONS[reduction]
    except (KeyError, TypeError):
        raise ValueError(f"{fn}: {reduction!r} is not a valid value for reduction (expected 'none', 'mean' or 'sum')") from None


def contiguous(a):
    return a if a.flags.c_contiguous else np.ascontiguousarray(a)


# The engine may tell a backward that leaves are not to be written (autograd.grad with inputs=);
# an engine without that switch always accumulates into leaves.
_engine_allows = getattr(engine, "accumulate_into_leaves", None)


def leaf_grad_buffer(t):
    """(buffer, accumulate) to write t's gradient straight into t.grad, or (None, False) when the
    engine must receive it instead (t not a leaf needing grad, or a .grad layout the kernels can't
    write). Allocates t.grad when it is None, as accumulate_leaf would."""
    if t._node is not None or not t.requires_grad or (_engine_allows is not None and not _engine_allows()):
        return None, False
    # Slots, not the .grad property: its setter's checks hold by construction here, and this
    # runs for every weight and bias of every step.
    grad = t._grad
    if grad is None:
        data = t._data
        buf = _alloc.empty(data.shape, data.dtype)  # reused once zero_grad drops it
        t._grad = Tensor._wrap(buf)
        return buf, False
    g = grad._data
    if g.dtype != t._data.dtype or g.shape != t._data.shape or not g.flags.c_contiguous or not g.flags.writeable:
        return None, False
    grad._vc[0] += 1
    return g, True


def maybe_inplace(input, inplace, fn, name):
    """fn(input), or input overwritten with it when inplace (torch's rule: out of place plus a
    rebase when input is in the graph; a leaf that requires grad is refused)."""
    if not inplace:
        return fn(input)
    float_tensor(input, name)
    if is_grad_enabled() and input.requires_grad:
        if input._node is None:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an in-place operation.")
        return _rebase(input, fn)
    np.copyto(input._data, fn(input)._data)
    input._version += 1
    return input
