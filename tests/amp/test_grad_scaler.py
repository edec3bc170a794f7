"""retroprop.amp.GradScaler against torch.amp.GradScaler("cpu") (the oracle): the same loop gives
the same losses, parameters, scales, growth tracker and skipped steps; errors and the disabled
pass-through as torch's."""
import pickle
import warnings

import numpy as np
import pytest

import retroprop as rp
from retroprop.amp import GradScaler

torch = pytest.importorskip("torch")


def _models(seed=0):
    torch.manual_seed(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    ours = rp.nn.Sequential(rp.nn.Linear(4, 8), rp.nn.ReLU(), rp.nn.Linear(8, 1))
    with rp.no_grad():
        for p, t in zip(ours.parameters(), theirs.parameters()):
            p.copy_(rp.from_numpy(t.detach().numpy().copy()))
    return ours, theirs


def _loop(lib, model, steps, poison, clip=None, **scaler_kw):
    """A CPU AMP training template; `poison[step]` = inf or nan is written into a gradient."""
    rng = np.random.default_rng(1)
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scaler = lib.amp.GradScaler("cpu", **scaler_kw)
    trace = []
    for step in range(steps):
        x = lib.from_numpy(rng.standard_normal((16, 4)).astype(np.float32))
        y = lib.from_numpy(rng.standard_normal((16, 1)).astype(np.float32))
        opt.zero_grad()
        with lib.autocast(device_type="cpu", enabled=False):
            loss = lib.nn.functional.mse_loss(model(x), y)
        scaler.scale(loss).backward()
        if step in poison:
            first = next(iter(model.parameters()))
            first.grad[0, 0] = poison[step]
        if clip is not None:
            scaler.unscale_(opt)
            lib.nn.utils.clip_grad_norm_(model.parameters(), clip)
        scaler.step(opt)
        found = sum(v.item() for v in scaler._found_inf_per_device(opt).values())
        scaler.update()
        trace.append((loss.item(), scaler.get_scale(), scaler._get_growth_tracker(), found))
    params = [p.detach().numpy().copy() for p in model.parameters()]
    return trace, params, scaler


@pytest.mark.parametrize("clip", [None, 0.5], ids=["step", "unscale_clip_step"])
def test_training_loop_matches_torch(clip):
    """Growth every 3 good steps, backoff and a skipped step on each injected inf/NaN."""
    ours, theirs = _models()
    poison = {4: float("inf"), 9: float("nan"), 10: float("-inf")}
    kw = dict(init_scale=2.0**10, growth_factor=2.0, backoff_factor=0.25, growth_interval=3)
    t_ours, p_ours, s_ours = _loop(rp, ours, 14, poison, clip, **kw)
    t_theirs, p_theirs, s_theirs = _loop(torch, theirs, 14, poison, clip, **kw)
    # scale, tracker and skip flags are exact; losses and parameters are float32 results of
    # different GEMM kernels (few-ulp differences, carried over 14 steps): rtol 1e-5.
    assert [t[1:] for t in t_ours] == [t[1:] for t in t_theirs]
    scales = [t[1] for t in t_theirs]
    assert scales[2] == 2.0**11 and scales[4] == 2.0**9 and len(set(scales)) > 3  # grew and backed off
    np.testing.assert_allclose([t[0] for t in t_ours], [t[0] for t in t_theirs], rtol=1e-5)
    for p, t in zip(p_ours, p_theirs):
        np.testing.assert_allclose(p, t, rtol=1e-5, atol=1e-6)
    assert s_ours.state_dict() == s_theirs.state_dict()


def test_skipped_step_leaves_parameters_untouched():
    ours, _ = _models()
    before = [p.detach().numpy().copy() for p in ours.parameters()]
    opt = rp.optim.SGD(ours.parameters(), lr=0.1)
    scaler = GradScaler("cpu")
    scaler.scale(ours(rp.ones(2, 4)).sum()).backward()
    next(iter(ours.parameters())).grad[0, 0] = float("nan")
    assert scaler.step(opt) is None
    for p, b in zip(ours.parameters(), before):
        np.testing.assert_array_equal(p.detach().numpy(), b)
    scaler.update()
    assert scaler.get_scale() == 2.0**15 and scaler._get_growth_tracker() == 0


def test_scale_nested_outputs_and_lazy_scale():
    scaler, tscaler = GradScaler("cpu", init_scale=8.0), torch.amp.GradScaler("cpu", init_scale=8.0)
    assert scaler.get_scale() == tscaler.get_scale() == 8.0  # before the first scale(): init_scale
    a = np.arange(3, dtype=np.float32)
    out = scaler.scale([rp.from_numpy(a), (rp.from_numpy(a), [rp.from_numpy(a)])])
    tout = tscaler.scale([torch.from_numpy(a), (torch.from_numpy(a), [torch.from_numpy(a)])])
    assert type(out) is list and type(out[1]) is tuple and type(out[1][1]) is list
    np.testing.assert_array_equal(out[1][1][0].numpy(), tout[1][1][0].numpy())
    gen = scaler.scale(rp.from_numpy(a) for _ in range(2))  # other iterables: a lazy map, as torch
    assert [g.numpy().tolist() for g in gen] == [[0.0, 8.0, 16.0]] * 2
    assert scaler.scale(rp.from_numpy(a)).dtype == rp.float32
    assert scaler.scale(rp.from_numpy(a.astype(np.float64))).dtype == rp.float64  # a 0-d scale keeps the dtype
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        scaler.scale([1.0])
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        tscaler.scale([1.0])


def _one_param_setup(lib, scaler, factor=2.0):
    p = lib.nn.Parameter(lib.ones(3))
    opt = lib.optim.SGD([p], lr=0.1)
    scaler.scale((p * factor).sum()).backward()
    return p, opt


@pytest.mark.parametrize("lib_name", ["retroprop", "torch"])
def test_stage_errors_as_torch(lib_name):
    """unscale_ once per step, not after step; step once per update; no closure."""
    lib = rp if lib_name == "retroprop" else torch
    scaler = lib.amp.GradScaler("cpu")
    p, opt = _one_param_setup(lib, scaler)
    scaler.unscale_(opt)
    np.testing.assert_array_equal(p.grad.numpy(), [2.0, 2.0, 2.0])  # unscaled in place
    with pytest.raises(RuntimeError, match=r"unscale_\(\) has already been called on this optimizer"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match=r"unscale_\(\) is being called after step\(\)"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match=r"step\(\) has already been called since the last update\(\)"):
        scaler.step(opt)
    scaler.update()
    with pytest.raises(AssertionError, match="No inf checks were recorded prior to update"):
        scaler.update()


@pytest.mark.parametrize("lib_name", ["retroprop", "torch"])
def test_missing_scale_and_gradients_errors_as_torch(lib_name):
    lib = rp if lib_name == "retroprop" else torch
    scaler = lib.amp.GradScaler("cpu")
    p = lib.nn.Parameter(lib.ones(3))
    opt = lib.optim.SGD([p], lr=0.1)
    for call in (lambda: scaler.step(opt), lambda: scaler.unscale_(opt), scaler.update):
        with pytest.raises(AssertionError, match="but _scale is None"):
            call()
    scaler.scale(lib.ones(1))
    with pytest.raises(AssertionError, match="No inf checks were recorded for this optimizer"):
        scaler.step(opt)  # no parameter has a gradient


def test_update_new_scale():
    scaler = GradScaler("cpu")
    _one_param_setup(rp, scaler)
    scaler.update(4.0)
    assert scaler.get_scale() == 4.0
    scaler.update(rp.tensor([0.5]))
    assert scaler.get_scale() == 0.5
    with pytest.raises(AssertionError, match="new_scale should be a float"):
        scaler.update(rp.tensor([1.0, 2.0]))
    with pytest.raises(AssertionError, match="new_scale should be a float"):
        scaler.update(rp.tensor([1.0], requires_grad=True))


def test_growth_stops_at_float32_overflow():
    """torch keeps the scale when growing it would overflow float32 (and resets the tracker)."""
    ours, theirs = GradScaler("cpu", init_scale=2.0**127, growth_interval=1), \
        torch.amp.GradScaler("cpu", init_scale=2.0**127, growth_interval=1)
    for lib, scaler in ((rp, ours), (torch, theirs)):
        for _ in range(2):
            p, opt = _one_param_setup(lib, scaler, factor=1e-10)  # finite scaled gradients
            scaler.step(opt)
            scaler.update()
            assert scaler._get_growth_tracker() == 0
    assert ours.state_dict() == theirs.state_dict()
    assert ours.get_scale() == 2.0**127


def test_state_dict_round_trip_with_torch():
    ours, theirs = GradScaler("cpu", growth_interval=5), torch.amp.GradScaler("cpu", growth_interval=5)
    for lib, scaler in ((rp, ours), (torch, theirs)):
        p, opt = _one_param_setup(lib, scaler)
        scaler.step(opt)
        scaler.update()
    sd = ours.state_dict()
    assert sd == theirs.state_dict()
    assert sd == {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 5,
                  "_growth_tracker": 1}
    fresh = GradScaler("cpu")
    fresh.load_state_dict(theirs.state_dict())  # a torch checkpoint's scaler state loads as is
    assert fresh.state_dict() == sd and fresh.get_growth_interval() == 5
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        fresh.load_state_dict({})
    clone = pickle.loads(pickle.dumps(ours))
    assert clone.state_dict() == sd


def test_getters_setters():
    scaler = GradScaler("cpu", growth_factor=3.0, backoff_factor=0.1, growth_interval=7)
    assert (scaler.get_growth_factor(), scaler.get_backoff_factor(), scaler.get_growth_interval()) == (3.0, 0.1, 7)
    scaler.set_growth_factor(4.0)
    scaler.set_backoff_factor(0.2)
    scaler.set_growth_interval(9)
    assert (scaler.get_growth_factor(), scaler.get_backoff_factor(), scaler.get_growth_interval()) == (4.0, 0.2, 9)
    assert scaler.is_enabled()


@pytest.mark.parametrize("kw,msg", [({"growth_factor": 1.0}, "growth factor must be > 1.0"),
                                    ({"backoff_factor": 1.0}, "backoff factor must be < 1.0")])
def test_bad_factors_as_torch(kw, msg):
    with pytest.raises(AssertionError, match=msg):
        torch.amp.GradScaler("cpu", **kw)
    with pytest.raises(AssertionError, match=msg):
        GradScaler("cpu", **kw)
    GradScaler("cpu", enabled=False, **kw)  # unchecked when disabled, as torch


def test_disabled_is_a_pass_through():
    p = rp.nn.Parameter(rp.ones(3))
    opt = rp.optim.SGD([p], lr=0.5)
    scaler = GradScaler("cpu", enabled=False)
    loss = (p * 2).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(opt)
    np.testing.assert_array_equal(p.grad.numpy(), [2.0, 2.0, 2.0])
    assert scaler.step(opt) is None
    np.testing.assert_array_equal(p.detach().numpy(), [0.0, 0.0, 0.0])  # the step ran
    scaler.update()
    assert (scaler.get_scale(), scaler.state_dict(), scaler.is_enabled()) == (1.0, {}, False)
    scaler.load_state_dict({})  # a no-op, as torch
    t = torch.amp.GradScaler("cpu", enabled=False)
    assert (t.get_scale(), t.state_dict(), t.is_enabled()) == (1.0, {}, False)


def test_cuda_scaler_warns_and_disables_without_cuda():
    """torch.amp.GradScaler() defaults to "cuda"; without CUDA torch warns and disables it."""
    for make in (GradScaler, torch.amp.GradScaler, lambda: GradScaler("cuda")):
        with pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not available.  Disabling."):
            scaler = make()
        assert not scaler.is_enabled()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not GradScaler("cuda", enabled=False).is_enabled()  # disabled: no warning


def test_deprecated_aliases():
    with pytest.warns(FutureWarning, match=r"torch.cuda.amp.GradScaler\(args...\)` is deprecated"):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            scaler = rp.cuda.amp.GradScaler()
    assert isinstance(scaler, GradScaler) and not scaler.is_enabled()
    with pytest.warns(FutureWarning, match=r"torch.cpu.amp.GradScaler\(args...\)` is deprecated"):
        scaler = rp.cpu.amp.GradScaler(init_scale=4.0)
    assert scaler.is_enabled() and scaler._device == "cpu" and scaler.get_scale() == 4.0


def test_other_devices_rejected():
    with pytest.raises(RuntimeError, match="GradScaler: device 'mps' is not available"):
        GradScaler("mps")


AMP_TEMPLATE = '''
import json, random
import numpy as np
import torch
import torch.nn as nn

def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)

set_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
use_amp = device == "cuda"
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
rng = np.random.default_rng(0)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.3))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
scaler = torch.amp.GradScaler(device, init_scale=256.0, growth_interval=2)
for step in range(8):
    x = torch.from_numpy(rng.standard_normal((32, 4)).astype(np.float32))
    y = x.sum(1, keepdim=True)
    opt.zero_grad(set_to_none=True)
    with torch.autocast(device_type=device, enabled=use_amp):
        loss = nn.functional.mse_loss(model(x), y)
    scaler.scale(loss).backward()
    if step == 3:
        model[0].weight.grad[0, 0] = float("inf")
    scaler.unscale_(opt)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(opt)
    scaler.update()
    print(json.dumps([loss.item(), scaler.get_scale()]))
print(json.dumps(scaler.state_dict()))
'''


def test_amp_template_runs_unchanged_under_as_torch(tmp_path):
    """A CPU AMP script (set_seed with cudnn switches, autocast(enabled=use_amp), scaler with
    unscale_ + clipping, one injected inf): the same output under torch and under retroprop."""
    import json
    import subprocess
    import sys

    script = tmp_path / "amp_template.py"
    script.write_text(AMP_TEMPLATE)
    outs = []
    for runner in ([sys.executable], [sys.executable, "-m", "retroprop.as_torch"]):
        r = subprocess.run([*runner, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        outs.append([json.loads(line) for line in r.stdout.splitlines()])
    theirs, ours = outs
    assert ours[-1] == theirs[-1]  # scaler state: exact
    assert [s for _, s in ours[:-1]] == [s for _, s in theirs[:-1]] == [256.0, 512.0, 512.0, 256.0, 256.0, 512.0,
                                                                         512.0, 1024.0]
    # float32 losses of two GEMM implementations over 8 Adam steps: rtol 1e-5.
    np.testing.assert_allclose([l for l, _ in ours[:-1]], [l for l, _ in theirs[:-1]], rtol=1e-5)


def _two_optimizers(lib, poison_second):
    a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
    opt_a, opt_b = lib.optim.SGD([a], lr=0.5), lib.optim.SGD([b], lr=0.5)
    scaler = lib.amp.GradScaler("cpu", init_scale=4.0)
    scaler.scale((a * 3).sum() + (b * 5).sum()).backward()
    if poison_second:
        b.grad[0] = float("inf")
    scaler.step(opt_a)
    scaler.step(opt_b)
    scaler.update()
    return a.detach().numpy().copy(), b.detach().numpy().copy(), scaler.get_scale()


@pytest.mark.parametrize("poison", [False, True])
def test_two_optimizers_as_torch(poison):
    """Each optimizer skips on its own gradients; update backs off if any of them had an inf."""
    ours, theirs = _two_optimizers(rp, poison), _two_optimizers(torch, poison)
    for got, want in zip(ours, theirs):
        np.testing.assert_array_equal(got, want)
    assert ours[2] == (2.0 if poison else 4.0)
    np.testing.assert_array_equal(ours[0], [-0.5, -0.5])  # the first optimizer stepped either way


def _self_scaling_run(lib, keyword, poison):
    """An optimizer that unscales and skips by itself (torch's _step_supports_amp_scaling contract)."""
    seen = []

    class SelfScaling(lib.optim.SGD):
        _step_supports_amp_scaling = True

        if keyword:
            def step(self, closure=None, grad_scaler=None):
                seen.append(("grad_scaler", grad_scaler.get_scale()))
                return "stepped"
        else:
            def step(self, closure=None):
                seen.append((float(self.grad_scale), float(self.found_inf)))
                return "stepped"

    p = lib.nn.Parameter(lib.ones(2))
    opt = SelfScaling([p], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=8.0)
    scaler.scale(p.sum()).backward()
    if poison:
        p.grad[1] = float("nan")
    if keyword:
        with pytest.warns(FutureWarning, match="GradScaler is going to stop passing itself"):
            out = scaler.step(opt)
    else:
        out = scaler.step(opt)
        assert not hasattr(opt, "grad_scale") and not hasattr(opt, "found_inf")  # removed after the step
        scaler.update()
    return out, seen, p.grad.numpy().tolist(), scaler.get_scale()


@pytest.mark.parametrize("keyword", [False, True])
@pytest.mark.parametrize("poison", [False, True])
def test_self_scaling_optimizer_contract_as_torch(keyword, poison):
    ours, theirs = _self_scaling_run(rp, keyword, poison), _self_scaling_run(torch, keyword, poison)
    np.testing.assert_equal(ours, theirs)  # NaN == NaN here
    assert ours[0] == "stepped" and ours[2][0] == 8.0  # gradients left scaled for the optimizer to handle


@pytest.mark.parametrize("lib_name", ["retroprop", "torch"])
def test_fp16_gradients_refused_as_torch(lib_name):
    lib = rp if lib_name == "retroprop" else torch
    p = lib.nn.Parameter(lib.ones(2, dtype=lib.float16))
    p.grad = lib.ones(2, dtype=lib.float16)
    scaler = lib.amp.GradScaler("cpu")
    scaler.scale(lib.ones(1))
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients."):
        scaler.step(lib.optim.SGD([p], lr=0.1))
