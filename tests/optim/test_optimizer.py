"""The Optimizer base: parameter groups, hyperparameter checks, zero_grad, closures, state and
its state_dict round trip (with shape checks on load)."""
import copy
import pickle

import numpy as np
import pytest

import retroprop as rp
from retroprop.optim import SGD, Adagrad, Adam, AdamW, RMSprop


def _params(*shapes, dtype=np.float32):
    rng = np.random.default_rng(0)
    return [rp.nn.Parameter(rng.standard_normal(s).astype(dtype)) for s in shapes]


def _set_grads(params, value=0.5):
    for p in params:
        p.grad = rp.from_numpy(np.full(p.shape, value, dtype=p.dtype))


def test_param_groups_take_defaults_and_per_group_options():
    a, b = _params((3,), (4,))
    opt = SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["params"] == [b]
    _set_grads([a, b], 1.0)
    a0, b0 = a._data.copy(), b._data.copy()
    opt.step()
    np.testing.assert_allclose(a._data, a0 - 0.1, rtol=1e-6)
    np.testing.assert_allclose(b._data, b0 - 0.5, rtol=1e-6)  # first momentum step: buffer = grad
    assert "momentum_buffer" in opt.state[b] and a not in opt.state


def test_add_param_group_and_its_errors():
    a, b = _params((3,), (4,))
    opt = Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "betas": (0.5, 0.6)})
    assert opt.param_groups[1]["betas"] == (0.5, 0.6) and opt.param_groups[1]["lr"] == 0.1
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([a])
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {b}})
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        Adam([np.zeros(3)])
    with pytest.raises(TypeError, match="iterable of Tensors"):
        Adam(a)
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])


@pytest.mark.parametrize("cls,kw,message", [
    (SGD, {"lr": -1.0}, "Invalid learning rate"),
    (SGD, {"momentum": -0.1}, "Invalid momentum value"),
    (SGD, {"weight_decay": -1e-3}, "Invalid weight_decay value"),
    (SGD, {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov momentum requires"),
    (Adam, {"eps": -1.0}, "Invalid epsilon value"),
    (Adam, {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0"),
    (Adam, {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1"),
    (AdamW, {"weight_decay": -0.1}, "Invalid weight_decay value"),
    (Adagrad, {"lr_decay": -0.1}, "Invalid lr_decay value"),
    (Adagrad, {"initial_accumulator_value": -1.0}, "Invalid initial_accumulator_value value"),
    (RMSprop, {"alpha": -0.5}, "Invalid alpha value"),
    (RMSprop, {"momentum": -0.5}, "Invalid momentum value"),
])
def test_hyperparameter_checks_name_the_option(cls, kw, message):
    with pytest.raises(ValueError, match=message):
        cls(_params((2,)), **kw)


def test_defaults_are_torchs():
    p = _params((2,))
    assert SGD(p).defaults["lr"] == 1e-3
    assert Adam(p).defaults["betas"] == (0.9, 0.999) and Adam(p).defaults["eps"] == 1e-8
    assert AdamW(p).defaults["weight_decay"] == 1e-2 and AdamW(p).defaults["decoupled_weight_decay"] is True
    assert Adagrad(p).defaults["lr"] == 1e-2 and Adagrad(p).defaults["eps"] == 1e-10
    assert RMSprop(p).defaults["alpha"] == 0.99 and RMSprop(p).defaults["lr"] == 1e-2


def test_tensor_lr_is_accepted():
    (p,) = _params((4,))
    opt = SGD([p], lr=rp.tensor(0.25))
    _set_grads([p], 1.0)
    p0 = p._data.copy()
    opt.step()
    np.testing.assert_allclose(p._data, p0 - 0.25, rtol=1e-6)
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        SGD([p], lr=rp.tensor([0.1, 0.2]))


def test_zero_grad_to_none_and_to_zeros():
    a, b = _params((3,), (2,))
    opt = SGD([a, b])
    _set_grads([a, b])
    grad_b = b.grad
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(grad_b._data, 0.0)
    assert b.grad is grad_b and grad_b._version == 1
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_step_with_closure_returns_loss_and_runs_with_grad_enabled():
    (p,) = _params((3,))
    opt = SGD([p], lr=0.1)
    seen = []

    def closure():
        seen.append(rp.is_grad_enabled())
        _set_grads([p], 1.0)
        return 42.0

    with rp.no_grad():
        assert opt.step(closure) == 42.0
    assert seen == [True]


def test_step_bumps_versions_and_records_no_graph():
    (p,) = _params((3,))
    opt = Adam([p])
    _set_grads([p])
    opt.step()
    opt.step()
    assert p._version == 2 and p.is_leaf and p.requires_grad


def _trained(cls, kw, steps=3, dtype=np.float32):
    params = _params((3, 2), (5,), dtype=dtype)
    opt = cls([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], **kw)
    for _ in range(steps):
        _set_grads(params, 0.3)
        opt.step()
    return params, opt


@pytest.mark.parametrize("cls,kw", [
    (SGD, {"lr": 0.1, "momentum": 0.9}), (Adagrad, {"lr": 0.1}), (RMSprop, {"momentum": 0.5, "centered": True}),
    (Adam, {"amsgrad": True}), (AdamW, {}),
])
def test_state_dict_round_trip_continues_identically(cls, kw):
    params, opt = _trained(cls, kw)
    sd = copy.deepcopy(opt.state_dict())
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.05
    clones = [rp.nn.Parameter(p._data.copy()) for p in params]
    opt2 = cls([{"params": clones[:1]}, {"params": clones[1:]}], **kw)
    opt2.load_state_dict(pickle.loads(pickle.dumps(sd)))
    assert opt2.param_groups[1]["lr"] == 0.05 and opt2.param_groups[1]["params"] == clones[1:]
    for p, c in zip(params, clones):
        for key, value in opt.state[p].items():
            np.testing.assert_array_equal(opt2.state[c][key]._data, value._data)
            assert opt2.state[c][key] is not value  # loaded state is a copy
    _set_grads(params, -0.2)
    _set_grads(clones, -0.2)
    opt.step()
    opt2.step()
    for p, c in zip(params, clones):
        np.testing.assert_array_equal(p._data, c._data)


def test_step_is_a_float32_scalar_tensor_as_torch():
    params, opt = _trained(Adam, {})
    step = opt.state[params[0]]["step"]
    assert isinstance(step, rp.Tensor) and step.shape == () and step.dtype == np.float32 and float(step._data) == 3.0


def test_load_state_dict_rejects_mismatches():
    params, opt = _trained(Adam, {})
    sd = opt.state_dict()
    other = _params((3, 2), (5,))
    with pytest.raises(ValueError, match="parameter groups"):
        Adam(other).load_state_dict(sd)  # one group, not two
    with pytest.raises(ValueError, match="doesn't match the size"):
        Adam([{"params": other[:1]}, {"params": other[1:] + _params((2,))}]).load_state_dict(sd)
    swapped = _params((5,), (3, 2))  # same counts, shapes swapped
    with pytest.raises(ValueError, match=r"'exp_avg' of shape \(3, 2\), but the parameter has shape \(5,\)"):
        Adam([{"params": swapped[:1]}, {"params": swapped[1:]}]).load_state_dict(sd)


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    _, opt = _trained(Adam, {}, dtype=np.float64)
    params32 = _params((3, 2), (5,))
    opt32 = Adam([{"params": params32[:1]}, {"params": params32[1:]}])
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[params32[0]]["exp_avg"].dtype == np.float32
    assert opt32.state[params32[0]]["step"].dtype == np.float32
