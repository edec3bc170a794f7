"""retroprop.optim against torch.optim (the oracle): same script, same trajectory.

float64, 30 steps, every option combination: the update rules follow torch's operation order,
so the only differences are FMA contraction and one reciprocal (a few ulps per step, not
amplified by these well-conditioned updates): rtol 1e-10 holds with margin (observed ~1e-15).
float32 with default options: rtol 1e-5 (float32 rounding differences of single ops)."""
import os
import sys

import numpy as np
import pytest

import retroprop as rp

torch = pytest.importorskip("torch")

sys.path.insert(0, os.path.dirname(__file__))
from _optim_cases import CASES, SHAPES, case_id, run_both  # noqa: E402


def _run(name, kw, dtype, steps, seed=0):
    return run_both(rp, torch, name, kw, dtype, steps, seed=seed)


@pytest.mark.parametrize("name,kw", CASES, ids=[case_id(n, kw) for n, kw in CASES])
def test_trajectory_matches_torch_float64(name, kw):
    ours, theirs, opt, topt = _run(name, kw, np.float64, steps=30)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p._data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    for p, t in zip(ours, theirs):  # the state under torch's names and values
        ts = topt.state[t]
        assert set(opt.state[p]) == set(ts)
        for key, value in ts.items():
            np.testing.assert_allclose(opt.state[p][key]._data, value.numpy(), rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_trajectory_matches_torch_float32(name):
    kw = {"lr": 0.01, **({"momentum": 0.9} if name == "SGD" else {})}
    ours, theirs, _, _ = _run(name, kw, np.float32, steps=20)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p._data, t.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_state_dict_loads_into_torch_and_back():
    """A retroprop state_dict has torch's structure: torch loads it and continues identically."""
    ours, theirs, opt, topt = _run("Adam", {"lr": 0.01, "amsgrad": True}, np.float64, steps=5)
    sd = opt.state_dict()
    converted = {
        "state": {i: {k: torch.from_numpy(np.array(v._data)) for k, v in s.items()} for i, s in sd["state"].items()},
        "param_groups": sd["param_groups"],
    }
    topt.load_state_dict(converted)
    tsd = topt.state_dict()
    opt.load_state_dict({"state": {i: {k: v.numpy() for k, v in s.items()} for i, s in tsd["state"].items()},
                         "param_groups": tsd["param_groups"]})
    g = [np.full(s, 0.1) for s in SHAPES]
    for p, t, gi in zip(ours, theirs, g):
        p.grad, t.grad = rp.from_numpy(gi.copy()), torch.from_numpy(gi.copy())
    opt.step()
    topt.step()
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p._data, t.detach().numpy(), rtol=1e-12, atol=1e-14)
