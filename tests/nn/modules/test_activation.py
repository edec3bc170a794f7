"""Activation and dropout modules with inplace=True write into their input, as torch's do (the
functional's in-place form), and a Linear + ReLU(inplace=True) run in a Sequential still fuses.

Tolerance: the same float64 formulas on the same inputs, so values agree with torch to rounding
(rtol 1e-12); gradients to rtol 1e-7, because torch's float64 CELU and Hardsigmoid backward kernels
round a constant (1/alpha, 1/6) to float32 (~3e-8 relative, out of place too). Dropout uses p = 1
and eval mode, so no random mask is compared.
"""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn

X = np.array([[-2.5, -1.0, -0.3, 0.4], [1.5, 3.5, 7.0, -6.0]])

CASES = [("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("SiLU", {}), ("ELU", {"alpha": 0.7}),
         ("SELU", {}), ("CELU", {"alpha": 1.3}), ("Hardtanh", {"min_val": -2.0, "max_val": 3.0}), ("ReLU6", {}),
         ("Mish", {}), ("Hardsigmoid", {}), ("Hardswish", {})]


def make(lib, name, kw):
    return getattr(lib.nn, name)(**kw, inplace=True)


@pytest.mark.parametrize("name,kw", CASES)
def test_inplace_module_overwrites_its_input_like_torch(name, kw):
    torch = pytest.importorskip("torch")
    x, tx = rp.tensor(X.copy()), torch.tensor(X.copy())
    v0 = x._version
    y, ty = make(rp, name, kw)(x), make(torch, name, kw)(tx)
    assert y is x
    assert x._version > v0
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,kw", CASES)
def test_inplace_module_on_a_leaf_that_requires_grad_raises_like_torch(name, kw):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        make(torch, name, kw)(torch.tensor(X.copy(), requires_grad=True))
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        make(rp, name, kw)(rp.tensor(X.copy(), requires_grad=True))


@pytest.mark.parametrize("name,kw", CASES)
def test_inplace_module_gradient_through_a_non_leaf_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    a, ta = rp.tensor(X.copy(), requires_grad=True), torch.tensor(X.copy(), requires_grad=True)
    y, ty = make(rp, name, kw)(a * 2.0), make(torch, name, kw)(ta * 2.0)
    w = np.arange(1.0, 9.0).reshape(2, 4)
    (y * rp.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-7, atol=1e-15)


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d"])
def test_inplace_dropout_overwrites_its_input_like_torch(name):
    torch = pytest.importorskip("torch")
    for p, training in [(1.0, True), (0.5, False)]:
        x, tx = rp.tensor(X.copy()), torch.tensor(X.copy())
        m, tm = getattr(rp.nn, name)(p, inplace=True), getattr(torch.nn, name)(p, inplace=True)
        m.train(training), tm.train(training)
        y, ty = m(x), tm(tx)
        assert y is x
        np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-12, atol=1e-15)
    # training with p = 1 through a non-leaf: everything dropped, the gradient is the zero mask's
    a, ta = rp.tensor(X.copy(), requires_grad=True), torch.tensor(X.copy(), requires_grad=True)
    m, tm = getattr(rp.nn, name)(1.0, inplace=True), getattr(torch.nn, name)(1.0, inplace=True)
    h, th = a * 1.0, ta * 1.0
    v0 = h._version
    m(h).sum().backward(), tm(th).sum().backward()
    assert h._version > v0
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_alpha_dropout_module_ignores_inplace_like_torch():
    """torch's AlphaDropout.forward does not pass inplace on: the input is left as it was."""
    torch = pytest.importorskip("torch")
    for lib in (rp, torch):
        lib.manual_seed(0)
        h = lib.tensor(X.copy(), requires_grad=True) * 1.0
        y = lib.nn.AlphaDropout(0.5, inplace=True)(h)
        assert y is not h
        np.testing.assert_array_equal(h.detach().numpy(), X)
        assert not np.array_equal(y.detach().numpy(), X)


def test_inplace_dropout_on_a_leaf_that_requires_grad_raises():
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        nn.Dropout(0.5, inplace=True)(rp.tensor(X.copy(), requires_grad=True))


def test_inplace_relu_after_linear_in_sequential_still_fuses():
    """The in-place write lands on the Linear's fresh output, so the fused run is equivalent."""
    rp.manual_seed(0)
    fused = nn.Sequential(nn.Linear(4, 5), nn.ReLU(inplace=True), nn.Linear(5, 3)).double()
    plain = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3)).double()
    plain.load_state_dict(fused.state_dict())
    x = rp.tensor(X.copy())
    y, ref = fused(x), plain(x)
    assert y.grad_fn.name == "LinearChainBackward"
    np.testing.assert_array_equal(x.numpy(), X)  # the Sequential's input is never written
    np.testing.assert_array_equal(y.detach().numpy(), ref.detach().numpy())
    y.sum().backward(), ref.sum().backward()
    for p, q in zip(fused.parameters(), plain.parameters()):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
