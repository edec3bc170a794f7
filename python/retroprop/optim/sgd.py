"""SGD with momentum, dampening, Nesterov, weight decay and maximize (torch.optim.SGD)."""
import numpy as np

from .._tensor import Tensor
from ._checks import check_lr, check_modes, check_nonneg
from .optimizer import Optimizer, _to_float


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg(momentum, "Invalid momentum value")
        check_nonneg(weight_decay, "Invalid weight_decay value")
        check_modes("SGD", foreach, fused, differentiable=differentiable)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _step_group(self, group):
        momentum = group["momentum"]
        params, grads, bufs, fresh = [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            params.append(p._data)
            grads.append(p.grad._data)
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                fresh.append(buf is None)
                if buf is None:  # filled with the first gradient by the kernel
                    buf = state["momentum_buffer"] = Tensor._wrap(np.empty_like(p._data))
                bufs.append(buf._data)
            else:
                fresh.append(False)
            p._version += 1
        if params:
            self._impl.sgd(params, grads, bufs if momentum != 0 else None, fresh, lr=_to_float(group["lr"]), momentum=momentum,
                           dampening=group["dampening"], weight_decay=group["weight_decay"], nesterov=group["nesterov"],
                           maximize=group["maximize"])
