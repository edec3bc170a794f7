"""Adam and AdamW (decoupled weight decay), with amsgrad and maximize (torch.optim.Adam/AdamW)."""
from ._checks import check_lr, check_modes, check_nonneg
from .optimizer import Optimizer, _step_tensor, _to_float, _zeros_like


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False):
        check_lr(lr)
        check_nonneg(eps, "Invalid epsilon value")
        for i, beta in enumerate(betas):
            if not 0.0 <= _to_float(beta, f"betas[{i}]") < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        check_nonneg(weight_decay, "Invalid weight_decay value")
        check_modes(type(self).__name__, foreach, fused, capturable, differentiable)
        betas = tuple(_to_float(b, "betas") for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _step_group(self, group):
        # The per-step Python is a fixed cost on every step (about a tenth of a 669k-float
        # Adam step), so the loop reads slots directly: p._grad, p._vc (the version counter).
        amsgrad = group["amsgrad"]
        state_of = self.state
        params, grads, exp_avgs, exp_avg_sqs, maxes, steps = [], [], [], [], [], []
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            state = state_of[p]
            if not state:
                state["step"] = _step_tensor()
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            if amsgrad:
                if "max_exp_avg_sq" not in state:
                    state["max_exp_avg_sq"] = _zeros_like(p)
                maxes.append(state["max_exp_avg_sq"]._data)
            steps.append(state["step"]._data)
            params.append(p._data)
            grads.append(g._data)
            exp_avgs.append(state["exp_avg"]._data)
            exp_avg_sqs.append(state["exp_avg_sq"]._data)
            p._vc[0] += 1
        if params:
            beta1, beta2 = group["betas"]
            self._impl.adam(params, grads, exp_avgs, exp_avg_sqs, maxes if amsgrad else None, steps, lr=_to_float(group["lr"]),
                            beta1=_to_float(beta1, "betas"), beta2=_to_float(beta2, "betas"), eps=group["eps"],
                            weight_decay=group["weight_decay"], amsgrad=amsgrad, maximize=group["maximize"],
                            decoupled=group["decoupled_weight_decay"])


class AdamW(Adam):
    """Adam with decoupled weight decay (the parameter decays by lr * weight_decay each step)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *, maximize=False,
                 foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused, decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # AdamW always decouples, whatever was saved
            group["decoupled_weight_decay"] = True
