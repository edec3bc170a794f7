"""RAdam (rectified Adam), with L2 or decoupled weight decay and maximize (torch.optim.RAdam), a
NumPy update rule."""
from . import _numpy_rules
from ._checks import check_betas, check_lr, check_modes, check_nonneg
from .optimizer import Optimizer, _to_float


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_nonneg(eps, "Invalid epsilon value")
        betas = check_betas(betas)
        check_nonneg(weight_decay, "Invalid weight_decay value")
        check_modes("RAdam", foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        params, grads, (exp_avgs, exp_avg_sqs), steps = _numpy_rules.gather(self, group, "radam",
                                                                           ("exp_avg", "exp_avg_sq"))
        if params:
            beta1, beta2 = group["betas"]
            _numpy_rules.radam(params, grads, exp_avgs, exp_avg_sqs, steps, lr=_to_float(group["lr"]),
                               beta1=_to_float(beta1, "betas"), beta2=_to_float(beta2, "betas"), eps=group["eps"],
                               weight_decay=group["weight_decay"], decoupled=group["decoupled_weight_decay"],
                               maximize=group["maximize"])
