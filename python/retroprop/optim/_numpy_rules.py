"""Update rules without a C++ kernel (Adadelta, NAdam, RAdam, Adamax): vectorized NumPy over each
parameter's array, updated in place.

Each function follows torch.optim's single-tensor implementation operation by operation (torch's
CPU kernels compute `addcmul`/`addcdiv` as self + (value * t1) * t2 and self + (value * t1) / t2,
`add(x, alpha=a)` as self + a * x; a Python scalar meets a float32 array as a float32 value, as
in torch), so float64 trajectories agree with torch to a few ulps. Signatures follow `_fused`:
lists of arrays; `steps` the 0-d float32 step counters, incremented first (torch's `step_t += 1`).
"""
import numpy as np

from .optimizer import _step_tensor, _zeros_like


def check_grad(name, index, p, g):
    """The fused kernels check their arrays in C++; these rules are checked here (a gradient set
    behind the `.grad` setter's back could otherwise broadcast silently or change dtype)."""
    if g.shape != p.shape:
        raise ValueError(f"{name}: gradient {index} of shape {g.shape} does not match its parameter of shape {p.shape}")
    if g.dtype != p.dtype:
        raise TypeError(f"{name}: gradient {index} has dtype {g.dtype} but its parameter {p.dtype}")


def gather(optimizer, group, name, buffers, scalars=()):
    """(params, grads, per-buffer arrays, steps) of the parameters of `group` that have a
    gradient, each checked, its state made on first use (a float32 step, each of `buffers` as
    zeros like the parameter, each of `scalars` (state name, factory) from its factory), and its
    version bumped: what every rule here takes."""
    params, grads, steps = [], [], []
    bufs = [[] for _ in range(len(buffers) + len(scalars))]
    for p in group["params"]:
        g = p._grad
        if g is None:
            continue
        check_grad(name, len(params), p._data, g._data)
        state = optimizer.state[p]
        if not state:
            state["step"] = _step_tensor()
            for key, make in scalars:
                state[key] = make()
            for key in buffers:
                state[key] = _zeros_like(p)
        params.append(p._data)
        grads.append(g._data)
        for out, key in zip(bufs, list(buffers) + [key for key, _ in scalars]):
            out.append(state[key]._data)
        steps.append(state["step"]._data)
        p._version += 1
    return params, grads, bufs, steps


def _lerp_(start, end, weight):
    """torch.lerp_(start, end, weight) in place, with torch's two-sided formula."""
    diff = end - start
    if abs(weight) < 0.5:
        diff *= weight
        start += diff
    else:
        diff *= 1 - weight
        np.subtract(end, diff, out=start)


def _addcmul_(out, t1, t2, value):
    """out += (value * t1) * t2 (torch's addcmul_ order)."""
    tmp = np.multiply(t1, value)
    tmp *= t2
    out += tmp


def _grad_in(p, g, weight_decay, maximize):
    """maximize negates the gradient first, then L2 weight decay adds weight_decay * param."""
    d = np.negative(g) if maximize else g
    if weight_decay != 0:
        d = d + weight_decay * p
    return d


def adadelta(params, grads, square_avgs, acc_deltas, steps, *, lr, rho, eps, weight_decay, maximize):
    for p, g, square_avg, acc_delta, step in zip(params, grads, square_avgs, acc_deltas, steps):
        step += 1
        d = _grad_in(p, g, weight_decay, maximize)
        square_avg *= rho
        _addcmul_(square_avg, d, d, 1 - rho)
        std = square_avg + eps
        np.sqrt(std, out=std)
        delta = acc_delta + eps
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= d
        acc_delta *= rho
        _addcmul_(acc_delta, delta, delta, 1 - rho)
        delta *= -lr
        p += delta


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, steps, *, lr, beta1, beta2, eps, weight_decay, momentum_decay,
          decoupled, maximize):
    for p, g, exp_avg, exp_avg_sq, mu_product, step_t in zip(params, grads, exp_avgs, exp_avg_sqs, mu_products, steps):
        d = np.negative(g) if maximize else g
        step_t += 1
        step = float(step_t)
        bias_correction2 = 1 - beta2**step
        if weight_decay != 0:
            if decoupled:
                p *= 1 - lr * weight_decay
            else:
                d = d + weight_decay * p
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product *= mu  # a 0-d array in its own dtype (float32 as torch keeps it), rounded there
        mu_prod = float(mu_product)
        _lerp_(exp_avg, d, 1 - beta1)
        exp_avg_sq *= beta2
        _addcmul_(exp_avg_sq, d, d, 1 - beta2)
        denom = exp_avg_sq / bias_correction2
        np.sqrt(denom, out=denom)
        denom += eps
        mu_product_next = mu_prod * mu_next
        update = np.multiply(d, -lr * (1.0 - mu) / (1.0 - mu_prod))
        update /= denom
        p += update
        np.multiply(exp_avg, (-lr * mu_next) / (1.0 - mu_product_next), out=update)
        update /= denom
        p += update


def radam(params, grads, exp_avgs, exp_avg_sqs, steps, *, lr, beta1, beta2, eps, weight_decay, decoupled, maximize):
    for p, g, exp_avg, exp_avg_sq, step_t in zip(params, grads, exp_avgs, exp_avg_sqs, steps):
        d = np.negative(g) if maximize else g
        step_t += 1
        step = float(step_t)
        if weight_decay != 0:
            if decoupled:
                p *= 1 - lr * weight_decay
            else:
                d = d + weight_decay * p
        _lerp_(exp_avg, d, 1 - beta1)
        exp_avg_sq *= beta2
        _addcmul_(exp_avg_sq, d, d, 1 - beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        update = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1  # the maximum length of the approximated SMA
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        update *= lr
        if rho_t > 5.0:  # variance is tractable: rectify the adaptive lr
            adaptive = np.sqrt(exp_avg_sq)
            adaptive += eps
            np.divide(bias_correction2**0.5, adaptive, out=adaptive)
            update *= adaptive
            update *= ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        p -= update


def adamax(params, grads, exp_avgs, exp_infs, steps, *, lr, beta1, beta2, eps, weight_decay, maximize):
    for p, g, exp_avg, exp_inf, step_t in zip(params, grads, exp_avgs, exp_infs, steps):
        d = np.negative(g) if maximize else g
        step_t += 1
        if weight_decay != 0:
            d = d + weight_decay * p
        _lerp_(exp_avg, d, 1 - beta1)
        exp_inf *= beta2
        norm = np.abs(d)
        norm += eps
        np.maximum(exp_inf, norm, out=exp_inf)
        clr = lr / (1 - beta1 ** float(step_t))
        np.multiply(exp_avg, -clr, out=norm)
        norm /= exp_inf
        p += norm
