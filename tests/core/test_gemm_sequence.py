"""gemm_sequence (dispatch/gemm.cpp, bindings/gemm.cpp): gemm() calls in order in one call, a
step being one product or a pair run as gemm_pair runs them, a later step free to read what an
earlier one wrote. The results must be the bits of the same calls made one by one (exact
comparison: the same kernels on the same data). Every product is checked before the first
runs: a bad step raises and leaves every output untouched.
"""
import numpy as np
import pytest

import retroprop as rp
from retroprop import _core


def single(a, b, c, bias=None, act=0):
    return (a, b, c, 1.0, 0.0, bias, act, 0.01, None, None, 0, True, None, False)


def run_one_by_one(steps):
    for s in steps:
        if len(s) == 2:
            _core.gemm_pair(*s)
        else:
            _core.gemm(*s[:8], False, *s[8:])


def three_layer_forward(rng, batch, dtype):
    """x -> relu(x W1^T + b1) -> relu(. W2^T + b2) -> . W3^T: each step reads the one before."""
    x = rng.standard_normal((batch, 24)).astype(dtype)
    ws = [rng.standard_normal(s).astype(dtype) for s in ((40, 24), (32, 40), (10, 32))]
    bs = [rng.standard_normal(s[0]).astype(dtype) for s in ((40,), (32,), (10,))]
    outs = [np.full((batch, w.shape[0]), np.nan, dtype) for w in ws]
    ins = [x] + outs[:-1]
    return [single(i, w.T, o, b, 1 if k < 2 else 0) for k, (i, w, b, o) in enumerate(zip(ins, ws, bs, outs))], outs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [1, 32, 100])
@pytest.mark.parametrize("threads", [1, 2])
def test_sequence_equals_the_calls_one_by_one(dtype, batch, threads):
    prev = rp.get_num_threads()
    rp.set_num_threads(threads)
    try:
        steps, outs = three_layer_forward(np.random.default_rng(batch), batch, dtype)
        _core.gemm_sequence(steps)
        got = [o.copy() for o in outs]
        for o in outs:
            o.fill(np.nan)
        run_one_by_one(steps)
        for a, b in zip(got, outs):
            np.testing.assert_array_equal(a, b)
        assert np.isfinite(got[-1]).all()
    finally:
        rp.set_num_threads(prev)


def test_sequence_mixes_pairs_and_single_products():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((64, 48)).astype(np.float32), rng.standard_normal((48, 40)).astype(np.float32)
    c1, c2, c3 = (np.full((64, 40), np.nan, np.float32) for _ in range(3))
    d = np.full((64, 64), np.nan, np.float32)
    steps = [(single(a, b, c1), single(a, b * 2, c2)), single(c1, c2.T, d), single(a, b, c3)]
    _core.gemm_sequence(steps)
    want = [x.copy() for x in (c1, c2, d, c3)]
    for x in (c1, c2, d, c3):
        x.fill(np.nan)
    run_one_by_one(steps)
    for w, x in zip(want, (c1, c2, d, c3)):
        np.testing.assert_array_equal(w, x)
    np.testing.assert_allclose(want[2], (a @ b) @ (a @ b * 2).T, rtol=1e-4, atol=1e-3)  # float32 sums of 40-48 terms


def test_every_product_is_checked_before_the_first_runs():
    rng = np.random.default_rng(2)
    steps, outs = three_layer_forward(rng, 8, np.float32)
    bad = list(steps[2])
    bad[2] = np.zeros((8, 11), np.float32)  # C of the wrong width
    with pytest.raises(ValueError, match=r"gemm: shapes A \(8, 32\) @ B \(32, 10\) -> C \(8, 11\) do not match"):
        _core.gemm_sequence(steps[:2] + [tuple(bad)])
    assert all(np.isnan(o).all() for o in outs)  # nothing ran


@pytest.mark.parametrize("case", ["dtype", "not_a_tuple", "wrong_length", "list_as_output"])
def test_bad_steps_raise_clear_errors(case):
    a = np.ones((4, 3), np.float32)
    b = np.ones((3, 5), np.float32)
    c = np.zeros((4, 5), np.float32)
    ok = single(a, b, c)
    if case == "dtype":
        steps, err, match = [ok, single(a.astype(np.float64), b.astype(np.float64), c.astype(np.float64))], TypeError, "one dtype"
    elif case == "not_a_tuple":
        steps, err, match = [ok, [a, b, c]], TypeError, "each step must be a tuple, got list"
    elif case == "wrong_length":
        steps, err, match = [ok[:5]], ValueError, "gemm_sequence: a step must hold the 14 arguments"
    else:
        steps, err, match = [(a, b, c.tolist()) + ok[3:]], TypeError, "c must be a NumPy array, got list"
    with pytest.raises(err, match=match):
        _core.gemm_sequence(steps)
    assert not c.any()


def test_an_empty_sequence_does_nothing():
    _core.gemm_sequence([])
