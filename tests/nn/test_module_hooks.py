"""Forward hooks, set_submodule, and the clear errors for torch names retroprop does not provide."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn


class AddOne(nn.Module):
    def forward(self, x, scale=1.0):
        return (x + 1) * scale


def value(t):
    return t.numpy().tolist()


def test_forward_hooks_see_and_replace_inputs_and_outputs():
    m = AddOne()
    seen = []
    pre = m.register_forward_pre_hook(lambda mod, args: (args[0] * 10,))
    post = m.register_forward_hook(lambda mod, args, out: seen.append((mod, value(args[0]), value(out))))
    x = rp.tensor([1.0])
    assert value(m(x)) == [11.0]
    assert seen == [(m, [10.0], [11.0])]
    post2 = m.register_forward_hook(lambda mod, args, out: out * 2)
    assert value(m(x)) == [22.0]
    pre.remove()
    post.remove()
    assert value(m(x)) == [4.0]
    post2.remove()
    assert value(m(x)) == [2.0]
    assert value(m.forward(x)) == [2.0]  # forward called directly never runs hooks


def test_hook_order_prepend_kwargs_and_handle_context():
    m = AddOne()
    order = []
    m.register_forward_hook(lambda *a: order.append("a"))
    m.register_forward_hook(lambda *a: order.append("b"), prepend=True)
    with m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"scale": 3.0}), with_kwargs=True):
        assert value(m(rp.tensor([1.0]))) == [6.0]
    assert order == ["b", "a"]
    assert value(m(rp.tensor([1.0]))) == [2.0]
    got = []
    m.register_forward_hook(lambda mod, args, kwargs, out: got.append(kwargs), with_kwargs=True)
    m(rp.tensor([1.0]), scale=2.0)
    assert got == [{"scale": 2.0}]


def test_hook_pre_hook_may_return_a_single_value():
    m = AddOne()
    m.register_forward_pre_hook(lambda mod, args: args[0] * 0)
    assert value(m(rp.tensor([5.0]))) == [1.0]


def test_hooks_on_a_submodule_capture_activations():
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    captured = {}
    seq[1].register_forward_hook(lambda mod, args, out: captured.setdefault("relu", out))
    y = seq(rp.tensor(np.ones((2, 3), dtype=np.float32)))
    assert y.shape == (2, 2) and captured["relu"].shape == (2, 4)  # a hooked activation runs unfused


def test_set_submodule_and_compile():
    seq = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    seq.set_submodule("1.0", nn.Tanh())
    assert type(seq[1][0]) is nn.Tanh
    with pytest.raises(AttributeError):
        seq.set_submodule("1.5", nn.Tanh())
    assert seq.compile() is None and type(seq[0]) is nn.Linear


def test_missing_torch_names_are_clear_errors():
    with pytest.raises(NotImplementedError, match=r"retroprop.nn.Conv2d is not implemented by retroprop"):
        nn.Conv2d(1, 1, 3)
    assert not hasattr(nn, "Conv2d")  # still an AttributeError for feature probes
    with pytest.raises(NotImplementedError, match="nn.init.dirac_"):
        nn.init.dirac_
    with pytest.raises(AttributeError):
        nn.__wrapped__
    with pytest.raises(NotImplementedError, match="Module.register_full_backward_hook"):
        nn.Linear(1, 1).register_full_backward_hook(print)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nonsense'"):
        nn.Linear(1, 1).nonsense


def test_every_exported_name_exists():
    for name in nn.__all__:
        assert getattr(nn, name) is not None
    for name in nn.init.__all__:
        assert callable(getattr(nn.init, name))
