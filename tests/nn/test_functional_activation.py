"""The NumPy-vectorized activations (elu family, softplus, hardtanh/relu6, mish, hard*, softsign,
logsigmoid, prelu, softmin) and their modules, against torch: values, gradients (including the
subgradient torch picks at each kink), overflow-free extremes, in-place forms and reprs."""
import warnings

import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn
import retroprop.nn.functional as F
from retroprop.autograd import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# Kinks of every function below (0, +-3, 6, +-1) and values where a naive exp overflows.
EDGES = [-1000.0, -50.0, -6.0, -3.0, -1.0, -1e-300, 0.0, 1e-300, 1.0, 3.0, 6.0, 19.9, 20.0, 20.1, 50.0, 1000.0]

# name -> (retroprop function, torch function)
FUNCS = {
    "elu": (lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7)),
    "selu": (F.selu, TF.selu),
    "celu": (lambda x: F.celu(x, 0.5), lambda x: TF.celu(x, 0.5)),
    "softplus": (F.softplus, TF.softplus),
    "softplus_beta": (lambda x: F.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0)),
    "hardtanh": (lambda x: F.hardtanh(x, -1.0, 3.0), lambda x: TF.hardtanh(x, -1.0, 3.0)),
    "relu6": (F.relu6, TF.relu6),
    "mish": (F.mish, TF.mish),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "softsign": (F.softsign, TF.softsign),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "softmin": (lambda x: F.softmin(x, 0), lambda x: TF.softmin(x, 0)),
}


def _values(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([np.array(EDGES), rng.standard_normal(20) * 4]).astype(dtype)


def _both(name, data):
    """(retroprop output, input grad), (torch output, input grad) for sum(out * r)."""
    ours, theirs = FUNCS[name]
    r = np.random.default_rng(1).standard_normal(data.shape).astype(data.dtype)
    x = rp.tensor(data.copy(), requires_grad=True)
    y = ours(x)
    (y * rp.tensor(r)).sum().backward()
    tx = torch.tensor(data.copy(), requires_grad=True)
    ty = theirs(tx)
    (ty * torch.tensor(r)).sum().backward()
    return (y.detach().numpy(), x.grad.numpy()), (ty.detach().numpy(), tx.grad.numpy())


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_matches_torch_float64_including_kinks_and_extremes(name):
    data = _values(np.float64)
    if name == "softmin":
        data = np.clip(data, -60, 60)  # softmin over one axis: keep the spread where exp resolves the values
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / invalid warnings from NumPy either
        (y, g), (ty, tg) = _both(name, data)
    assert y.dtype == np.float64 and np.all(np.isfinite(y)) and np.all(np.isfinite(g))
    # Same formulas up to rounding order (logaddexp vs log1p(exp)): a few ulps; 1e-12 is ample.
    np.testing.assert_allclose(y, ty, rtol=1e-12, atol=1e-300)
    # Gradients: the exact values at the kinks too. torch's hardsigmoid slope is the float 1/6
    # even in float64 (relative error 3e-8), hence rtol 1e-7.
    np.testing.assert_allclose(g, tg, rtol=1e-7, atol=1e-300)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_matches_torch_float32(name):
    data = _values(np.float32, seed=2)
    if name == "softmin":
        data = np.clip(data, -30, 30)
    (y, g), (ty, tg) = _both(name, data)
    assert y.dtype == np.float32 and g.dtype == np.float32
    # float32: both round each step to 24 bits; a few ulps of the largest terms.
    np.testing.assert_allclose(y, ty, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g, tg, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_gradcheck_away_from_kinks(name):
    x = np.random.default_rng(3).standard_normal((3, 4)) * 2.5
    x = np.where(np.min(np.abs(x[..., None] - np.array([0.0, -3.0, 3.0, 6.0, -1.0, 2.5])), axis=-1) < 1e-2, 0.5, x)
    assert gradcheck(FUNCS[name][0], (rp.tensor(x, requires_grad=True),), eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("num_parameters, shape", [(1, (5,)), (1, (4, 3, 2)), (3, (4, 3)), (3, (2, 3, 2, 2))])
def test_prelu_matches_torch(num_parameters, shape):
    rng = np.random.default_rng(4)
    data = rng.standard_normal(shape)
    data.flat[0] = 0.0  # the kink: torch's input gradient there is weight * g, weight's is 0
    w = rng.uniform(0.1, 0.5, num_parameters)
    x, wt = rp.tensor(data, requires_grad=True), rp.tensor(w, requires_grad=True)
    y = F.prelu(x, wt)
    r = rng.standard_normal(shape)
    (y * rp.tensor(r)).sum().backward()
    tx, twt = torch.tensor(data, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = TF.prelu(tx, twt)
    (ty * torch.tensor(r)).sum().backward()
    # One multiply per element, one sum per weight: agreement to rounding.
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(wt.grad.numpy(), twt.grad.numpy(), rtol=1e-12)


def test_prelu_gradcheck_and_errors():
    x = rp.tensor(np.random.default_rng(5).standard_normal((2, 3, 4)) + 0.05, requires_grad=True)
    w = rp.tensor(np.array([0.2, -0.3, 0.4]), requires_grad=True)
    assert gradcheck(F.prelu, (x, w), eps=1e-6, atol=1e-6, rtol=1e-5)
    with pytest.raises(RuntimeError, match="parameter numbers = 2 and channel size = 3"):
        F.prelu(rp.randn(2, 3), rp.ones(2))
    with pytest.raises(RuntimeError, match="parameter numbers = 3 and channel size = 1"):
        F.prelu(rp.randn(3), rp.ones(3))
    # 0-d input with one weight: elementwise, as torch 2.13 (older torch refused it).
    assert float(F.prelu(rp.tensor(-2.0), rp.tensor([0.25]))) == float(TF.prelu(torch.tensor(-2.0), torch.tensor([0.25])))
    with pytest.raises(TypeError, match="prelu"):
        F.prelu(rp.randn(2, 3).double(), rp.ones(1))


def test_prelu_module_matches_torch_init_and_state():
    m, tm = nn.PReLU(3), torch.nn.PReLU(3)
    assert str(m) == str(tm) == "PReLU(num_parameters=3)"
    np.testing.assert_array_equal(m.weight.detach().numpy(), tm.weight.detach().numpy())
    assert [n for n, _ in m.named_parameters()] == ["weight"] and m.weight.requires_grad
    m2 = nn.PReLU(init=0.1, dtype=rp.float64)
    assert m2.weight.dtype == rp.float64 and m2.weight.shape == (1,) and float(m2.weight[0]) == 0.1
    y = m(rp.randn(4, 3))
    y.sum().backward()
    assert m.weight.grad.shape == (3,)


def test_inplace_functional_forms():
    data = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    for name, fn, tfn in [("elu", lambda t: F.elu(t, inplace=True), TF.elu),
                          ("elu_", F.elu_, TF.elu),
                          ("selu_", F.selu_, TF.selu),
                          ("celu_", lambda t: F.celu_(t, 2.0), lambda t: TF.celu(t, 2.0)),
                          ("hardtanh_", F.hardtanh_, TF.hardtanh),
                          ("relu6", lambda t: F.relu6(t, inplace=True), TF.relu6),
                          ("mish", lambda t: F.mish(t, inplace=True), TF.mish),
                          ("hardsigmoid", lambda t: F.hardsigmoid(t, True), TF.hardsigmoid),
                          ("hardswish", lambda t: F.hardswish(t, True), TF.hardswish)]:
        x = rp.tensor(data.copy())
        v = x._version
        assert fn(x) is x, name
        assert x._version == v + 1, name
        np.testing.assert_allclose(x.numpy(), tfn(torch.tensor(data)).numpy(), rtol=1e-14, err_msg=name)


def test_inplace_in_graph_rebases_and_leaf_refused():
    data = np.array([-2.0, -0.5, 0.5, 2.0])
    a = rp.tensor(data, requires_grad=True)
    h = a * 1.0
    out = F.elu(h, inplace=True)
    assert out is h
    out.sum().backward()
    ta = torch.tensor(data, requires_grad=True)
    TF.elu(ta * 1.0, inplace=True).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-14)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.selu(rp.tensor(data, requires_grad=True), inplace=True)


def test_module_reprs_match_torch():
    pairs = [(nn.ELU(), torch.nn.ELU()), (nn.ELU(0.5, True), torch.nn.ELU(0.5, True)),
             (nn.SELU(True), torch.nn.SELU(True)), (nn.CELU(2.0), torch.nn.CELU(2.0)),
             (nn.Softplus(), torch.nn.Softplus()), (nn.Softplus(2, 10), torch.nn.Softplus(2, 10)),
             (nn.ReLU6(), torch.nn.ReLU6()), (nn.ReLU6(True), torch.nn.ReLU6(True)),
             (nn.Hardtanh(), torch.nn.Hardtanh()), (nn.Hardtanh(-2.0, 2.0, True), torch.nn.Hardtanh(-2.0, 2.0, True)),
             (nn.Mish(), torch.nn.Mish()), (nn.Mish(True), torch.nn.Mish(True)),
             (nn.Hardsigmoid(True), torch.nn.Hardsigmoid(True)), (nn.Hardswish(), torch.nn.Hardswish()),
             (nn.Softsign(), torch.nn.Softsign()), (nn.LogSigmoid(), torch.nn.LogSigmoid()),
             (nn.Softmin(), torch.nn.Softmin()), (nn.Softmin(1), torch.nn.Softmin(1)), (nn.PReLU(), torch.nn.PReLU())]
    for ours, theirs in pairs:
        assert str(ours) == str(theirs)
    assert isinstance(nn.ReLU6(), nn.Hardtanh)


def test_modules_compute_like_functional():
    data = np.random.default_rng(6).standard_normal((3, 4)) * 4
    x, tx = rp.tensor(data), torch.tensor(data)
    for ours, theirs in [(nn.ELU(0.3), torch.nn.ELU(0.3)), (nn.SELU(), torch.nn.SELU()), (nn.CELU(0.4), torch.nn.CELU(0.4)),
                         (nn.Softplus(3, 2), torch.nn.Softplus(3, 2)), (nn.ReLU6(), torch.nn.ReLU6()),
                         (nn.Hardtanh(-0.5, 0.5), torch.nn.Hardtanh(-0.5, 0.5)), (nn.Mish(), torch.nn.Mish()),
                         (nn.Hardsigmoid(), torch.nn.Hardsigmoid()), (nn.Hardswish(), torch.nn.Hardswish()),
                         (nn.Softsign(), torch.nn.Softsign()), (nn.LogSigmoid(), torch.nn.LogSigmoid()),
                         (nn.Softmin(1), torch.nn.Softmin(1))]:
        # Elementwise formulas, identical up to a few ulps.
        np.testing.assert_allclose(ours(x).numpy(), theirs(tx).numpy(), rtol=1e-12, atol=1e-300, err_msg=str(ours))


def test_argument_errors_and_integer_hardtanh():
    with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
        F.celu(rp.randn(3), 0.0)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(rp.randn(3), 2.0, 1.0)
    with pytest.raises(AssertionError, match=r"max_val \(1.0\) must be greater than min_val \(2.0\)"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(TypeError, match="elu"):
        F.elu(rp.tensor([1, -3, 4]))
    with pytest.raises(TypeError, match="softplus"):
        F.softplus(np.ones(3))
    ints = F.hardtanh(rp.tensor([1, -3, 4]), -2, 2)
    assert ints.dtype == rp.int64 and ints.tolist() == TF.hardtanh(torch.tensor([1, -3, 4]), -2, 2).tolist()


def test_softplus_huge_threshold_does_not_overflow():
    # torch evaluates log1p(exp(beta x)) literally (inf for float32 x = 100 with threshold 200);
    # logaddexp gives the finite true value, x.
    y = F.softplus(rp.tensor(np.array([100.0], dtype=np.float32)), 1.0, 200.0)
    assert y.numpy()[0] == np.float32(100.0)
