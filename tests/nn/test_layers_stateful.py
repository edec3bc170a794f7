"""Layers whose behaviour depends on mode or history: BatchNorm1d running statistics against torch
over several steps, Dropout in train and eval, and Sequential's fused Linear + activation path.

Tolerances: float64 comparisons use rtol 1e-10 (same formulas, different summation order); the
fused/unfused comparison in float32 uses rtol/atol 1e-5 (the epilogue applies the activation to
the same GEMM result, so differences are a few ulps at most).
"""
import math

import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn
from retroprop import _random

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-10, atol=1e-12)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def run_steps(ours, ref, shapes):
    """Train-mode steps with new data each time; outputs, input/parameter grads and buffers must match."""
    for step, shape in enumerate(shapes):
        x = randn(*shape, seed=step) * (step + 1) + step
        xr, xt = rp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, yt = ours(xr), ref(xt)
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), err_msg=f"step {step}", **TOL)
        g = randn(*shape, seed=100 + step)
        y.backward(rp.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), err_msg=f"step {step}", **TOL)
        for (name, p), (_, pt) in zip(ours.named_parameters(), ref.named_parameters()):
            np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), err_msg=f"{name} step {step}", **TOL)
        for (name, b), (_, bt) in zip(ours.named_buffers(), ref.named_buffers()):
            np.testing.assert_allclose(b.numpy(), bt.numpy(), err_msg=f"{name} step {step}", **TOL)


@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.3}, {"momentum": None}, {"affine": False},
                                    {"eps": 1e-3}])
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
def test_batchnorm_running_stats_follow_torch(kwargs, shape):
    ours, ref = nn.BatchNorm1d(3, **kwargs).double(), torch.nn.BatchNorm1d(3, **kwargs).double()
    if ours.affine:
        ours.load_state_dict({k: np.linspace(0.5, 1.5, 3) if k == "weight" else v for k, v in ref.state_dict().items()})
        ref.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    run_steps(ours, ref, [shape] * 4)
    assert ours.num_batches_tracked.numpy() == 4 and ours.num_batches_tracked.dtype == np.int64
    ours.eval(), ref.eval()
    run_steps(ours, ref, [shape] * 2)
    assert ours.num_batches_tracked.numpy() == 4  # eval does not count batches


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    ours = nn.BatchNorm1d(3, track_running_stats=False).double()
    ref = torch.nn.BatchNorm1d(3, track_running_stats=False).double()
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight", "bias"]
    ours.eval(), ref.eval()
    run_steps(ours, ref, [(6, 3), (5, 3)])


def test_batchnorm_float32_and_errors():
    bn = nn.BatchNorm1d(4)
    assert bn.running_mean.dtype == np.float32 and bn(rp.tensor(randn(5, 4).astype(np.float32))).dtype == np.float32
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        bn(rp.tensor(randn(4).astype(np.float32)))
    with pytest.raises(ValueError, match="4 channels"):
        bn(rp.tensor(randn(5, 3).astype(np.float32)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(rp.tensor(randn(1, 4).astype(np.float32)))
    bn.eval()
    assert bn(rp.tensor(randn(1, 4).astype(np.float32))).shape == (1, 4)  # fine in eval


def test_batchnorm_class_layout_follows_torch():
    # Training scripts test isinstance(m, nn.modules.batchnorm._BatchNorm) to exempt norms from weight decay.
    assert isinstance(nn.BatchNorm1d(2), nn.modules.batchnorm._BatchNorm)
    assert isinstance(nn.CrossEntropyLoss(), nn.modules.loss._WeightedLoss)


def test_batchnorm_reset_running_stats():
    bn = nn.BatchNorm1d(2)
    bn(rp.tensor(randn(6, 2).astype(np.float32) + 3))
    assert bn.running_mean.numpy().any()
    bn.reset_running_stats()
    assert not bn.running_mean.numpy().any() and (bn.running_var.numpy() == 1).all()
    assert bn.num_batches_tracked.numpy() == 0


def test_dropout_train_masks_and_scales_eval_is_identity():
    _random.manual_seed(0)
    x = rp.tensor(np.ones((400, 500), dtype=np.float32), requires_grad=True)
    drop = nn.Dropout(0.3)
    y = drop(x).numpy()
    kept = y != 0
    # Bernoulli(0.7) over 200_000 draws: the kept fraction's standard error is ~0.001, allow 6 of them.
    assert abs(kept.mean() - 0.7) < 0.006
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x).numpy(), x.numpy())
    assert nn.Dropout(0.0)(x).numpy().all()
    assert not nn.Dropout(1.0)(x).numpy().any()


def test_inplace_dropout_module_gradient_goes_through_the_mask():
    _random.manual_seed(1)
    w = rp.tensor(np.ones((4, 3)), requires_grad=True)
    x = rp.tensor(np.arange(8.0).reshape(2, 4))
    y = nn.Dropout(0.5, inplace=True)(x @ w)
    y.sum().backward()
    mask_scale = (y.numpy() != 0) * 2.0
    np.testing.assert_allclose(w.grad.numpy(), x.numpy().T @ mask_scale, rtol=1e-12)


def test_dropout_probability_must_be_in_unit_interval():
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)


def test_dropout_gradient_uses_the_same_mask():
    _random.manual_seed(1)
    x = rp.tensor(np.ones((50, 40)), requires_grad=True)
    y = nn.Dropout(0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())  # d(sum)/dx = mask / (1 - p) = y for x = 1


FUSABLE = [lambda nn: nn.ReLU(), lambda nn: nn.LeakyReLU(0.2), lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"),
           lambda nn: nn.SiLU(), lambda nn: nn.Tanh(), lambda nn: nn.Sigmoid()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", FUSABLE)
def test_sequential_fused_linear_activation_equals_unfused(act, dtype):
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else TOL
    _random.manual_seed(2)
    seq = nn.Sequential(nn.Linear(6, 5), act(nn), nn.Linear(5, 3)).to(dtype)
    x = randn(7, 6).astype(dtype)
    xf, xu = rp.tensor(x, requires_grad=True), rp.tensor(x, requires_grad=True)
    fused = seq(xf)
    unfused = seq[2](seq[1](seq[0](xu)))
    np.testing.assert_allclose(fused.numpy(), unfused.numpy(), **tol)
    grads = []
    for y, xin in ((fused, xf), (unfused, xu)):
        seq.zero_grad()
        y.sum().backward()
        grads.append([xin.grad.numpy()] + [p.grad.numpy().copy() for p in seq.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, **tol)


def test_sequential_takes_the_fused_path():
    seq = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    y = seq(rp.tensor(randn(2, 3).astype(np.float32), requires_grad=True))
    assert "Relu" in y.grad_fn.name and "Linear" in y.grad_fn.name  # one node for both layers


def test_sequential_does_not_fuse_subclasses():
    class Shifted(nn.ReLU):
        def forward(self, x):
            return super().forward(x) + 1.0

    seq = nn.Sequential(nn.Linear(3, 3), Shifted())
    x = rp.tensor(randn(2, 3).astype(np.float32))
    np.testing.assert_allclose(seq(x).numpy(), np.maximum(seq[0](x).numpy(), 0) + 1, rtol=1e-6)


def test_sequential_mlp_matches_torch_in_float32():
    build = lambda nn: nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.SiLU(), nn.Linear(32, 4))  # noqa: E731
    ours, ref = build(nn), build(torch.nn)
    ours.load_state_dict(ref.state_dict())
    x = randn(16, 20).astype(np.float32)
    y, yt = ours(rp.tensor(x)), ref(torch.tensor(x))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert math.isfinite(float(y.numpy().sum()))
