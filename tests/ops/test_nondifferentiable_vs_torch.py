"""Operations without a gradient (argmax, comparisons, logical, all/any, ...) against torch,
exactly: they are integer or bool results, or exact float operations."""
import numpy as np
import pytest

import retroprop as rp

X = [[1.5, -2.0, 3.0, 0.0], [4.0, 4.0, -1.0, float("nan")], [0.5, 2.0, 2.0, -3.5]]

CASES = {
    "argmax": lambda L, x: L.argmax(x[:, :3]),
    "argmax_dim": lambda L, x: x[:, :3].argmax(1),
    "argmax_keep": lambda L, x: L.argmax(x[:, :3], dim=0, keepdim=True),
    "argmin_dim": lambda L, x: x[:, :3].argmin(dim=-1),
    "max_indices": lambda L, x: x[:, :3].max(1).indices,
    "min_indices": lambda L, x: L.min(x[:, :3], 0)[1],
    "eq": lambda L, x: x == 2.0, "ne": lambda L, x: x.ne(x[0]), "lt": lambda L, x: x < x[2],
    "le": lambda L, x: L.le(x, 0.5), "gt": lambda L, x: 0 < x, "ge": lambda L, x: x.ge(x[:, :1]),
    "logical_not": lambda L, x: L.logical_not(x > 0), "and": lambda L, x: (x > 0) & (x < 3),
    "or": lambda L, x: (x > 3) | (x < -1), "xor": lambda L, x: (x > 0) ^ (x > 1), "invert": lambda L, x: ~(x > 0),
    "all": lambda L, x: (x > -5).all(), "all_dim": lambda L, x: L.all(x > -3, dim=1),
    "any": lambda L, x: L.any(x > 3.9), "any_dim": lambda L, x: (x > 3.9).any(0),
    "isnan": lambda L, x: L.isnan(x), "isfinite": lambda L, x: x.isfinite(), "isinf": lambda L, x: L.isinf(1 / x),
    "sign": lambda L, x: L.sign(x[:, :3]), "floor": lambda L, x: x.floor(), "round": lambda L, x: L.round(x),
    "floor_divide": lambda L, x: x[:, :3] // 2, "remainder": lambda L, x: x[:, :3] % 2,
    "sum_bool": lambda L, x: (x > 0).sum(), "where_single": lambda L, x: L.where(x > 1)[1],
    "nonzero_mask_index": lambda L, x: x[x > 1],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_exactly(name):
    torch = pytest.importorskip("torch")
    r, t = CASES[name](rp, rp.tensor(X)), CASES[name](torch, torch.tensor(X))
    assert tuple(r.shape) == tuple(t.shape) and "torch." + str(r.dtype) == str(t.dtype)
    np.testing.assert_array_equal(r.numpy(), t.numpy())
    assert not r.requires_grad


def test_allclose_equal_isclose():
    a = rp.tensor([1.0, 2.0])
    assert rp.allclose(a, a + 1e-9) and not rp.allclose(a, a + 1e-3) and a.allclose(a)
    assert rp.equal(a, a.clone()) and not rp.equal(a, a[:1])
    assert rp.isclose(a, rp.tensor([1.0, 3.0])).tolist() == [True, False]
    assert (a == None) is False and (a != None) is True  # noqa: E711
