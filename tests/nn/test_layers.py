"""Layers against torch: same weights (copied through load_state_dict), same input, compare the
output and the gradients of the input and of every parameter.

Tolerances: float64 runs agree with torch to rounding (rtol 1e-10: the same formulas, summed in
different orders); float32 runs to rtol/atol 1e-5 (a few ulps over sums of up to ~100 terms).
"""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn

torch = pytest.importorskip("torch")

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-5)}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def compare(build, x, dtype, *, target=None, grad_input=True):
    """Run build(rp.nn) and build(torch.nn) with the same parameters; compare values and gradients."""
    ours = build(nn)
    ref = build(torch.nn).to(TORCH_DTYPE[dtype])
    ours.to(dtype)
    ours.load_state_dict(ref.state_dict())
    x = x.astype(dtype) if x.dtype.kind == "f" else x
    xr = rp.tensor(x, requires_grad=grad_input)
    xt = torch.tensor(x, requires_grad=grad_input)
    args_r, args_t = (xr,), (xt,)
    if target is not None:
        target = target.astype(dtype) if target.dtype.kind == "f" else target
        args_r, args_t = (xr, rp.tensor(target)), (xt, torch.tensor(target))
    y, yt = ours(*args_r), ref(*args_t)
    assert y.dtype == (np.dtype(dtype) if yt.dtype.is_floating_point else np.int64)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), **TOL[dtype])
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(dtype)
    y.backward(rp.tensor(g))
    yt.backward(torch.tensor(g))
    if grad_input:
        np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), **TOL[dtype])
    for (name, p), (_, pt) in zip(ours.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), err_msg=name, **TOL[dtype])
    return ours, ref


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


DTYPES = [np.float32, np.float64]

ELEMENTWISE = [
    lambda nn: nn.ReLU(), lambda nn: nn.LeakyReLU(0.2), lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"),
    lambda nn: nn.SiLU(), lambda nn: nn.Tanh(), lambda nn: nn.Sigmoid(), lambda nn: nn.Softmax(dim=1),
    lambda nn: nn.LogSoftmax(dim=-1), lambda nn: nn.Identity(),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("build", ELEMENTWISE)
def test_activations(build, dtype):
    compare(build, randn(5, 7), dtype)


@pytest.mark.parametrize("build", [lambda nn: nn.ReLU(inplace=True), lambda nn: nn.SiLU(inplace=True),
                                   lambda nn: nn.LeakyReLU(inplace=True), lambda nn: nn.Dropout(0.3, inplace=True)])
def test_inplace_flag_gives_torch_values(build):
    x = randn(4, 5).astype(np.float32)
    ours, ref = build(nn).eval(), build(torch.nn).eval()
    np.testing.assert_allclose(ours(rp.tensor(x)).numpy(), ref(torch.tensor(x)).numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 5), (5,)])
def test_linear(shape, bias, dtype):
    compare(lambda nn: nn.Linear(5, 4, bias=bias), randn(*shape), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mlp_in_sequential(dtype):
    build = lambda nn: nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 16), nn.GELU(),  # noqa: E731
                                     nn.Linear(16, 8), nn.LeakyReLU(0.1), nn.Linear(8, 3), nn.LogSoftmax(dim=1))
    compare(build, randn(4, 3, 4), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 6)])
def test_layer_norm(shape, dtype):
    compare(lambda nn: nn.LayerNorm(6), randn(*shape) * 3 + 1, dtype)
    compare(lambda nn: nn.LayerNorm(shape[1:], elementwise_affine=False), randn(*shape), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding(dtype):
    idx = np.array([[0, 2, 4], [4, 3, 0]])
    ours, ref = compare(lambda nn: nn.Embedding(5, 3, padding_idx=0), idx, dtype, grad_input=False)
    assert not ours.weight.grad.numpy()[0].any()
    fresh = nn.Embedding(5, 3, padding_idx=-1)
    assert fresh.padding_idx == 4 and not fresh.weight.numpy()[4].any()
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(5, 3, padding_idx=5)


def test_embedding_from_pretrained_is_frozen_by_default():
    table = rp.tensor(np.arange(6.0).reshape(3, 2))
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and emb.weight.shape == (3, 2)
    assert emb(rp.tensor(np.array([2]))).numpy().tolist() == [[4.0, 5.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


@pytest.mark.parametrize("start,end,shape", [(1, -1, (2, 3, 4, 5)), (0, -1, (2, 3, 4)), (1, 2, (2, 3, 4, 5)),
                                             (-2, -1, (2, 3, 4)), (0, 0, (2, 3))])
def test_flatten(start, end, shape):
    compare(lambda nn: nn.Flatten(start, end), randn(*shape), np.float64)


def test_unflatten():
    compare(lambda nn: nn.Unflatten(1, (2, -1)), randn(3, 8), np.float64)
    compare(lambda nn: nn.Unflatten(-1, (2, 2)), randn(3, 2, 4), np.float64)
    with pytest.raises(TypeError, match="tuple of ints"):
        nn.Unflatten(1, 4)


def test_flatten_dimension_errors():
    with pytest.raises(IndexError, match="out of range"):
        nn.Flatten(3)(rp.tensor(randn(2, 3)))
    with pytest.raises(RuntimeError, match="start_dim .* cannot come after end_dim"):
        nn.Flatten(1, 0)(rp.tensor(randn(2, 3)))


LOSSES = [
    (lambda nn: nn.MSELoss(), "float"), (lambda nn: nn.MSELoss(reduction="sum"), "float"),
    (lambda nn: nn.L1Loss(reduction="none"), "float"), (lambda nn: nn.SmoothL1Loss(beta=0.5), "float"),
    (lambda nn: nn.HuberLoss(delta=0.7), "float"), (lambda nn: nn.BCEWithLogitsLoss(), "prob"),
    (lambda nn: nn.CrossEntropyLoss(), "class"), (lambda nn: nn.CrossEntropyLoss(reduction="sum"), "class"),
    (lambda nn: nn.CrossEntropyLoss(ignore_index=1, label_smoothing=0.1), "class"),
    (lambda nn: nn.NLLLoss(reduction="none"), "class"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("build,kind", LOSSES)
def test_losses(build, kind, dtype):
    x = randn(6, 4)
    target = {"float": randn(6, 4, seed=2), "prob": np.random.default_rng(2).uniform(size=(6, 4)),
              "class": np.array([0, 3, 1, 2, 1, 3])}[kind]
    compare(build, x, dtype, target=target)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_loss_on_probabilities(dtype):
    probs = 1 / (1 + np.exp(-randn(5, 3)))
    compare(lambda nn: nn.BCELoss(), probs, dtype, target=np.random.default_rng(3).uniform(size=(5, 3)))


def test_weighted_losses_keep_weights_as_buffers():
    w = np.array([1.0, 2.0, 0.5, 1.5], dtype=np.float32)
    ours = nn.CrossEntropyLoss(weight=rp.tensor(w))
    ref = torch.nn.CrossEntropyLoss(weight=torch.tensor(w))
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["weight"]
    x, t = randn(6, 4).astype(np.float32), np.array([0, 3, 1, 2, 1, 3])
    np.testing.assert_allclose(ours(rp.tensor(x), rp.tensor(t)).numpy(),
                               ref(torch.tensor(x), torch.tensor(t)).numpy(), rtol=1e-6)
    pw = np.array([2.0, 0.5, 1.0, 3.0], dtype=np.float32)
    target = np.random.default_rng(4).uniform(size=(6, 4)).astype(np.float32)
    ours_b = nn.BCEWithLogitsLoss(pos_weight=rp.tensor(pw))
    ref_b = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw))
    assert list(ours_b.state_dict()) == ["pos_weight"]
    np.testing.assert_allclose(ours_b(rp.tensor(x), rp.tensor(target)).numpy(),
                               ref_b(torch.tensor(x), torch.tensor(target)).numpy(), rtol=1e-6)


def test_loss_constructor_errors_and_legacy_flags():
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(TypeError, match="delta"):
        nn.HuberLoss(delta="1")
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.MSELoss(size_average=False).reduction == "sum"
