"""Adamax (Adam with the infinity norm), with weight decay and maximize (torch.optim.Adamax), a
NumPy update rule."""
from . import _numpy_rules
from ._checks import check_betas, check_lr, check_modes, check_nonneg
from .optimizer import Optimizer, _to_float


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *, maximize=False,
                 differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg(eps, "Invalid epsilon value")
        betas = check_betas(betas)
        check_nonneg(weight_decay, "Invalid weight_decay value")
        check_modes("Adamax", foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        params, grads, (exp_avgs, exp_infs), steps = _numpy_rules.gather(self, group, "adamax", ("exp_avg", "exp_inf"))
        if params:
            beta1, beta2 = group["betas"]
            _numpy_rules.adamax(params, grads, exp_avgs, exp_infs, steps, lr=_to_float(group["lr"]),
                                beta1=_to_float(beta1, "betas"), beta2=_to_float(beta2, "betas"), eps=group["eps"],
                                weight_decay=group["weight_decay"], maximize=group["maximize"])
