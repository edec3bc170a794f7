"""gemm_pair (dispatch/gemm.cpp): two independent products, run at once on two threads (one
each) or in turn otherwise. Its results must be the bits of the two gemm() calls: no kernel's
arithmetic depends on how many threads run it, so any difference is a bug (exact comparison, no
tolerance). Checks of both products happen before either is computed: a bad second product
raises and leaves the first one's output untouched.
"""
import numpy as np
import pytest

from retroprop import _core

SLOPE = 0.01


def linear_backward_args(rng, batch, n_in, n_out, dtype, accumulate):
    """A Linear + ReLU layer's backward: dW = (dY * relu'(S))^T X with the bias gradient as its
    row sums, and dX = (dY * relu'(S)) W, as the Python side passes them."""
    g = rng.standard_normal((batch, n_out)).astype(dtype)
    s = np.maximum(rng.standard_normal((batch, n_out)), 0).astype(dtype)
    x = rng.standard_normal((batch, n_in)).astype(dtype)
    w = rng.standard_normal((n_out, n_in)).astype(dtype)
    dw = rng.standard_normal((n_out, n_in)).astype(dtype) if accumulate else np.full((n_out, n_in), np.nan, dtype)
    db = rng.standard_normal(n_out).astype(dtype) if accumulate else np.full(n_out, np.nan, dtype)
    dx = np.full((batch, n_in), np.nan, dtype)
    wargs = (g.T, x, dw, 1.0, 1.0 if accumulate else 0.0, None, 0, SLOPE, None, s.T, 1, True, db, accumulate)
    xargs = (g, w, dx, 1.0, 0.0, None, 0, SLOPE, None, s, 1, True, None, False)
    return wargs, xargs


OUTPUTS = (2, 12)  # c and row_sum in a gemm_pair tuple


def fresh(args):
    """args with copies of its outputs (each run starts from the same C and row sums)."""
    return tuple(a.copy() if i in OUTPUTS and a is not None else a for i, a in enumerate(args))


def outputs(*args):
    return [a[i] for a in args for i in OUTPUTS if a[i] is not None]


def one_by_one(wargs, xargs):
    wargs, xargs = fresh(wargs), fresh(xargs)
    _core.gemm(*wargs[:8], False, *wargs[8:])
    _core.gemm(*xargs[:8], False, *xargs[8:])
    return outputs(wargs, xargs)


# Batch 32 / 128 hidden layers (both products big enough to pair), a 10-wide head, and products
# too small to be worth a thread (run in turn).
SHAPES = [(32, 512, 512), (128, 300, 200), (32, 512, 10), (5, 7, 3), (16, 64, 4)]


@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch,n_in,n_out", SHAPES)
def test_pair_gives_the_bits_of_two_calls_for_any_thread_count(batch, n_in, n_out, dtype, accumulate, per_thread_count):
    rng = np.random.default_rng(batch * 7 + n_in + n_out)
    wargs, xargs = linear_backward_args(rng, batch, n_in, n_out, dtype, accumulate)
    expected = one_by_one(wargs, xargs)

    def paired():
        w2, x2 = fresh(wargs), fresh(xargs)
        _core.gemm_pair(w2, x2)
        return outputs(w2, x2)

    for threads, got in zip((1, 2, 3), per_thread_count(paired)):
        for e, g in zip(expected, got):
            assert np.array_equal(e, g), f"{batch}x{n_in}x{n_out} {np.dtype(dtype)}, {threads} threads: differs from two gemm calls"


def test_pair_with_bias_activation_and_pre_in_the_epilogue():
    """Forward-style products (bias, leaky ReLU, pre-activation kept) pair like backward ones."""
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((64, 300)).astype(np.float32), rng.standard_normal((200, 300)).astype(np.float32)
    bias = rng.standard_normal(200).astype(np.float32)
    a, b = rng.standard_normal((100, 40)).astype(np.float32), rng.standard_normal((40, 90)).astype(np.float32)
    c1, pre1 = np.full((64, 200), np.nan, np.float32), np.full((64, 200), np.nan, np.float32)
    c2 = rng.standard_normal((100, 90)).astype(np.float32)
    e1, epre1, e2 = c1.copy(), pre1.copy(), c2.copy()
    _core.gemm(x, w.T, e1, 1.0, 0.0, bias, 2, 0.2, False, epre1)
    _core.gemm(a, b, e2, 0.5, 2.0)
    _core.gemm_pair((x, w.T, c1, 1.0, 0.0, bias, 2, 0.2, pre1, None, 0, True, None, False),
                    (a, b, c2, 0.5, 2.0, None, 0, 0.01, None, None, 0, True, None, False))
    assert np.array_equal(c1, e1) and np.array_equal(pre1, epre1) and np.array_equal(c2, e2)


def test_a_bad_second_product_raises_before_the_first_is_computed():
    rng = np.random.default_rng(0)
    wargs, xargs = linear_backward_args(rng, 32, 512, 512, np.float32, False)
    bad = (xargs[0], xargs[1][:-1], *xargs[2:])  # B one row short of A's columns
    with pytest.raises(ValueError, match=r"gemm: shapes A \(32, 512\) @ B \(511, 512\)"):
        _core.gemm_pair(wargs, bad)
    assert np.isnan(wargs[2]).all() and np.isnan(wargs[12]).all(), "the first product ran before the second was checked"
    bad_saved = (*xargs[:9], xargs[9][:, :-1], *xargs[10:])
    with pytest.raises(ValueError, match="a_saved must be shaped like A"):
        _core.gemm_pair(wargs, bad_saved)
    assert np.isnan(wargs[2]).all()


def test_pair_argument_errors_are_clear():
    rng = np.random.default_rng(1)
    wargs, xargs = linear_backward_args(rng, 8, 6, 4, np.float32, False)
    with pytest.raises(ValueError, match="gemm_pair: second must hold the 14 arguments"):
        _core.gemm_pair(wargs, xargs[:8])
    x64 = tuple(a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in xargs)
    with pytest.raises(TypeError, match="gemm_pair: both products must have one dtype, got float32 and float64"):
        _core.gemm_pair(wargs, x64)
    with pytest.raises(TypeError, match="gemm: c must be a NumPy array, got list"):
        _core.gemm_pair(wargs, (*xargs[:2], xargs[2].tolist(), *xargs[3:]))
    readonly = xargs[2].copy()
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="gemm: output C is read-only"):
        _core.gemm_pair(wargs, (*xargs[:2], readonly, *xargs[3:]))


def test_pairs_from_several_python_threads_match_a_lone_pair():
    # The GIL is released during a pair: pairs started at once from several Python threads each
    # get their own team and their own threads' packing buffers, and must not interfere.
    import threading

    rng = np.random.default_rng(5)
    wargs, xargs = linear_backward_args(rng, 32, 300, 200, np.float32, False)
    expected = one_by_one(wargs, xargs)
    runs = [(fresh(wargs), fresh(xargs)) for _ in range(4)]

    def run(w, x):
        for _ in range(5):
            _core.gemm_pair(w, x)

    threads = [threading.Thread(target=run, args=r) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w, x in runs:
        for e, g in zip(expected, outputs(w, x)):
            assert np.array_equal(e, g)
