"""clip_grad_norm_ / clip_grad_value_ against torch and against NumPy norms.

Tolerance: per-tensor norms are accumulated in double (torch accumulates float32 grads in
float32), so float32 results agree to float32 rounding: rtol 1e-6; float64 to rtol 1e-12."""
import math

import numpy as np
import pytest

import retroprop as rp
from retroprop import _core
from retroprop.nn.utils import clip_grad_norm_, clip_grad_value_

SHAPES = [(3,), (40, 30), (20_000,), (5, 1)]


def _params_with_grads(dtype, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    params = [rp.nn.Parameter(np.zeros(s, dtype=dtype)) for s in SHAPES]
    grads = [(rng.standard_normal(s) * scale).astype(dtype) for s in SHAPES]
    for p, g in zip(params, grads):
        p.grad = rp.from_numpy(g.copy())
    return params, grads


@pytest.fixture(params=[isa for isa in _core.build_info()["isa_supported"]])
def isa(request):
    before = _core.isa()
    _core.set_isa(request.param)
    yield request.param
    _core.set_isa(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
@pytest.mark.parametrize("max_norm", [1.0, 1e6])
def test_clip_grad_norm_matches_numpy(isa, dtype, norm_type, max_norm):
    params, grads = _params_with_grads(dtype)
    flat = np.concatenate([g.ravel().astype(np.float64) for g in grads])
    expected = np.linalg.norm(flat, ord=norm_type)
    total = clip_grad_norm_(params, max_norm, norm_type)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    assert isinstance(total, rp.Tensor) and total.shape == () and total.dtype == dtype
    np.testing.assert_allclose(float(total._data), expected, rtol=rtol)
    coef = min(1.0, max_norm / (expected + 1e-6))
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad._data, g * coef, rtol=rtol)
        assert p.grad._version == (1 if coef < 1 else 0)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_matches_torch(norm_type):
    torch = pytest.importorskip("torch")
    params, grads = _params_with_grads(np.float32, scale=3.0)
    tparams = [torch.nn.Parameter(torch.zeros(s)) for s in SHAPES]
    for t, g in zip(tparams, grads):
        t.grad = torch.from_numpy(g.copy())
    total = clip_grad_norm_(params, 5.0, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tparams, 5.0, norm_type)
    # torch sums float32 gradients in float32 (relative error ~1e-6 over 21k elements).
    np.testing.assert_allclose(float(total._data), ttotal.item(), rtol=1e-5)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad._data, t.grad.numpy(), rtol=1e-5, atol=1e-9)


def test_clip_grad_norm_nonfinite():
    params, _ = _params_with_grads(np.float32)
    params[2].grad._data[7] = np.nan
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert math.isnan(float(clip_grad_norm_(params, 1.0, norm_type=math.inf)._data))


def test_clip_grad_norm_edge_cases():
    assert float(clip_grad_norm_([rp.nn.Parameter(np.zeros(3))], 1.0)._data) == 0.0  # no grads
    p = rp.nn.Parameter(np.zeros((4, 6)))
    g = np.arange(24.0).reshape(6, 4).T  # a non-contiguous gradient is clipped in place too
    p.grad = rp.from_numpy(g)
    total = clip_grad_norm_(p, 1.0)  # a single Tensor is accepted
    np.testing.assert_allclose(float(total._data), np.linalg.norm(np.arange(24.0)), rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(p.grad._data), 1.0, rtol=1e-6)


def test_clip_grad_value():
    params, grads = _params_with_grads(np.float64, scale=2.0)
    clip_grad_value_(params, 0.5)
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad._data, np.clip(g, -0.5, 0.5))
