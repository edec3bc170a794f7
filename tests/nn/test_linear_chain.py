"""Sequential's run of Linear (+ activation) layers recorded as one operation (linear_chain).

The chain runs the same GEMM calls as the layer-by-layer path (F._linear_act per layer, one
graph node each), forward and backward, so the oracle for values and gradients is that path,
bit for bit (assert_array_equal: no tolerance). Independently, float64 central differences
(autograd.gradcheck, its default tolerances: eps 1e-6 gives truncation error ~1e-12 and rounding
~1e-10, far inside atol 1e-5 / rtol 1e-3) check the chain's own gradients, inputs kept away
from the ReLU kink.
"""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn
import retroprop.nn.functional as F
from retroprop.nn._functional.linear import linear_chain
from retroprop.ops.activation import ACT

ACTS = [("relu", nn.ReLU, 0.01), ("leaky_relu", lambda: nn.LeakyReLU(0.2), 0.2), ("tanh", nn.Tanh, 0.01),
        ("sigmoid", nn.Sigmoid, 0.01)]


def mlp(act_module, dtype=np.float32, bias=True, sizes=(7, 9, 8, 3)):
    rp.manual_seed(0)
    mods = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(nn.Linear(a, b, bias=bias))
        if i < len(sizes) - 2:
            mods.append(act_module())
    return nn.Sequential(*mods).to(dtype)


def layer_by_layer(seq, x):
    """The same network through one F._linear_act / F.linear node per layer."""
    mods = list(seq)
    i = 0
    while i < len(mods):
        lin = mods[i]
        if i + 1 < len(mods):
            act = mods[i + 1]
            name = {nn.ReLU: "relu", nn.LeakyReLU: "leaky_relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}[type(act)]
            x = F._linear_act(x, lin.weight, lin.bias, name, getattr(act, "negative_slope", 0.01))
            i += 2
        else:
            x = F.linear(x, lin.weight, lin.bias)
            i += 1
    return x


def grads_of(seq, x, y_fn, backward_twice=False):
    for p in seq.parameters():
        p.grad = None
    if x.requires_grad:
        x.grad = None
    y = y_fn(seq, x)
    r = rp.tensor(np.random.default_rng(1).standard_normal(y.shape).astype(y.dtype))
    y.backward(r, retain_graph=backward_twice)
    if backward_twice:  # the second pass accumulates into .grad (the GEMMs' beta = 1)
        y.backward(r)
    out = [None if p.grad is None else p.grad.numpy().copy() for p in seq.parameters()]
    return y.numpy().copy(), out, None if not x.requires_grad else x.grad.numpy().copy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,act,slope", ACTS)
@pytest.mark.parametrize("x_grad", [False, True])
def test_chain_equals_layer_by_layer_bit_for_bit(name, act, slope, dtype, x_grad):
    seq = mlp(act, dtype)
    x = rp.tensor(np.random.default_rng(2).standard_normal((5, 7)).astype(dtype), requires_grad=x_grad)
    assert seq(x).grad_fn.name == "LinearChainBackward"
    for twice in (False, True):
        ours = grads_of(seq, x, lambda s, v: s(v), twice)
        ref = grads_of(seq, x, layer_by_layer, twice)
        np.testing.assert_array_equal(ours[0], ref[0])
        for a, b in zip(ours[1], ref[1]):
            np.testing.assert_array_equal(a, b)
        if x_grad:
            np.testing.assert_array_equal(ours[2], ref[2])


@pytest.mark.parametrize("frozen", ["first_layer", "last_layer", "middle_bias", "middle_weight", "all_but_input"])
def test_chain_with_frozen_parameters(frozen):
    seq = mlp(nn.ReLU)
    lins = [m for m in seq if isinstance(m, nn.Linear)]
    if frozen == "first_layer":
        lins[0].requires_grad_(False)
    elif frozen == "last_layer":
        lins[-1].requires_grad_(False)
    elif frozen == "middle_bias":
        lins[1].bias.requires_grad_(False)
    elif frozen == "middle_weight":  # the bias gradient then has no dW product to ride on: a pass of its own
        lins[1].weight.requires_grad_(False)
    else:
        seq.requires_grad_(False)
    x = rp.tensor(np.random.default_rng(3).standard_normal((4, 7)).astype(np.float32), requires_grad=frozen == "all_but_input")
    ours, ref = grads_of(seq, x, lambda s, v: s(v)), grads_of(seq, x, layer_by_layer)
    for a, b in zip(ours[1], ref[1]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)
    if x.requires_grad:
        np.testing.assert_array_equal(ours[2], ref[2])


def test_chain_without_bias_and_with_a_shared_layer():
    rp.manual_seed(0)
    shared = nn.Linear(6, 6, bias=False)
    seq = nn.Sequential(nn.Linear(5, 6, bias=False), nn.ReLU(), shared, nn.Tanh(), shared, nn.ReLU(), nn.Linear(6, 2))
    x = rp.tensor(np.random.default_rng(4).standard_normal((3, 5)).astype(np.float64), requires_grad=True)
    seq = seq.double()
    assert seq(x).grad_fn.name == "LinearChainBackward"

    def by_layer(s, v):
        m = list(s)
        v = F._linear_act(v, m[0].weight, None, "relu")
        v = F._linear_act(v, m[2].weight, None, "tanh")
        v = F._linear_act(v, m[4].weight, None, "relu")
        return F.linear(v, m[6].weight, m[6].bias)

    ours, ref = grads_of(seq, x, lambda s, v: s(v)), grads_of(seq, x, by_layer)
    for a, b in zip(ours[1] + [ours[2]], ref[1] + [ref[2]]):
        np.testing.assert_array_equal(a, b)  # the shared weight's two contributions summed in one order


def test_chain_gradcheck_float64():
    rng = np.random.default_rng(5)
    shapes = [(6, 4), (6,), (5, 6), (5,), (3, 5)]
    ts = [rp.tensor(rng.standard_normal((2, 4)), requires_grad=True)] + [rp.tensor(rng.standard_normal(s) * 0.7, requires_grad=True)
                                                                         for s in shapes]

    def f(x, w1, b1, w2, b2, w3):
        return linear_chain(x, [(w1, b1, ACT["tanh"], 0.01), (w2, b2, ACT["leaky_relu"], 0.3), (w3, None, 0, 0.01)])

    assert rp.autograd.gradcheck(f, ts)


def test_chain_through_autograd_grad_returns_the_same_gradients():
    """autograd.grad: nothing may be written into .grad; the gradients come back instead."""
    seq = mlp(nn.ReLU, np.float64)
    x = rp.tensor(np.random.default_rng(6).standard_normal((4, 7)), requires_grad=True)
    params = list(seq.parameters())
    got = rp.autograd.grad(seq(x).sum(), [x] + params)
    want = rp.autograd.grad(layer_by_layer(seq, x).sum(), [x] + params)
    assert all(p.grad is None for p in params)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_chain_detects_a_parameter_changed_in_place_before_backward():
    seq = mlp(nn.ReLU)
    y = seq(rp.tensor(np.ones((2, 7), np.float32)))
    with rp.no_grad():
        seq[2].weight.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_chain_backward_twice_needs_retain_graph():
    seq = mlp(nn.ReLU)
    y = seq(rp.tensor(np.ones((2, 7), np.float32))).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_chain_under_no_grad_records_nothing():
    seq = mlp(nn.ReLU)
    x = rp.tensor(np.random.default_rng(7).standard_normal((3, 7)).astype(np.float32))
    with rp.no_grad():
        y = seq(x)
    assert y.grad_fn is None and not y.requires_grad
    np.testing.assert_array_equal(y.numpy(), layer_by_layer(seq, x).numpy())


@pytest.mark.parametrize("case", ["hooked_layer", "gelu_in_the_middle"])
def test_no_chain_where_a_layer_must_run_on_its_own(case):
    seq = mlp(nn.ReLU)
    if case == "hooked_layer":  # a hook must see the layer's own output
        seq[2].register_forward_hook(lambda m, i, o: None)
    else:  # runs of one Linear (+ ReLU) each side of a Linear + GELU: no run of two
        seq[3] = nn.GELU()
    y = seq(rp.tensor(np.ones((4, 7), np.float32)))
    assert y.grad_fn.name != "LinearChainBackward"


@pytest.mark.parametrize("case", ["three_d_input", "strided_input", "mixed_dtype"])
def test_inputs_the_chain_does_not_take_go_layer_by_layer(case):
    seq = mlp(nn.ReLU)
    rng = np.random.default_rng(8)
    if case == "three_d_input":
        xt = rp.tensor(rng.standard_normal((2, 4, 7)).astype(np.float32), requires_grad=True)
        assert linear_chain(xt, [(seq[0].weight, seq[0].bias, 1, 0.01), (seq[2].weight, seq[2].bias, 0, 0.01)]) is None
    elif case == "strided_input":
        xt = rp.tensor(rng.standard_normal((7, 4)).astype(np.float32)).T
        xt.requires_grad_()
        assert not xt._data.flags.c_contiguous
    else:
        seq[0].double()
        with pytest.raises(TypeError, match="linear: expected all tensors to have one dtype"):
            seq(rp.tensor(rng.standard_normal((4, 7)).astype(np.float32)))
        return
    ours, ref = grads_of(seq, xt, lambda s, v: s(v)), grads_of(seq, xt, layer_by_layer)
    for a, b in zip([ours[0], ours[2]] + ours[1], [ref[0], ref[2]] + ref[1]):
        np.testing.assert_array_equal(a, b)


def test_a_run_after_an_unfusable_activation_is_still_a_chain():
    seq = nn.Sequential(nn.Linear(4, 5), nn.GELU(), nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 2))
    y = seq(rp.tensor(np.ones((3, 4), np.float32)))
    assert y.grad_fn.name == "LinearChainBackward"
    assert y.grad_fn.parents[0]._node.name == "LinearGeluBackward"  # the Linear + GELU before it


def test_sequential_mlp_training_matches_torch():
    torch = pytest.importorskip("torch")
    build = lambda m: m.Sequential(m.Linear(12, 16), m.ReLU(), m.Linear(16, 16), m.LeakyReLU(0.1), m.Linear(16, 3))  # noqa: E731
    ours, ref = build(nn), build(torch.nn)
    ours.load_state_dict({k: rp.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
    opt, topt = rp.optim.Adam(ours.parameters(), lr=1e-2), torch.optim.Adam(ref.parameters(), lr=1e-2)
    rng = np.random.default_rng(9)
    for _ in range(5):
        x, t = rng.standard_normal((8, 12)).astype(np.float32), rng.integers(0, 3, 8)
        for model, o, lib in ((ours, opt, rp), (ref, topt, torch)):
            o.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(t))
            loss.backward()
            o.step()
    # float32, five Adam steps: the two libraries' GEMMs sum in different orders (a few ulps a
    # step), and Adam's normalised update carries such differences along, hence 1e-5.
    for (k, a), b in zip(ours.state_dict().items(), ref.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-5, err_msg=k)


@pytest.mark.parametrize("x_grad", [False, True])
def test_chain_backward_makes_no_product_nothing_needs(x_grad, monkeypatch):
    """Without x.requires_grad the first layer's dX is not computed: its backward is the dW
    product alone, not a dX + dW pair (the wasted product would be a third of its time). The
    backward is one gemm_sequence call: a step of two tuples is a pair, of 14 one product."""
    import retroprop.nn._functional.linear as L

    calls = []

    class Counted:
        def __getattr__(self, name):
            return getattr(rp._core, name)

        @staticmethod
        def gemm_sequence(steps):
            calls.append(["pair" if len(s) == 2 else "gemm" for s in steps])
            return rp._core.gemm_sequence(steps)

    seq = mlp(nn.ReLU)
    x = rp.tensor(np.ones((4, 7), np.float32), requires_grad=x_grad)
    y = seq(x).sum()
    monkeypatch.setattr(L, "_core", Counted())
    y.backward()
    assert calls == [["pair", "pair", "pair" if x_grad else "gemm"]]
