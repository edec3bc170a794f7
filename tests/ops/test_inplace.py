"""In-place operations under autograd's rules (issue 6): leaf rules, version counter, rebase."""
import numpy as np
import pytest

import retroprop as rp

LEAF_MSG = "a leaf Variable that requires grad is being used in an in-place operation."
INPLACE = {
    "add_": lambda t: t.add_(1), "sub_": lambda t: t.sub_(rp.ones(2)), "mul_": lambda t: t.mul_(2),
    "div_": lambda t: t.div_(2), "zero_": lambda t: t.zero_(), "fill_": lambda t: t.fill_(3),
    "copy_": lambda t: t.copy_(rp.ones(2)), "clamp_": lambda t: t.clamp_(min=0), "normal_": lambda t: t.normal_(),
    "uniform_": lambda t: t.uniform_(-1, 1), "iadd": lambda t: t.__iadd__(1), "isub": lambda t: t.__isub__(1),
    "imul": lambda t: t.__imul__(2), "idiv": lambda t: t.__itruediv__(2), "setitem": lambda t: t.__setitem__(0, 5.0),
    "pow_": lambda t: t.pow_(2), "masked_fill_": lambda t: t.masked_fill_(rp.tensor([True, False]), 0.0),
    "abs_": lambda t: t.abs_(), "exp_": lambda t: t.exp_(), "sqrt_": lambda t: t.sqrt_(), "log_": lambda t: t.log_(),
    "clamp_min_": lambda t: t.clamp_min_(1.5), "clamp_max_": lambda t: t.clamp_max_(1.5),
    "relu_": lambda t: t.relu_(), "sigmoid_": lambda t: t.sigmoid_(), "tanh_": lambda t: t.tanh_(),
    "scatter_": lambda t: t.scatter_(0, rp.tensor([1]), 5.0),
    "scatter_add_": lambda t: t.scatter_add_(0, rp.tensor([1, 1]), rp.ones(2)),
    "index_add_": lambda t: t.index_add_(0, rp.tensor([0, 0]), rp.ones(2)),
    "index_fill_": lambda t: t.index_fill_(0, rp.tensor([1]), -1.0),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_leaf_requiring_grad_only_under_no_grad(name):
    op = INPLACE[name]
    p = rp.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=LEAF_MSG):
        op(p)
    with rp.no_grad():
        out = op(p)
    assert out is p or name == "setitem"
    assert p._version == 1 and p.is_leaf and p.requires_grad


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_plain_tensor_written_in_place(name):
    t = rp.tensor([1.0, 2.0])
    buf = t.numpy()
    INPLACE[name](t)
    assert t.numpy() is buf and t._version == 1 and not t.requires_grad


def test_values_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (rp, torch):
        t = lib.tensor([[1.0, -2.0], [3.0, 4.0]])
        t.add_(lib.tensor([1.0, 1.0]), alpha=2).mul_(3).sub_(1).div_(2).clamp_(max=8, min=-1)
        t[0, 1] = 7
        t[t > 7.5] = 0
        t += 1
        t *= 2
        t -= lib.ones(2)
        t /= 4
        if lib is rp:
            ours = t.numpy().copy()
    np.testing.assert_allclose(ours, t.numpy(), rtol=1e-6)


def test_saved_tensor_modified_in_place_makes_backward_raise():
    w = rp.ones(2, requires_grad=True)
    x = rp.tensor([1.0, 2.0])
    y = (w * x).sum()
    x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    e = w.exp()
    e.add_(1)  # exp's backward reads its output; the write must be caught, as torch does
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.sum().backward()


def test_inplace_on_non_leaf_rebases_history():
    w = rp.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    h.add_(w)  # h = 2w
    assert h.grad_fn.name == "AddBackward0" and h._version == 1
    h.mul_(3)  # h = 6w
    h.sum().backward()
    assert w.grad.tolist() == [6.0, 6.0]


def test_inplace_with_grad_operand_on_plain_tensor():
    w = rp.tensor([2.0], requires_grad=True)
    acc = rp.zeros(1)
    acc += w * 3
    assert acc.requires_grad
    acc.sum().backward()
    assert w.grad.item() == 3.0


def test_setitem_with_gradient_into_a_buffer():
    w = rp.tensor([1.0, 2.0], requires_grad=True)
    out = rp.zeros(3, 2)
    out[1] = w * 2
    out.sum().backward()
    assert w.grad.tolist() == [2.0, 2.0]


def test_inplace_on_a_view_in_the_graph_is_refused_clearly():
    w = rp.ones(2, 2, requires_grad=True)
    v = (w * 2)[0]
    with pytest.raises(RuntimeError, match="view"):
        v.mul_(3)


def test_grad_zero_and_optimizer_style_update():
    p = rp.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    with rp.no_grad():
        p -= 0.1 * p.grad
    p.grad.zero_()
    assert p.grad.tolist() == [0.0, 0.0]
    np.testing.assert_allclose(p.detach().numpy(), [0.8, 1.6], rtol=1e-6)


def test_inplace_dtype_and_shape_errors():
    with pytest.raises(RuntimeError):
        rp.tensor([1, 2]).add_(1.5)  # float result into an int64 tensor
    with pytest.raises(RuntimeError, match="shape"):
        rp.zeros(2).add_(rp.ones(3, 2))
    with pytest.raises(RuntimeError, match="broadcast"):
        rp.zeros(2).copy_(rp.ones(3))


def test_normal_and_uniform_use_the_generator():
    g1, g2 = rp.Generator().manual_seed(3), rp.Generator().manual_seed(3)
    a, b = rp.empty(5).normal_(0, 2, generator=g1), rp.empty(5).normal_(0, 2, generator=g2)
    assert a.tolist() == b.tolist()
    u = rp.empty(1000).uniform_(-1, 2)
    assert -1 <= u.min().item() and u.max().item() < 2


def test_views_share_the_version_counter_with_their_base():
    w = rp.ones(3, requires_grad=True)
    x = rp.tensor([1.0, 2.0, 3.0])
    y = (w * x).sum()  # saves x
    with rp.no_grad():
        x[0:2].mul_(2)  # written through a view
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    x = rp.tensor([[1.0, 2.0]])
    v = x.view(-1)
    y = (w[:2] * v).sum()  # saves the view
    x.add_(1)  # written through the base
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_element_and_detach_are_views_like_torch():
    x = rp.tensor([1.0, 2.0])
    x[0].add_(5)
    assert x.tolist() == [6.0, 2.0]
    d = x.detach()
    d.zero_()
    assert x.tolist() == [0.0, 0.0] and x._version == d._version == 2
    c = x.clone()
    c.add_(1)
    assert x._version == 2 and x.tolist() == [0.0, 0.0]
