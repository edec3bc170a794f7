"""Learning-rate schedulers against torch's, epoch by epoch (the same double arithmetic in the
same order, so the values are compared for equality up to 1 ulp), plus state_dict round trips."""
import math
import types
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
    ("ConstantLR", {"factor": 0.4, "total_iters": 4}),
    ("PolynomialLR", {"total_iters": 9, "power": 2.0}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9 + 0.01 * (e % 3)}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 2}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": [0.1, 0.05], "step_size_up": 4}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "step_size_down": 5, "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": [0.01, 0.02], "max_lr": 0.1, "step_size_up": 2, "mode": "exp_range", "gamma": 0.9,
                  "base_momentum": 0.7, "max_momentum": [0.95, 0.9]}),
]
CYCLES_MOMENTUM = ("OneCycleLR", "CyclicLR")
EPOCHS = 60  # several cycles / restarts of every periodic schedule


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
    for _ in range(24 if name == "OneCycleLR" else EPOCHS):  # OneCycleLR refuses to step past total_steps
        o.step()
        t.step()
        s.step()
        ts.step()
        _assert_same(o, t, s, ts)
        if name in CYCLES_MOMENTUM:  # the momentum (SGD) or beta1 (Adam) cycles too
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


CLOSED_FORM = SCHEDULERS[1:6] + [c for c in SCHEDULERS if c[0] in ("ConstantLR", "PolynomialLR")]


@pytest.mark.parametrize("name,kw", CLOSED_FORM, ids=[n for n, _ in CLOSED_FORM])
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


def _both(build, opt_name="SGD", **opt_kw):
    """(ours optimizer, torch optimizer, ours scheduler, torch scheduler) from build(module, optimizer)."""
    o, t = _pair(opt_name, **opt_kw)
    return o, t, build(ours_sched, o), build(torch.optim.lr_scheduler, t)


def _run_both(o, t, s, ts, steps, key="lr"):
    _assert_same(o, t, s, ts)
    for _ in range(steps):
        o.step()
        t.step()
        s.step()
        ts.step()
        _assert_same(o, t, s, ts, key)


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_sequential_warmup_then_cosine_equals_torchs(opt_name):
    def build(m, opt):
        warm = m.LinearLR(opt, start_factor=0.1, total_iters=5)
        return m.SequentialLR(opt, [warm, m.CosineAnnealingLR(opt, T_max=20)], milestones=[5])

    o, t, s, ts = _both(build, opt_name)
    _run_both(o, t, s, ts, 50)  # past T_max: the cosine comes back up, as torch's does
    assert s.last_epoch == ts.last_epoch == 50


@pytest.mark.filterwarnings("ignore:Detected call of")  # torch warns too: the chain's restart steps its members
def test_sequential_of_three_with_a_leading_chain_equals_torchs():
    """A chain first (torch restarts it through recursive_undo; a chain after a milestone has no
    closed form, in torch as here)."""
    def build(m, opt):
        chain = m.ChainedScheduler([m.ExponentialLR(opt, gamma=0.9), m.MultiplicativeLR(opt, lambda e: 0.99)])
        return m.SequentialLR(opt, [chain, m.ConstantLR(opt, factor=0.5, total_iters=2), m.StepLR(opt, 2, gamma=0.5)],
                              milestones=[3, 8])

    _run_both(*_both(build), 20)


def test_sequential_state_dict_round_trip_continues_identically():
    def build(opt):
        return ours_sched.SequentialLR(
            opt, [ours_sched.LinearLR(opt, start_factor=0.1, total_iters=4), ours_sched.CosineAnnealingLR(opt, T_max=10)],
            milestones=[4])

    o, _ = _pair()
    s = build(o)
    for _ in range(6):
        o.step()
        s.step()
    sd = s.state_dict()
    assert "optimizer" not in sd and [x["last_epoch"] for x in sd["_schedulers"]] == [3, 2]
    o2, _ = _pair()
    s2 = build(o2)
    o2.load_state_dict(o.state_dict())
    s2.load_state_dict(sd)
    assert s2._schedulers[1].last_epoch == 2 and "_schedulers" in sd  # the saved dict is left intact
    for _ in range(8):
        for opt, sch in ((o, s), (o2, s2)):
            opt.step()
            sch.step()
        assert s.get_last_lr() == s2.get_last_lr()


def test_chained_state_dict_round_trip():
    o, _ = _pair()
    s = ours_sched.ChainedScheduler([ours_sched.ConstantLR(o, factor=0.5, total_iters=3), ours_sched.ExponentialLR(o, 0.9)])
    for _ in range(2):
        o.step()
        s.step()
    o2, _ = _pair()
    s2 = ours_sched.ChainedScheduler([ours_sched.ConstantLR(o2, factor=0.5, total_iters=3), ours_sched.ExponentialLR(o2, 0.9)])
    o2.load_state_dict(o.state_dict())
    s2.load_state_dict(s.state_dict())
    for _ in range(4):
        for opt, sch in ((o, s), (o2, s2)):
            opt.step()
            sch.step()
        assert s.get_last_lr() == s2.get_last_lr()


def _error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the oracle's exception, whatever it is
            return type(e), str(e)
    return None


def _other_optimizer(m):
    lib = rp if m is ours_sched else torch
    return lib.optim.SGD([lib.nn.Parameter(lib.zeros(2))], lr=0.1)


@pytest.mark.parametrize("case", [
    "seq-empty", "seq-milestones", "seq-plateau", "seq-other-optimizer", "chain-empty", "chain-plateau",
    "chain-other-optimizer", "constant-factor", "warm-T0", "warm-T0-float", "warm-Tmult", "warm-eta", "warm-negative-epoch",
    "cyclic-mode", "cyclic-no-momentum", "multiplicative-not-callable", "multiplicative-count",
])
def test_errors_equal_torchs(case):
    def attempt(m, opt):
        if case == "seq-empty":
            m.SequentialLR(opt, [], milestones=[])
        elif case == "seq-milestones":
            m.SequentialLR(opt, [m.StepLR(opt, 2), m.ExponentialLR(opt, 0.9)], milestones=[2, 4])
        elif case == "seq-plateau":
            m.SequentialLR(opt, [m.StepLR(opt, 2), m.ReduceLROnPlateau(opt)], milestones=[2])
        elif case == "seq-other-optimizer":
            m.SequentialLR(opt, [m.StepLR(opt, 2), m.StepLR(_other_optimizer(m), 2)], milestones=[2])
        elif case == "chain-empty":
            m.ChainedScheduler([])
        elif case == "chain-plateau":
            m.ChainedScheduler([m.StepLR(opt, 2), m.ReduceLROnPlateau(opt)])
        elif case == "chain-other-optimizer":
            m.ChainedScheduler([m.StepLR(opt, 2), m.StepLR(_other_optimizer(m), 2)])
        elif case == "constant-factor":
            m.ConstantLR(opt, factor=1.5)
        elif case == "warm-T0":
            m.CosineAnnealingWarmRestarts(opt, T_0=0)
        elif case == "warm-T0-float":
            m.CosineAnnealingWarmRestarts(opt, T_0=2.0)
        elif case == "warm-Tmult":
            m.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)
        elif case == "warm-eta":
            m.CosineAnnealingWarmRestarts(opt, T_0=2, eta_min="0")
        elif case == "warm-negative-epoch":
            m.CosineAnnealingWarmRestarts(opt, T_0=2).step(-1)
        elif case == "cyclic-mode":
            m.CyclicLR(opt, 0.01, 0.1, mode="sawtooth")
        elif case == "cyclic-no-momentum":
            m.CyclicLR(opt, 0.01, 0.1)
        elif case == "multiplicative-not-callable":
            m.MultiplicativeLR(opt, 0.9)
        elif case == "multiplicative-count":
            m.MultiplicativeLR(opt, [lambda e: 0.9])

    opt_name = "Adagrad" if case == "cyclic-no-momentum" else "SGD"
    o, t = _pair(opt_name)
    expected = _error(lambda: attempt(torch.optim.lr_scheduler, t))
    assert expected is not None
    # The "other optimizer" message embeds the optimizer's repr: compare everything before it.
    got = _error(lambda: attempt(ours_sched, o))
    if "other-optimizer" in case:
        assert got[0] == expected[0] and got[1].split(" has ")[0] == expected[1].split(" has ")[0]
    else:
        assert got == expected


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_fractional_epochs_equal_torchs(T_mult):
    """The documented per-batch use: step(epoch + i / iters); no deprecation warning (as torch)."""
    o, t, s, ts = _both(lambda m, opt: m.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=T_mult, eta_min=0.005))
    iters = 7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for epoch in range(25):
            for i in range(iters):
                o.step()
                t.step()
                s.step(epoch + i / iters)
                ts.step(epoch + i / iters)
                _assert_same(o, t, s, ts)
                assert (s.T_i, s.T_cur, s.last_epoch) == (ts.T_i, ts.T_cur, ts.last_epoch)
    for epoch in (2.5, 11.25, 0.0, 40.75):  # jumps, backwards too
        s.step(epoch)
        ts.step(epoch)
        _assert_same(o, t, s, ts)


@pytest.mark.parametrize("opt_name,key", [("SGD", "momentum"), ("Adam", "betas")])
def test_cyclic_custom_scale_fn_and_momentum_equal_torchs(opt_name, key):
    kw = {"base_lr": 0.001, "max_lr": 0.006, "step_size_up": 5, "scale_fn": lambda x: 0.5 * (1 + math.sin(x * math.pi / 2.0)),
          "scale_mode": "iterations", "base_momentum": 0.8, "max_momentum": 0.95}
    o, t, s, ts = _both(lambda m, opt: m.CyclicLR(opt, **kw), opt_name)
    assert o.param_groups[0][key] == t.param_groups[0][key]  # max_momentum set at construction
    _run_both(o, t, s, ts, 40, key)
    assert o.param_groups[1]["max_momentum"] == 0.95 and o.param_groups[1]["base_momentum"] == 0.8


def test_cyclic_without_momentum_cycling_leaves_momentum():
    o, t, s, ts = _both(lambda m, opt: m.CyclicLR(opt, 0.01, 0.1, step_size_up=3, cycle_momentum=False), momentum=0.9)
    _run_both(o, t, s, ts, 12, "momentum")
    assert o.param_groups[0]["momentum"] == 0.9


class _Scale:
    """A callable object: CyclicLR's state_dict saves its __dict__ (a plain function saves None)."""

    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return 1.0 / (1 + self.k * x)


def test_cyclic_state_dict_round_trip():
    o, _ = _pair(momentum=0.9)
    s = ours_sched.CyclicLR(o, 0.01, 0.1, step_size_up=3, scale_fn=_Scale(0.5))
    for _ in range(4):
        o.step()
        s.step()
    sd = s.state_dict()
    assert sd["_scale_fn_custom"] == {"k": 0.5} and "_scale_fn_ref" not in sd
    o2, _ = _pair(momentum=0.9)
    s2 = ours_sched.CyclicLR(o2, 0.01, 0.1, step_size_up=3, scale_fn=_Scale(9.0))
    o2.load_state_dict(o.state_dict())
    s2.load_state_dict(sd)
    assert s2._scale_fn_custom.k == 0.5
    for _ in range(8):
        for opt, sch in ((o, s), (o2, s2)):
            opt.step()
            sch.step()
        assert s.get_last_lr() == s2.get_last_lr()
        assert [g["momentum"] for g in o.param_groups] == [g["momentum"] for g in o2.param_groups]
    # Built-in modes rebuild their scale function on load.
    s3 = ours_sched.CyclicLR(o2, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.5)
    s3.load_state_dict(ours_sched.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.8).state_dict())
    assert s3.scale_fn(2) == pytest.approx(0.64, rel=1e-15)


def test_warns_only_when_stepped_before_the_optimizer_as_torch():
    o, t = _pair()
    s, ts = ours_sched.ExponentialLR(o, 0.9), torch.optim.lr_scheduler.ExponentialLR(t, 0.9)
    o.step()
    t.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()
        ts.step()


def test_custom_optimizer_overriding_step_does_not_warn():
    """A user optimizer whose step() skips the base class: the scheduler still sees it ran,
    because (as torch) the scheduler wraps the optimizer's step."""

    class Plain(rp.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

        def step(self, closure=None):
            return None

    o = Plain([rp.nn.Parameter(np.zeros(2))])
    s = ours_sched.StepLR(o, 1, gamma=0.5)
    o.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()
    assert s.get_last_lr() == [0.05]


def test_replacing_optimizer_step_after_the_scheduler_warns_as_torch():
    o, t = _pair()
    s, ts = ours_sched.StepLR(o, 2), torch.optim.lr_scheduler.StepLR(t, 2)
    o.step = types.MethodType(type(o).step, o)
    t.step = types.MethodType(type(t).step, t)
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler initialization"):
        ts.step()
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler initialization"):
        s.step()


def test_step_with_epoch_warns_deprecation_as_torch():
    o, _ = _pair()
    s = ours_sched.StepLR(o, 2)
    o.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        s.step(3)


def test_get_lr_outside_step_warns_as_torch():
    o, t = _pair()
    s, ts = ours_sched.CosineAnnealingLR(o, T_max=5), torch.optim.lr_scheduler.CosineAnnealingLR(t, T_max=5)
    o.step()
    t.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from inside step()
        s.step()
        ts.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        theirs = ts.get_lr()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        ours = s.get_lr()
    assert ours == theirs  # the chainable rule's value, whatever it means outside step()
