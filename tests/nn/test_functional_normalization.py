"""group_norm / GroupNorm and rms_norm / RMSNorm against torch: values, gradients of input and
affine parameters, eps=None (machine epsilon), reprs and argument errors."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn
import retroprop.nn.functional as F
from retroprop.autograd import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _compare(ours, theirs, arrays, rtol, atol):
    xs = [None if a is None else rp.tensor(a.copy(), requires_grad=True) for a in arrays]
    txs = [None if a is None else torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(*txs)
    r = np.random.default_rng(9).standard_normal(tuple(ty.shape)).astype(arrays[0].dtype)
    (y * rp.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    for x, tx in zip(xs, txs):
        if x is not None:
            np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("shape, groups, affine", [((4, 6), 3, True), ((2, 6, 5), 2, True), ((2, 4, 3, 3), 4, False),
                                                   ((3, 4, 2), 1, True)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_group_norm_matches_torch(shape, groups, affine, dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    w = rng.standard_normal(shape[1]).astype(dtype) if affine else None
    b = rng.standard_normal(shape[1]).astype(dtype) if affine else None
    # float64: the same two-pass mean/variance as torch up to summation order (1e-10);
    # float32: a few ulps of O(1) values accumulated over the groups (1e-4).
    tol = 1e-10 if dtype == np.float64 else 1e-4
    _compare(lambda x, w, b: F.group_norm(x, groups, w, b, 1e-3), lambda x, w, b: TF.group_norm(x, groups, w, b, 1e-3),
             [x, w, b], tol, tol)


def test_group_norm_gradcheck_and_module():
    rng = np.random.default_rng(1)
    args = tuple(rp.tensor(a, requires_grad=True) for a in (rng.standard_normal((2, 4, 3)), rng.standard_normal(4),
                                                             rng.standard_normal(4)))
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), args, eps=1e-6, atol=1e-6, rtol=1e-5)
    for ours, theirs in [(nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4)),
                         (nn.GroupNorm(2, 4, affine=False), torch.nn.GroupNorm(2, 4, affine=False)),
                         (nn.GroupNorm(1, 3, 1e-3, bias=False), torch.nn.GroupNorm(1, 3, 1e-3, bias=False))]:
        assert str(ours) == str(theirs)
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    m, tm = nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4)
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    np.testing.assert_allclose(m(rp.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(rp.randn(2, 4, 3), 3)
    with pytest.raises(RuntimeError, match="weight of shape"):
        F.group_norm(rp.randn(2, 4, 3), 2, rp.ones(3))


@pytest.mark.parametrize("shape, norm_shape, eps", [((4, 6), (6,), None), ((2, 3, 5), (3, 5), 1e-5), ((5,), 5, None)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("affine", [True, False])
def test_rms_norm_matches_torch(shape, norm_shape, eps, dtype, affine):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(shape) * 2).astype(dtype)
    ns = (norm_shape,) if isinstance(norm_shape, int) else norm_shape
    w = rng.standard_normal(ns).astype(dtype) if affine else None
    tol = 1e-12 if dtype == np.float64 else 1e-5  # one mean of squares per row: a few ulps
    _compare(lambda x, w: F.rms_norm(x, norm_shape, w, eps), lambda x, w: TF.rms_norm(x, ns, w, eps), [x, w], tol, tol)


def test_rms_norm_eps_none_is_machine_epsilon_and_zero_rows():
    # A zero row: torch's value 0 and gradient 1 / sqrt(finfo.eps) per element come from eps alone.
    x = np.zeros((2, 4))
    x[1] = [1.0, -2.0, 3.0, 0.5]
    _compare(lambda t: F.rms_norm(t, (4,)), lambda t: TF.rms_norm(t, (4,)), [x], 1e-12, 1e-12)
    assert abs(float(F.rms_norm(rp.tensor(np.full((1, 1), 1e-9, np.float32)), (1,))[0, 0])
               - 1e-9 / np.sqrt(1e-18 + np.finfo(np.float32).eps)) < 1e-12


def test_rms_norm_gradcheck_module_and_errors():
    rng = np.random.default_rng(3)
    args = (rp.tensor(rng.standard_normal((3, 4)), requires_grad=True), rp.tensor(rng.standard_normal(4), requires_grad=True))
    assert gradcheck(lambda x, w: F.rms_norm(x, [4], w), args, eps=1e-6, atol=1e-6, rtol=1e-5)
    for ours, theirs in [(nn.RMSNorm(3), torch.nn.RMSNorm(3)), (nn.RMSNorm([2, 3], 1e-5, False), torch.nn.RMSNorm([2, 3], 1e-5, False))]:
        assert str(ours) == str(theirs)
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    m = nn.RMSNorm(4, dtype=rp.float64)
    assert m.weight.dtype == rp.float64 and np.all(m.weight.detach().numpy() == 1)
    y = m(args[0].detach())
    y.sum().backward()
    assert m.weight.grad.shape == (4,)
    with pytest.raises(RuntimeError, match="does not match the trailing dims"):
        F.rms_norm(rp.randn(3, 4), (3,))
    with pytest.raises(RuntimeError, match="weight of shape"):
        F.rms_norm(rp.randn(3, 4), (4,), rp.ones(3))


def test_float32_parameters_get_float32_gradients():
    x, w = rp.randn(4, 6, requires_grad=True), rp.ones(6, requires_grad=True)
    for fn in (lambda: F.group_norm(x, 2, w, w), lambda: F.rms_norm(x, (6,), w)):
        x.grad = w.grad = None
        out = fn()
        out.sum().backward()
        assert out.dtype == x.grad.dtype == w.grad.dtype == rp.float32
