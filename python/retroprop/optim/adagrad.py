"""Adagrad with lr decay, weight decay, initial accumulator and maximize (torch.optim.Adagrad)."""
from ._checks import check_lr, check_modes, check_nonneg
from .optimizer import Optimizer, _step_tensor, _to_float, _zeros_like


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, foreach=None, *,
                 maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg(lr_decay, "Invalid lr_decay value")
        check_nonneg(weight_decay, "Invalid weight_decay value")
        check_nonneg(initial_accumulator_value, "Invalid initial_accumulator_value value")
        check_nonneg(eps, "Invalid epsilon value")
        check_modes("Adagrad", foreach, fused, differentiable=differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # As torch: Adagrad's state exists from construction (the sum starts at the initial value).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(group, p)

    def _init_state(self, group, p):
        state = self.state[p]
        state["step"] = _step_tensor()
        state["sum"] = _zeros_like(p, group["initial_accumulator_value"])
        return state

    def _step_group(self, group):
        params, grads, sums, steps = [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p] or self._init_state(group, p)
            steps.append(state["step"]._data)
            params.append(p._data)
            grads.append(p.grad._data)
            sums.append(state["sum"]._data)
            p._version += 1
        if params:
            self._impl.adagrad(params, grads, sums, steps, lr=_to_float(group["lr"]), lr_decay=group["lr_decay"],
                               weight_decay=group["weight_decay"], eps=group["eps"], maximize=group["maximize"])
