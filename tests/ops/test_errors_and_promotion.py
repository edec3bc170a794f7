"""Bad input gives a clear exception naming the operation and shapes; dtypes promote as torch's."""
import numpy as np
import pytest

import retroprop as rp


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "eq"])
def test_shape_mismatch_names_op_and_shapes(op):
    with pytest.raises(RuntimeError, match=rf"{op}.*\(2, 3\).*\(4,\)"):
        getattr(rp, op)(rp.ones(2, 3), rp.ones(4))


def test_matmul_cat_stack_errors():
    with pytest.raises(RuntimeError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        rp.ones(2, 3) @ rp.ones(4, 5)
    with pytest.raises(RuntimeError, match="cat"):
        rp.cat([rp.ones(2, 3), rp.ones(2, 4)])
    with pytest.raises(RuntimeError, match="stack"):
        rp.stack([rp.ones(2), rp.ones(3)])
    with pytest.raises(RuntimeError, match="reshape"):
        rp.ones(6).view(4, -1)
    with pytest.raises(RuntimeError, match="expand"):
        rp.ones(2, 3).expand(2, 4)
    with pytest.raises(RuntimeError, match="mm"):
        rp.mm(rp.ones(2), rp.ones(2))


@pytest.mark.parametrize("call", [
    lambda t: t.sum(3), lambda t: t.mean(-4), lambda t: t.max(2), lambda t: t.argmax(5),
    lambda t: t.transpose(0, 2), lambda t: t.unsqueeze(4), lambda t: t.squeeze(2), lambda t: t.flatten(0, 3),
    lambda t: t.permute(0, 2), lambda t: rp.cat([t, t], 2), lambda t: t.size(2), lambda t: t.var(2),
])
def test_bad_dims_raise_index_error(call):
    with pytest.raises((IndexError, RuntimeError)):
        call(rp.ones(2, 3))


def test_bad_dim_is_index_error_like_torch():
    with pytest.raises(IndexError, match="sum"):
        rp.ones(2, 3).sum(3)
    with pytest.raises(IndexError):
        rp.ones(2)[5]


def test_clamp_needs_a_bound_and_where_a_bool_condition():
    with pytest.raises(RuntimeError, match="clamp"):
        rp.ones(2).clamp()
    with pytest.raises(RuntimeError, match="bool"):
        rp.where(rp.ones(2), rp.ones(2), rp.zeros(2))


def test_float_index_rejected():
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        rp.ones(3)[rp.tensor([0.0])]


PROMOTION = [
    (lambda L: L.ones(2, dtype=L.long) + L.tensor(2.0, dtype=L.float64)),
    (lambda L: L.ones(2) + L.tensor(2.0, dtype=L.float64)),
    (lambda L: L.ones(2, dtype=L.long) + L.ones(2)),
    (lambda L: L.ones(2, dtype=L.bool) + L.tensor(3)),
    (lambda L: L.ones(2, dtype=L.int32) + L.tensor(3)),
    (lambda L: L.ones(2, dtype=L.long) * 1.5),
    (lambda L: L.ones(2, dtype=L.long) / 2),
    (lambda L: L.ones(2, dtype=L.long) / L.ones(2, dtype=L.long)),
    (lambda L: L.ones(2, dtype=L.long) ** 2),
    (lambda L: L.ones(2) ** L.tensor([1, 2])),
    (lambda L: 2 ** L.ones(2, dtype=L.long)),
    (lambda L: L.ones(2, dtype=L.long).sum()),
    (lambda L: L.ones(2, dtype=L.bool).sum()),
    (lambda L: L.arange(4).float().mean()),
    (lambda L: L.exp(L.arange(3))),
    (lambda L: L.ones(2, dtype=L.float64) * L.ones(2)),
    (lambda L: L.cat([L.ones(2), L.ones(2, dtype=L.float64)])),
    (lambda L: L.where(L.ones(2) > 0, L.ones(2, dtype=L.long), 0.5)),
    (lambda L: L.ones(3, dtype=L.long) // 2),
    (lambda L: L.arange(5) % 3),
    (lambda L: L.tensor([True, False]) & L.tensor([True, True])),
    (lambda L: ~L.tensor([True, False])),
]


@pytest.mark.parametrize("make", PROMOTION)
def test_type_promotion_matches_torch(make):
    torch = pytest.importorskip("torch")
    r, t = make(rp), make(torch)
    assert "torch." + str(r.dtype) == str(t.dtype)
    np.testing.assert_allclose(np.asarray(r.numpy(), dtype=np.float64), t.numpy().astype(np.float64), rtol=1e-6)


def test_zero_dim_tensors_everywhere():
    torch = pytest.importorskip("torch")
    for lib in (rp, torch):
        s = lib.randn(())
        x = lib.full((), 2.0, requires_grad=True)
        y = (x * s + 3) ** 2 / x
        y.backward()
        assert y.dim() == 0 and x.grad.dim() == 0 and isinstance(y.item(), float)
        assert (lib.ones(2, 3) * lib.tensor(2.0)).shape == (2, 3)
