"""Adadelta, NAdam, RAdam and Adamax (NumPy update rules) against torch.optim: same signature and
defaults, same trajectory and state, same errors, and a state_dict that round-trips (also with
torch's).

Tolerance: float64, rtol 1e-10 over 30 steps. The rules follow torch's single-tensor operation
order, so the only differences are FMA contraction inside torch's kernels (a few ulps a step, not
amplified by these well-conditioned updates; observed <= 4e-16). float32: rtol 1e-5 (single-op
float32 rounding differences, observed <= 5e-7)."""
import copy
import os
import sys
import inspect
import pickle

import numpy as np
import pytest

import retroprop as rp

torch = pytest.importorskip("torch")

sys.path.insert(0, os.path.dirname(__file__))
from _optim_cases import combos, run_both  # noqa: E402

SHAPES = [(1,), (7, 5), (1031,)]
NAMES = ["Adadelta", "NAdam", "RAdam", "Adamax"]


CASES = (
    [("Adadelta", kw) for kw in combos(lr=[1.0, 0.1], rho=[0.9, 0.5], weight_decay=[0.0, 0.1], maximize=[False, True])]
    + [("NAdam", kw) for kw in combos(betas=[(0.9, 0.999), (0.5, 0.8)], weight_decay=[0.0, 0.1],
                                       decoupled_weight_decay=[False, True], momentum_decay=[4e-3, 0.1],
                                       maximize=[False, True])]
    + [("RAdam", kw) for kw in combos(betas=[(0.9, 0.999), (0.5, 0.8)], weight_decay=[0.0, 0.1],
                                       decoupled_weight_decay=[False, True], maximize=[False, True])]
    + [("Adamax", kw) for kw in combos(betas=[(0.9, 0.999), (0.5, 0.8)], weight_decay=[0.0, 0.1], eps=[1e-8, 0.3],
                                        maximize=[False, True])]
)


def _case_id(name, kw):
    return name + "-" + "-".join(f"{k}={v}" for k, v in kw.items())


def _run(name, kw, dtype, steps, seed=0):
    return run_both(rp, torch, name, kw, dtype, steps, shapes=SHAPES, seed=seed)


def _assert_same(ours, theirs, opt, topt, **tol):
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p._data, t.detach().numpy(), **tol)
        ts = topt.state[t]
        assert set(opt.state[p]) == set(ts)
        for key, value in ts.items():
            assert opt.state[p][key].dtype == value.numpy().dtype, key
            np.testing.assert_allclose(opt.state[p][key]._data, value.numpy(), **tol, err_msg=key)


@pytest.mark.parametrize("name,kw", CASES, ids=[_case_id(n, kw) for n, kw in CASES])
def test_trajectory_and_state_match_torch_float64(name, kw):
    ours, theirs, opt, topt = _run(name, kw, np.float64, steps=30)  # RAdam rectifies from step 6 on
    _assert_same(ours, theirs, opt, topt, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kw", [{}, {"weight_decay": 0.1, "maximize": True}], ids=["defaults", "wd-maximize"])
def test_trajectory_matches_torch_float32(name, kw):
    ours, theirs, opt, topt = _run(name, kw, np.float32, steps=20)
    for p in ours:
        assert p.dtype == np.float32
    _assert_same(ours, theirs, opt, topt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_signature_and_defaults_are_torchs(name):
    """Positional order, keyword-only split and defaults as torch's (scripts pass them positionally)."""
    ours, theirs = getattr(rp.optim, name), getattr(torch.optim, name)
    sig, tsig = inspect.signature(ours.__init__), inspect.signature(theirs.__init__)
    assert [(p.name, p.kind, p.default) for p in sig.parameters.values()] == [
        (p.name, p.kind, p.default) for p in tsig.parameters.values()
    ]
    opt = ours([rp.nn.Parameter(np.zeros(2))])
    topt = theirs([torch.nn.Parameter(torch.zeros(2))])
    assert opt.defaults == topt.defaults


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the oracle's exception, whatever it is
        return type(e), str(e)
    return None


@pytest.mark.parametrize("name,kw", [
    ("Adadelta", {"lr": -1.0}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"rho": -0.1}), ("Adadelta", {"eps": -1e-6}),
    ("Adadelta", {"weight_decay": -0.1}),
    ("NAdam", {"lr": -1e-3}), ("NAdam", {"betas": (1.0, 0.9)}), ("NAdam", {"betas": (0.9, -0.1)}),
    ("NAdam", {"momentum_decay": -1.0}), ("NAdam", {"eps": -1.0}), ("NAdam", {"weight_decay": -1.0}),
    ("RAdam", {"lr": -1e-3}), ("RAdam", {"betas": (0.9, 1.0)}), ("RAdam", {"eps": -1.0}), ("RAdam", {"weight_decay": -1.0}),
    ("Adamax", {"lr": -1e-3}), ("Adamax", {"betas": (-0.5, 0.9)}), ("Adamax", {"eps": -1.0}),
    ("Adamax", {"weight_decay": -1.0}),
])
def test_invalid_hyperparameters_raise_torchs_errors(name, kw):
    expected = _error(lambda: getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kw))
    assert expected is not None
    got = _error(lambda: getattr(rp.optim, name)([rp.nn.Parameter(np.zeros(2))], **kw))
    assert got == expected


@pytest.mark.parametrize("name", NAMES)
def test_capturable_and_differentiable_are_refused_clearly(name):
    cls = getattr(rp.optim, name)
    with pytest.raises(ValueError, match=f"{name}: capturable=True is not supported"):
        cls([rp.nn.Parameter(np.zeros(2))], capturable=True)
    with pytest.raises(ValueError, match=f"{name}: differentiable=True is not supported"):
        cls([rp.nn.Parameter(np.zeros(2))], differentiable=True)
    cls([rp.nn.Parameter(np.zeros(2))], foreach=True)  # an implementation switch: accepted, same result


def _trained(name, kw, steps=3, dtype=np.float64):
    rng = np.random.default_rng(3)
    params = [rp.nn.Parameter(rng.standard_normal(s).astype(dtype)) for s in ((3, 2), (5,))]
    opt = getattr(rp.optim, name)([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], **kw)
    for _ in range(steps):
        for p in params:
            p.grad = rp.from_numpy(rng.standard_normal(p.shape).astype(dtype))
        opt.step()
    return params, opt


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_continues_identically(name):
    # float32 parameters: NAdam's float32 mu_product is cast to the parameter dtype on load (as in
    # torch), so only there does a reloaded run continue bit for bit.
    params, opt = _trained(name, {"weight_decay": 0.01}, steps=7, dtype=np.float32)
    sd = copy.deepcopy(opt.state_dict())
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]] and sd["param_groups"][1]["lr"] == 0.05
    clones = [rp.nn.Parameter(p._data.copy()) for p in params]
    opt2 = getattr(rp.optim, name)([{"params": clones[:1]}, {"params": clones[1:]}], weight_decay=0.01)
    opt2.load_state_dict(pickle.loads(pickle.dumps(sd)))
    for p, c in zip(params, clones):
        for key, value in opt.state[p].items():
            assert opt2.state[c][key] is not value  # loaded state is a copy
            np.testing.assert_array_equal(opt2.state[c][key]._data, value._data)
    for _ in range(3):
        for p, c in zip(params, clones):
            g = np.linspace(-1, 1, p._data.size, dtype=np.float32).reshape(p.shape)
            p.grad, c.grad = rp.from_numpy(g.copy()), rp.from_numpy(g.copy())
        opt.step()
        opt2.step()
    for p, c in zip(params, clones):
        np.testing.assert_array_equal(p._data, c._data)


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_loads_into_torch_and_back(name):
    """Our state_dict has torch's structure and names: torch loads it and continues as we do;
    loading torch's back gives the same state (NAdam's mu_product is cast to the parameter's
    float64 on load, as torch casts it)."""
    kw = {"weight_decay": 0.01}
    ours, theirs, opt, topt = _run(name, kw, np.float64, steps=8)
    sd = opt.state_dict()
    topt.load_state_dict({
        "state": {i: {k: torch.from_numpy(np.array(v._data)) for k, v in s.items()} for i, s in sd["state"].items()},
        "param_groups": copy.deepcopy(sd["param_groups"]),
    })
    tsd = topt.state_dict()
    opt.load_state_dict({"state": {i: {k: v.numpy() for k, v in s.items()} for i, s in tsd["state"].items()},
                         "param_groups": tsd["param_groups"]})
    for p, t in zip(ours, theirs):
        g = np.full(p.shape, 0.1)
        p.grad, t.grad = rp.from_numpy(g.copy()), torch.from_numpy(g.copy())
    opt.step()
    topt.step()
    _assert_same(ours, theirs, opt, topt, rtol=1e-12, atol=1e-14)


def test_adadelta_mnist_example_setup():
    """pytorch/examples' MNIST: Adadelta(lr=1.0) with StepLR(step_size=1, gamma=0.7), per epoch."""
    ours, theirs = rp.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight._data.copy()))
        theirs.bias.copy_(torch.from_numpy(ours.bias._data.copy()))
    opt, topt = rp.optim.Adadelta(ours.parameters(), lr=1.0), torch.optim.Adadelta(theirs.parameters(), lr=1.0)
    sched = rp.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=1, gamma=0.7)
    x = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
    for _ in range(3):  # epochs
        for _ in range(4):  # batches
            for model, o, mod, xin in ((ours, opt, rp, rp.from_numpy(x)), (theirs, topt, torch, torch.from_numpy(x))):
                o.zero_grad()
                loss = (model(xin) ** 2).mean()
                loss.backward()
                o.step()
        sched.step()
        tsched.step()
    assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-15)
    np.testing.assert_allclose(ours.weight._data, theirs.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_params_without_grad_are_skipped_and_versions_bumped(name):
    a = rp.nn.Parameter(np.ones(4, dtype=np.float32))
    b = rp.nn.Parameter(np.ones(4, dtype=np.float32))
    opt = getattr(rp.optim, name)([a, b], lr=rp.tensor(0.1))  # a Tensor lr, as torch accepts
    b.grad = rp.from_numpy(np.full(4, 0.5, dtype=np.float32))
    opt.step()
    np.testing.assert_array_equal(a._data, 1.0)
    assert a not in opt.state and a._version == 0 and b._version == 1
    assert not np.array_equal(b._data, 1.0) and float(opt.state[b]["step"]._data) == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_bad_gradients_raise_clear_errors(name):
    p = rp.nn.Parameter(np.zeros((3, 4), dtype=np.float32))
    opt = getattr(rp.optim, name)([p])
    p._grad = rp.from_numpy(np.zeros((4, 3), dtype=np.float32))  # behind the setter's back
    with pytest.raises(ValueError, match=rf"{name.lower()}: gradient 0 of shape \(4, 3\) does not match its parameter of shape \(3, 4\)"):
        opt.step()
    p._grad = rp.from_numpy(np.zeros((3, 4), dtype=np.float64))
    with pytest.raises(TypeError, match=f"{name.lower()}: gradient 0 has dtype float64 but its parameter float32"):
        opt.step()
