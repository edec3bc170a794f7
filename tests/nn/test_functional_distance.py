"""normalize, cosine_similarity, pairwise_distance and their modules against torch, including
zero vectors (where the eps clamps decide both value and gradient) and broadcasting."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn
import retroprop.nn.functional as F
from retroprop.autograd import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _compare(ours, theirs, arrays, rtol):
    """Forward and every input gradient of sum(out * r), retroprop vs torch."""
    xs = [rp.tensor(a.copy(), requires_grad=True) for a in arrays]
    txs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    y, ty = ours(*xs), theirs(*txs)
    assert tuple(y.shape) == tuple(ty.shape)
    r = np.random.default_rng(9).standard_normal(tuple(ty.shape))
    (y * rp.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=1e-300)
    for x, tx in zip(xs, txs):
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=1e-12)


def _rows_with_zero(shape, seed):
    a = np.random.default_rng(seed).standard_normal(shape)
    a[0] = 0.0  # a zero vector along the reduced dim (dim 1 / last) for the eps clamps
    return a


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 1), (3.0, 0), (float("inf"), -1)])
def test_normalize_matches_torch(p, dim):
    a = np.random.default_rng(0).standard_normal((4, 5))
    a[:, 0] = 0.0
    a[0] = 0.0
    # Composite of norm / clamp_min / div, as torch: agreement to rounding (1e-12).
    _compare(lambda x: F.normalize(x, p, dim), lambda x: TF.normalize(x, p, dim), [a], 1e-12)


def test_normalize_default_and_gradcheck():
    a = np.random.default_rng(1).standard_normal((3, 4))
    _compare(F.normalize, TF.normalize, [a], 1e-12)
    assert gradcheck(lambda x: F.normalize(x, dim=0), (rp.tensor(a, requires_grad=True),), eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("s1, s2, dim", [((4, 5), (4, 5), 1), ((3, 4, 5), (4, 5), -1), ((4, 1), (1, 6), 0),
                                         ((2, 3, 4), (2, 3, 4), 2)])
def test_cosine_similarity_matches_torch(s1, s2, dim):
    a, b = _rows_with_zero(s1, 2), np.random.default_rng(3).standard_normal(s2)
    # Same formula (eps-clamped norms, value-only clamp): agreement to rounding, gradients
    # through 1/eps-sized factors at the zero vector, hence rtol 1e-9.
    _compare(lambda x, y: F.cosine_similarity(x, y, dim), lambda x, y: TF.cosine_similarity(x, y, dim), [a, b], 1e-9)


def test_cosine_similarity_tiny_norm_gradient_goes_through_unclamped_norm():
    a = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    b = np.array([[1e-9, 0.0, 0.0], [1.0, 2.0, 3.0]])
    _compare(F.cosine_similarity, TF.cosine_similarity, [a, b], 1e-9)


def test_cosine_similarity_gradcheck_and_errors():
    rng = np.random.default_rng(4)
    x1 = rp.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    x2 = rp.tensor(rng.standard_normal((1, 4)), requires_grad=True)
    assert gradcheck(F.cosine_similarity, (x1, x2), eps=1e-6, atol=1e-6, rtol=1e-5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.cosine_similarity(rp.randn(2, 3), rp.randn(2, 3), dim=2)
    with pytest.raises(RuntimeError, match="not broadcastable"):
        F.cosine_similarity(rp.randn(2, 3), rp.randn(4, 3))
    with pytest.raises(TypeError, match="cosine_similarity"):
        F.cosine_similarity(rp.randn(2, 3), rp.randn(2, 3).double())


@pytest.mark.parametrize("p, keepdim", [(2.0, False), (1.0, True), (3.5, False), (float("inf"), False)])
def test_pairwise_distance_matches_torch(p, keepdim):
    a = np.random.default_rng(5).standard_normal((4, 6))
    b = np.random.default_rng(6).standard_normal((4, 6))
    b[0] = a[0]  # distance eps * sqrt(n): the + eps keeps the norm differentiable
    _compare(lambda x, y: F.pairwise_distance(x, y, p, keepdim=keepdim),
             lambda x, y: TF.pairwise_distance(x, y, p, keepdim=keepdim), [a, b], 1e-10)
    x1, x2 = rp.tensor(a, requires_grad=True), rp.tensor(b + 0.3, requires_grad=True)
    if p != float("inf"):
        assert gradcheck(lambda u, v: F.pairwise_distance(u, v, p), (x1, x2), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_modules_and_reprs():
    assert str(nn.CosineSimilarity()) == str(torch.nn.CosineSimilarity()) == "CosineSimilarity()"
    assert str(nn.PairwiseDistance()) == str(torch.nn.PairwiseDistance())
    a = np.random.default_rng(7).standard_normal((3, 4))
    b = np.random.default_rng(8).standard_normal((3, 4))
    np.testing.assert_allclose(nn.CosineSimilarity(dim=0, eps=1e-6)(rp.tensor(a), rp.tensor(b)).numpy(),
                               torch.nn.CosineSimilarity(0, 1e-6)(torch.tensor(a), torch.tensor(b)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(nn.PairwiseDistance(1.0, 1e-3, True)(rp.tensor(a), rp.tensor(b)).numpy(),
                               torch.nn.PairwiseDistance(1.0, 1e-3, True)(torch.tensor(a), torch.tensor(b)).numpy(),
                               rtol=1e-12)
    m = nn.PairwiseDistance(p=3.0)
    assert m.norm == 3.0 and m.eps == 1e-6 and m.keepdim is False


def test_float32_stays_float32():
    x, y = rp.randn(4, 6, requires_grad=True), rp.randn(4, 6, requires_grad=True)
    for fn in (lambda: F.cosine_similarity(x, y), lambda: F.normalize(x), lambda: F.pairwise_distance(x, y)):
        x.grad = y.grad = None
        out = fn()
        out.sum().backward()
        assert out.dtype == rp.float32 and x.grad.dtype == rp.float32
