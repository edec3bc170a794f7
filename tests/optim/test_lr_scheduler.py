"""Learning-rate schedulers against torch's, epoch by epoch (the same double arithmetic in the
same order, so the values are compared for equality up to 1 ulp), plus state_dict round trips."""
import warnings

import numpy as np
import pytest

import retroprop as rp
from retroprop.optim import lr_scheduler as ours_sched

torch = pytest.importorskip("torch")

SCHEDULERS = [
    ("LambdaLR", {"lr_lambda": lambda e: 0.95**e + 0.01 * e}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.9, "total_iters": 6}),
    ("OneCycleLR", {"max_lr": [0.5, 0.2], "total_steps": 25}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 25, "anneal_strategy": "linear", "three_phase": True}),
]
EPOCHS = 24


def _pair(opt_name="SGD", **opt_kw):
    """(retroprop optimizer, torch optimizer) over two groups with different lrs."""
    kw = {"lr": 0.1, **opt_kw}
    ours = getattr(rp.optim, opt_name)([{"params": [rp.nn.Parameter(np.zeros(2))]},
                                        {"params": [rp.nn.Parameter(np.zeros(3))], "lr": 0.03}], **kw)
    theirs = getattr(torch.optim, opt_name)([{"params": [torch.nn.Parameter(torch.zeros(2))]},
                                             {"params": [torch.nn.Parameter(torch.zeros(3))], "lr": 0.03}], **kw)
    return ours, theirs


def _assert_same(ours_opt, theirs_opt, ours, theirs, key="lr"):
    np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=2e-16, atol=0)
    for g, tg in zip(ours_opt.param_groups, theirs_opt.param_groups):
        np.testing.assert_allclose(g[key], tg[key], rtol=2e-16, atol=0)


@pytest.mark.parametrize("name,kw", SCHEDULERS, ids=[f"{n}{i}" for i, (n, _) in enumerate(SCHEDULERS)])
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_values_equal_torchs_epoch_by_epoch(name, kw, opt_name):
    opt_kw = {"momentum": 0.9} if opt_name == "SGD" else {}
    o, t = _pair(opt_name, **opt_kw)
    s, ts = getattr(ours_sched, name)(o, **kw), getattr(torch.optim.lr_scheduler, name)(t, **kw)
    _assert_same(o, t, s, ts)
    for _ in range(EPOCHS):
        o.step()
        t.step()
        s.step()
        ts.step()
        _assert_same(o, t, s, ts)
        if name == "OneCycleLR":  # the momentum (SGD) or beta1 (Adam) cycles too
            _assert_same(o, t, s, ts, "momentum" if opt_name == "SGD" else "betas")


@pytest.mark.parametrize("mode,threshold_mode", [("min", "rel"), ("max", "abs")])
def test_reduce_lr_on_plateau_equals_torchs(mode, threshold_mode):
    o, t = _pair()
    kw = dict(mode=mode, factor=0.5, patience=2, threshold=0.01, threshold_mode=threshold_mode, cooldown=1, min_lr=[0.01, 0.0])
    s, ts = ours_sched.ReduceLROnPlateau(o, **kw), torch.optim.lr_scheduler.ReduceLROnPlateau(t, **kw)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    for m in metrics:
        s.step(m)
        ts.step(m)
        _assert_same(o, t, s, ts)
    assert s.num_bad_epochs == ts.num_bad_epochs and s.best == ts.best


def test_chained_schedulers_equal_torchs():
    o, t = _pair()
    ours = [ours_sched.LinearLR(o, start_factor=0.5, total_iters=4), ours_sched.ExponentialLR(o, gamma=0.9)]
    theirs = [torch.optim.lr_scheduler.LinearLR(t, start_factor=0.5, total_iters=4), torch.optim.lr_scheduler.ExponentialLR(t, gamma=0.9)]
    for _ in range(10):
        o.step()
        t.step()
        for s, ts in zip(ours, theirs):
            s.step()
            ts.step()
        _assert_same(o, t, ours[1], theirs[1])


@pytest.mark.parametrize("name,kw", SCHEDULERS[1:6], ids=[n for n, _ in SCHEDULERS[1:6]])
def test_step_with_epoch_uses_the_closed_form_as_torch(name, kw):
    o, t = _pair()
    s, ts = getattr(ours_sched, name)(o, **kw), getattr(torch.optim.lr_scheduler, name)(t, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (3, 7, 4, 10):
            o.step()
            t.step()
            s.step(epoch)
            ts.step(epoch)
            _assert_same(o, t, s, ts)


@pytest.mark.parametrize("name,kw", SCHEDULERS[1:], ids=[f"{n}{i}" for i, (n, _) in enumerate(SCHEDULERS[1:])])
def test_state_dict_round_trip(name, kw):
    o, _ = _pair()
    s = getattr(ours_sched, name)(o, **kw)
    for _ in range(5):
        o.step()
        s.step()
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 5
    o2, _ = _pair()  # torch's resume order: build both, then load both
    s2 = getattr(ours_sched, name)(o2, **kw)
    o2.load_state_dict(o.state_dict())
    s2.load_state_dict(sd)
    for _ in range(5):
        for opt, sch in ((o, s), (o2, s2)):
            opt.step()
            sch.step()
        assert s.get_last_lr() == s2.get_last_lr()


def test_lambda_state_dict_skips_plain_functions():
    o, _ = _pair()
    s = ours_sched.LambdaLR(o, lr_lambda=lambda e: 0.5)
    assert s.state_dict()["lr_lambdas"] == [None, None]


def test_warns_when_stepped_before_the_optimizer():
    o, _ = _pair()
    s = ours_sched.StepLR(o, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()


def test_base_alias_and_type_check():
    assert issubclass(ours_sched._LRScheduler, ours_sched.LRScheduler)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        ours_sched.StepLR(object(), step_size=1)
