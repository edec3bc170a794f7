"""Adadelta with weight decay and maximize (torch.optim.Adadelta), a NumPy update rule."""
from . import _numpy_rules
from ._checks import check_lr, check_modes, check_nonneg
from .optimizer import Optimizer, _to_float


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False, maximize=False,
                 differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg(eps, "Invalid epsilon value")
        check_nonneg(weight_decay, "Invalid weight_decay value")
        check_modes("Adadelta", foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        params, grads, (square_avgs, acc_deltas), steps = _numpy_rules.gather(self, group, "adadelta",
                                                                             ("square_avg", "acc_delta"))
        if params:
            _numpy_rules.adadelta(params, grads, square_avgs, acc_deltas, steps, lr=_to_float(group["lr"]), rho=group["rho"],
                                  eps=group["eps"], weight_decay=group["weight_decay"], maximize=group["maximize"])
