"""Custom differentiable operations: subclasses of `Function` with static forward/backward.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp(); ctx.save_for_backward(y); return y
        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors; return g * y

`Exp.apply(x)` runs forward outside the graph and records one node whose backward calls the
user's backward with Tensors. With several outputs, each output gets its own node that calls
backward with zeros for the other outputs' gradients (backward is linear in them).
"""
import numpy as np

from .. import _tensor
from .engine import record
from .grad_mode import is_grad_enabled, no_grad


class FunctionCtx:
    """The `ctx` passed to forward and backward: saved tensors and which inputs need a gradient."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.to_save = ()
        self.non_differentiable = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        self.to_save = tensors

    @property
    def saved_tensors(self):
        return self.to_save

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = tensors

    def mark_dirty(self, *tensors):
        """Accepted for compatibility; in-place inputs are tracked through their version counter."""

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class Function:
    """Base class of custom autograd operations (torch.autograd.Function)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("Function subclasses must implement a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("Function subclasses must implement a static backward(ctx, ...)")

    @classmethod
    def apply(cls, *args, **kwargs):
        Tensor = _tensor.Tensor
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        outputs = result if isinstance(result, tuple) else (result,)
        if not (is_grad_enabled() and any(needs)):
            return result
        parents = tuple(a for a in args if isinstance(a, Tensor))
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        saved = tuple(t for t in ctx.to_save if isinstance(t, Tensor))
        fixed = []
        for k, out in enumerate(outputs):
            if not isinstance(out, Tensor) or any(out is t for t in ctx.non_differentiable) or out.dtype.kind != "f":
                fixed.append(out)
                continue
            if any(out is a for a in args):  # an input returned as is: give the output its own identity
                out = Tensor._wrap(out._data)
            backward = _node_backward(cls, ctx, outputs, k, positions)
            fixed.append(record(out, parents, backward, cls.__name__ + "Backward", saved=saved))
        return tuple(fixed) if isinstance(result, tuple) else fixed[0]


def _node_backward(cls, ctx, outputs, k, positions):
    """Backward for output k: the user's backward with this gradient (zeros for the others)."""
    Tensor = _tensor.Tensor

    def backward(g):
        grads = [Tensor._wrap(g) if i == k else
                 (Tensor._wrap(np.zeros_like(o._data)) if ctx.materialize_grads else None) if isinstance(o, Tensor) else None
                 for i, o in enumerate(outputs)]
        with no_grad():
            res = cls.backward(ctx, *grads)
        res = res if isinstance(res, tuple) else (res,)
        if len(res) < max(positions, default=-1) + 1:
            raise RuntimeError(f"function {cls.__name__}Backward returned an incorrect number of gradients "
                               f"(expected {len(ctx.needs_input_grad)}, got {len(res)})")
        return tuple(None if res[i] is None else (res[i]._data if isinstance(res[i], Tensor) else np.asarray(res[i]))
                     for i in positions)

    return backward
