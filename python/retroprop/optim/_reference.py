"""Readable NumPy reference of every update rule: the oracle for the fused C++ kernels.

Each function follows the operation order of torch.optim's single-tensor implementation
(maximize negates the gradient first, L2 weight decay is then added to it, ...). Arrays are
updated in place; signatures match `_fused` (`steps` are the 0-d step counters, incremented
first as torch's `step_t += 1`). Slow on purpose: clarity over speed.
"""
import numpy as np


def _increment(steps):
    counts = []
    for step in steps:
        step += 1
        counts.append(float(step))
    return counts


def _lerp(start, end, weight):
    """torch.lerp's formula: start + w (end - start) for |w| < 0.5, else end - (1 - w)(end - start)."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def _grad_in(p, g, weight_decay, maximize):
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    return g


def sgd(params, grads, momentum_buffers, fresh, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    for i, (p, g) in enumerate(zip(params, grads)):
        d = _grad_in(p, g, weight_decay, maximize)
        if momentum != 0:
            buf = momentum_buffers[i]
            if fresh[i]:
                buf[...] = d  # the buffer starts as a copy of the first gradient, not zeros
            else:
                buf[...] = buf * momentum + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        p += -lr * d


def adagrad(params, grads, sums, steps, *, lr, lr_decay, weight_decay, eps, maximize):
    for p, g, state_sum, step in zip(params, grads, sums, _increment(steps)):
        d = _grad_in(p, g, weight_decay, maximize)
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum += d * d
        std = np.sqrt(state_sum) + eps
        p += -clr * (d / std)


def rmsprop(params, grads, square_avgs, momentum_buffers, grad_avgs, steps, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    _increment(steps)  # counted, as torch does, though the rule does not use it
    for i, (p, g, square_avg) in enumerate(zip(params, grads, square_avgs)):
        d = _grad_in(p, g, weight_decay, maximize)
        square_avg[...] = square_avg * alpha + (1 - alpha) * d * d
        if centered:
            grad_avg = grad_avgs[i]
            grad_avg[...] = _lerp(grad_avg, d, 1 - alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg = avg + eps
        if momentum > 0:
            buf = momentum_buffers[i]
            buf[...] = buf * momentum + d / avg
            p += -lr * buf
        else:
            p += -lr * (d / avg)


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled):
    for i, (p, g, exp_avg, exp_avg_sq, step) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs, _increment(steps))):
        d = -g if maximize else g
        if weight_decay != 0:
            if decoupled:
                p *= 1 - lr * weight_decay  # AdamW: decay the parameter, not the gradient
            else:
                d = d + weight_decay * p
        exp_avg[...] = _lerp(exp_avg, d, 1 - beta1)
        exp_avg_sq[...] = exp_avg_sq * beta2 + (1 - beta2) * d * d
        # Bias corrections in double (Python floats), as torch computes them.
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if amsgrad:
            # The running max of the raw (uncorrected) second moment.
            np.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
            second = max_exp_avg_sqs[i]
        else:
            second = exp_avg_sq
        denom = np.sqrt(second) / bias_correction2_sqrt + eps  # eps after the corrected sqrt
        p += -step_size * (exp_avg / denom)
