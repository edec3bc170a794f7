"""NAdam (Adam with Nesterov momentum and momentum decay), with L2 or decoupled weight decay and
maximize (torch.optim.NAdam), a NumPy update rule."""
import numpy as np

from .._tensor import Tensor
from . import _numpy_rules
from ._checks import check_betas, check_lr, check_modes, check_nonneg
from .optimizer import Optimizer, _to_float


def _unit_product():
    return Tensor._wrap(np.array(1.0, dtype=np.float32))


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_nonneg(eps, "Invalid epsilon value")
        betas = check_betas(betas)
        check_nonneg(weight_decay, "Invalid weight_decay value")
        check_nonneg(momentum_decay, "Invalid momentum_decay value")
        check_modes("NAdam", foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        # mu_product: the running product of the momentum schedule, a float32 scalar as torch keeps it.
        params, grads, (exp_avgs, exp_avg_sqs, mu_products), steps = _numpy_rules.gather(
            self, group, "nadam", ("exp_avg", "exp_avg_sq"), scalars=(("mu_product", _unit_product),))
        if params:
            beta1, beta2 = group["betas"]
            _numpy_rules.nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, steps, lr=_to_float(group["lr"]),
                               beta1=_to_float(beta1, "betas"), beta2=_to_float(beta2, "betas"), eps=group["eps"],
                               weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
                               decoupled=group["decoupled_weight_decay"], maximize=group["maximize"])
