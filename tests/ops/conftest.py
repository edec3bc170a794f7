"""The one checker applied to every differentiable operation (fixture `check_op`).

`fn(lib, *tensors)` is written once against the torch-shaped API and run with lib = retroprop
and lib = torch. For each list of input shapes it checks:
1. retroprop.autograd.gradcheck in float64: central differences with eps = 1e-6 have a
   truncation error ~eps^2 * f''' and a rounding error ~1e-16 / eps = 1e-10, far inside
   atol = 1e-5, rtol = 1e-3 (the tolerances torch's own gradcheck uses).
2. against torch in float32 (skipped when torch is missing): values, dtypes and shapes, then
   the gradients of sum(out * G) for a fixed random G. Both libraries round in float32 but
   may sum in a different order; for the sizes used (< 100 terms per sum) the difference
   stays below rtol = 1e-4, atol = 1e-5.
"""
import numpy as np
import pytest

import retroprop

DOMAINS = {
    "any": lambda rng, s: rng.uniform(-2, 2, s),
    "pos": lambda rng, s: rng.uniform(0.5, 2, s),
    "nonzero": lambda rng, s: rng.choice([-1.0, 1.0], s) * rng.uniform(0.5, 2, s),
}


def _outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _sample(shapes, domain, seed):
    rng = np.random.default_rng(seed)
    domains = domain if isinstance(domain, (tuple, list)) else [domain] * len(shapes)
    return [DOMAINS[d](rng, s) for s, d in zip(shapes, domains)]


def _gradcheck(fn, arrays):
    inputs = [retroprop.tensor(a, dtype=retroprop.float64, requires_grad=True) for a in arrays]
    assert retroprop.autograd.gradcheck(lambda *ts: fn(retroprop, *ts), inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


def _run(lib, fn, arrays, seed, as_tensor):
    inputs = [as_tensor(a) for a in arrays]
    outs = _outputs(fn(lib, *inputs))
    rng = np.random.default_rng(seed + 1)
    loss = None
    for o in outs:
        if o.requires_grad:
            g = lib.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype)
            term = (o * g).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    return outs, inputs


def check_op(fn, shapes, domain="any", seed=0, rtol=1e-4, atol=1e-5, gradcheck=True):
    arrays = _sample(shapes, domain, seed)
    if gradcheck:
        _gradcheck(fn, arrays)
    torch = pytest.importorskip("torch")
    rp_outs, rp_in = _run(retroprop, fn, arrays, seed,
                          lambda a: retroprop.tensor(a.astype(np.float32), requires_grad=True))
    t_outs, t_in = _run(torch, fn, arrays, seed, lambda a: torch.tensor(a.astype(np.float32), requires_grad=True))
    assert len(rp_outs) == len(t_outs)
    for r, t in zip(rp_outs, t_outs):
        assert tuple(r.shape) == tuple(t.shape)
        assert str(t.dtype) == "torch." + str(r.dtype)
        np.testing.assert_allclose(r.numpy(), t.detach().numpy(), rtol=rtol, atol=atol)
        assert r.requires_grad == t.requires_grad
    for r, t in zip(rp_in, t_in):
        if t.grad is None:
            assert r.grad is None or not np.any(r.grad.numpy())
        else:
            np.testing.assert_allclose(r.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


@pytest.fixture
def check():
    return check_op
