"""Fused C++ optimizer steps against the readable NumPy reference, for every option combination,
both dtypes and every instruction-set path.

Tolerance: the kernels use FMA and (Adam) multiply by 1/sqrt(bias_correction2) where the
reference divides, so each step may differ by a few ulps; over 4 steps that stays below
rtol 2e-5 in float32 and 1e-12 in float64 (parameters and states are O(1))."""
import os
import sys

import numpy as np
import pytest

import retroprop as rp
from retroprop.optim import _reference

sys.path.insert(0, os.path.dirname(__file__))
from _optim_cases import CASES, SHAPES, case_id  # noqa: E402

TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


def _make(name, kw, init, impl):
    params = [rp.nn.Parameter(a.copy()) for a in init]
    opt = getattr(rp.optim, name)(params, **kw)
    if impl is not None:
        opt._impl = impl
    return params, opt


def _state_arrays(opt, params):
    return [{k: v._data for k, v in opt.state[p].items()} for p in params]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name,kw", CASES, ids=[case_id(n, kw) for n, kw in CASES])
def test_fused_matches_reference(isa, name, kw, dtype):
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    fused_params, fused = _make(name, kw, init, None)
    ref_params, ref = _make(name, kw, init, _reference)
    for _ in range(4):
        grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        for fp, rp_, g in zip(fused_params, ref_params, grads):
            fp.grad = rp.from_numpy(g.copy())
            rp_.grad = rp.from_numpy(g.copy())
        fused.step()
        ref.step()
        for fp, rp_ in zip(fused_params, ref_params):
            assert fp._data.dtype == dtype
            np.testing.assert_allclose(fp._data, rp_._data, **TOL[dtype])
        for fs, rs in zip(_state_arrays(fused, fused_params), _state_arrays(ref, ref_params)):
            assert fs.keys() == rs.keys()
            for key in fs:
                np.testing.assert_allclose(fs[key], rs[key], **TOL[dtype], err_msg=key)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_params_without_grad_are_skipped(name):
    a = rp.nn.Parameter(np.ones(10, dtype=np.float32))
    b = rp.nn.Parameter(np.ones(10, dtype=np.float32))
    opt = getattr(rp.optim, name)([a, b], lr=0.1, **({"momentum": 0.9} if name == "SGD" else {}))
    b.grad = rp.from_numpy(np.full(10, 0.5, dtype=np.float32))
    opt.step()
    np.testing.assert_array_equal(a._data, 1.0)
    assert a._version == 0 and b._version == 1
    assert not np.array_equal(b._data, 1.0)
    if name != "Adagrad":  # Adagrad, as torch, creates its state at construction
        assert a not in opt.state


def test_mixed_dtypes_in_one_group():
    """A group may hold float32 and float64 parameters; each is updated in its own dtype."""
    rng = np.random.default_rng(1)
    init = [rng.standard_normal(100).astype(np.float32), rng.standard_normal(50)]
    fused_params, fused = _make("Adam", {"lr": 0.01}, init, None)
    ref_params, ref = _make("Adam", {"lr": 0.01}, init, _reference)
    for ps in (fused_params, ref_params):
        for p in ps:
            p.grad = rp.from_numpy(np.ones_like(p._data))
    fused.step()
    ref.step()
    for fp, rp_ in zip(fused_params, ref_params):
        np.testing.assert_allclose(fp._data, rp_._data, rtol=1e-6)


def test_non_contiguous_grad_is_read_correctly():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((6, 4))
    g = rng.standard_normal((4, 6)).T  # a transposed view, as a backward may produce
    fused_params, fused = _make("SGD", {"lr": 0.5}, [w], None)
    fused_params[0].grad = rp.from_numpy(g)
    fused.step()
    np.testing.assert_allclose(fused_params[0]._data, w - 0.5 * g, rtol=1e-15)


def test_bad_arrays_raise_clear_errors():
    p = rp.nn.Parameter(np.zeros((3, 4), dtype=np.float32))
    opt = rp.optim.SGD([p], lr=0.1)
    with pytest.raises(RuntimeError, match="size"):  # the grad setter refuses it, as torch's does
        p.grad = rp.from_numpy(np.zeros((4, 3), dtype=np.float32))
    # Behind the setter's back (as a buggy extension could), the C++ entry point still checks.
    p._grad = rp.from_numpy(np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"sgd: gradient 0 of shape \(4, 3\) does not match its parameter of shape \(3, 4\)"):
        opt.step()
    p._grad = rp.from_numpy(np.zeros((3, 4), dtype=np.float64))
    with pytest.raises(TypeError, match="sgd: gradient 0 has dtype float64 but its parameter float32"):
        opt.step()
    with pytest.raises(RuntimeError, match="floating point"):  # int parameters are refused up front, as torch
        rp.nn.Parameter(np.zeros(5, dtype=np.int64))
