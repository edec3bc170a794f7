"""RMSprop with momentum, centering, weight decay and maximize (torch.optim.RMSprop)."""
from ._checks import check_lr, check_modes, check_nonneg
from .optimizer import Optimizer, _step_tensor, _to_float, _zeros_like


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_nonneg(eps, "Invalid epsilon value")
        check_nonneg(momentum, "Invalid momentum value")
        check_nonneg(weight_decay, "Invalid weight_decay value")
        check_nonneg(alpha, "Invalid alpha value")
        check_modes("RMSprop", foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        momentum, centered = group["momentum"], group["centered"]
        params, grads, square_avgs, bufs, grad_avgs, steps = [], [], [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = _step_tensor()
                state["square_avg"] = _zeros_like(p)
            if momentum > 0 and "momentum_buffer" not in state:
                state["momentum_buffer"] = _zeros_like(p)
            if centered and "grad_avg" not in state:
                state["grad_avg"] = _zeros_like(p)
            steps.append(state["step"]._data)
            params.append(p._data)
            grads.append(p.grad._data)
            square_avgs.append(state["square_avg"]._data)
            if momentum > 0:
                bufs.append(state["momentum_buffer"]._data)
            if centered:
                grad_avgs.append(state["grad_avg"]._data)
            p._version += 1
        if params:
            self._impl.rmsprop(params, grads, square_avgs, bufs if momentum > 0 else None, grad_avgs if centered else None, steps,
                               lr=_to_float(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                               weight_decay=group["weight_decay"], momentum=momentum, centered=centered,
                               maximize=group["maximize"])
