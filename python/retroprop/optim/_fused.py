"""The fused update rules: one C++ call per parameter group (retroprop._core, kernels/optim/).

Same signatures as `_reference` (the readable NumPy rules): lists of NumPy arrays updated in
place; `steps` the per-parameter 0-d step counters, incremented first (torch's `step_t += 1`);
`fresh[i]` true when SGD's momentum buffer i is new (it then starts as a copy of the gradient).
"""
from .. import _core


def sgd(params, grads, momentum_buffers, fresh, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    _core.sgd_step(params, grads, momentum_buffers, fresh, lr, momentum, dampening, weight_decay, nesterov, maximize)


def adagrad(params, grads, sums, steps, *, lr, lr_decay, weight_decay, eps, maximize):
    _core.adagrad_step(params, grads, sums, steps, lr, lr_decay, weight_decay, eps, maximize)


def rmsprop(params, grads, square_avgs, momentum_buffers, grad_avgs, steps, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    _core.rmsprop_step(params, grads, square_avgs, momentum_buffers, grad_avgs, steps, lr, alpha, eps, weight_decay, momentum, centered, maximize)


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled):
    _core.adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled)
