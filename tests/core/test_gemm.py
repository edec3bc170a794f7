"""retroprop._core.gemm against a float64 NumPy reference: shapes, transposes, strides, alpha/beta,
every instruction-set path, thread-count invariance, and the fast kernel against reference=True.

Tolerance (see `assert_close`): a length-k dot product in precision eps has rounding error bounded
by about k*eps*(|A||B|) in the worst case and sqrt(k)*eps*(|A||B|) for random signs; the blocked
kernel sums in a different order than the reference, so we allow 8*sqrt(k+1)*eps*(|alpha||A||B|)
plus a few eps of |beta*C| per element.
"""
import itertools
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from retroprop import _core

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

DTYPES = [np.float32, np.float64]
TRANS = list(itertools.product([False, True], repeat=2))


def operand(rng, rows, cols, dtype, trans=False, pad=0, offset=0):
    """A logical rows x cols operand; trans: a transposed view of a (cols x rows) buffer. pad/offset
    make the leading dimension larger than the logical width (a slice of a wider array)."""
    if trans:
        base = rng.standard_normal((cols, rows + pad + offset)).astype(dtype)
        return base[:, offset:offset + rows].T
    base = rng.standard_normal((rows, cols + pad + offset)).astype(dtype)
    return base[:, offset:offset + cols]


def reference(a, b, c0, alpha=1.0, beta=0.0, bias=None):
    out = alpha * (a.astype(np.float64) @ b.astype(np.float64))
    if beta != 0:
        out += beta * c0.astype(np.float64)
    if bias is not None:
        out += bias.astype(np.float64)
    return out


def assert_close(got, want, a, b, c0=None, alpha=1.0, beta=0.0):
    eps = np.finfo(got.dtype).eps
    k = a.shape[1]
    scale = abs(alpha) * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)))
    tol = 8 * np.sqrt(k + 1) * eps * scale + 4 * eps * np.abs(want) + np.finfo(got.dtype).tiny
    if c0 is not None and beta != 0:
        tol += 4 * eps * abs(beta) * np.abs(c0.astype(np.float64))
    err = np.abs(got.astype(np.float64) - want)
    assert np.all(err <= tol), f"max error {err.max()} exceeds tolerance at {np.unravel_index(np.argmax(err - tol), err.shape)}"


SHAPES = [(0, 0, 0), (0, 5, 3), (5, 0, 3), (5, 3, 0), (1, 1, 1), (1, 1, 7), (7, 1, 1), (1, 7, 1), (2, 3, 5),
          (6, 16, 256), (13, 17, 19), (31, 37, 41), (97, 101, 89), (32, 10, 512), (10, 784, 32), (300, 290, 310),
          (577, 37, 263)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta,tb", TRANS)
@pytest.mark.parametrize("m,n,k", SHAPES)
def test_matches_numpy_float64(m, n, k, ta, tb, dtype):
    rng = np.random.default_rng(m * 10007 + n * 101 + k)
    a, b = operand(rng, m, k, dtype, ta), operand(rng, k, n, dtype, tb)
    c = np.full((m, n), np.nan, dtype)  # beta = 0: C must not be read
    _core.gemm(a, b, c)
    assert_close(c, reference(a, b, None), a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n,k", [(1000, 40, 1030), (40, 1000, 7), (1031, 1033, 97),
                                   (300, 2500, 50)])  # two row blocks, a hundred column panels
def test_large_shapes(m, n, k, dtype):
    rng = np.random.default_rng(7)
    a, b = operand(rng, m, k, dtype, True), operand(rng, k, n, dtype)
    c = np.empty((m, n), dtype)
    _core.gemm(a, b, c)
    assert_close(c, reference(a, b, None), a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha,beta", [(1.0, 1.0), (0.5, -2.0), (-1.5, 0.25), (2.0, 0.0), (0.0, 3.0)])
@pytest.mark.parametrize("m,n,k", [(5, 7, 3), (37, 45, 300), (301, 70, 600), (4, 9, 0)])
def test_alpha_beta(m, n, k, alpha, beta, dtype):
    rng = np.random.default_rng(3)
    a, b = operand(rng, m, k, dtype), operand(rng, k, n, dtype, True)
    c0 = rng.standard_normal((m, n)).astype(dtype)
    c = c0.copy()
    if beta == 0:
        c[:] = np.nan
    _core.gemm(a, b, c, alpha=alpha, beta=beta)
    assert not np.isnan(c).any()
    assert_close(c, reference(a, b, c0, alpha, beta), a, b, c0, alpha, beta)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta,tb", TRANS)
def test_strided_views_and_c_slice_leave_padding_untouched(ta, tb, dtype):
    rng = np.random.default_rng(11)
    m, n, k = 53, 47, 130
    a, b = operand(rng, m, k, dtype, ta, pad=5, offset=3), operand(rng, k, n, dtype, tb, pad=9, offset=1)
    big = rng.standard_normal((m + 4, n + 20)).astype(dtype)
    before = big.copy()
    c0 = big[2:2 + m, 3:3 + n].copy()
    _core.gemm(a, b, big[2:2 + m, 3:3 + n], beta=1.0)
    assert_close(big[2:2 + m, 3:3 + n], reference(a, b, c0, 1.0, 1.0), a, b, c0, 1.0, 1.0)
    outside = np.ones(big.shape, bool)
    outside[2:2 + m, 3:3 + n] = False
    assert np.array_equal(big[outside], before[outside])


def test_column_slices_like_x_3_50():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((64, 80)).astype(np.float32)
    w = rng.standard_normal((30, 100)).astype(np.float32)
    a, b = x[:, 3:50], w[:, 10:57].T
    c = np.empty((64, 30), np.float32)
    _core.gemm(a, b, c)
    assert_close(c, reference(a, b, None), a, b)


def test_operand_without_unit_stride_is_a_clear_error():
    x = np.ones((6, 8), np.float32)
    c = np.empty((3, 8), np.float32)
    with pytest.raises(ValueError, match="gemm"):
        _core.gemm(x[::2, ::2], x[::2, ::2].T.copy()[:4], c)
    with pytest.raises(ValueError, match="gemm"):
        _core.gemm(x[::-1][:3], np.ones((8, 8), np.float32), c)


def test_bad_arguments_raise_naming_gemm_and_shapes():
    f = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match=r"gemm.*\(3, 4\).*\(3, 4\)"):
        _core.gemm(f, f, np.empty((3, 4), np.float32))
    with pytest.raises(TypeError, match="gemm"):
        _core.gemm(f, np.ones((4, 2)), np.empty((3, 2), np.float32))
    with pytest.raises(TypeError, match="gemm"):
        _core.gemm(f.astype(np.int32), f.T.astype(np.int32), np.empty((3, 3), np.int32))
    with pytest.raises(ValueError, match="bias"):
        _core.gemm(f, f.T, np.empty((3, 3), np.float32), bias=np.ones(4, np.float32))
    with pytest.raises(ValueError, match="read-only"):
        c = np.empty((3, 3), np.float32)
        c.flags.writeable = False
        _core.gemm(f, f.T, c)
    # Outputs given as lists would be converted to temporaries and the results lost.
    with pytest.raises(TypeError, match="gemm: pre must be a NumPy array, got list"):
        _core.gemm(f, f.T, np.empty((3, 3), np.float32), pre=[[0.0] * 3] * 3)
    with pytest.raises(TypeError, match="gemm: row_sum must be a NumPy array, got list"):
        _core.gemm(f, f.T, np.empty((3, 3), np.float32), row_sum=[0.0] * 3)


def test_k_zero_gives_beta_c_plus_bias_then_activation():
    c0 = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]], np.float32)
    bias = np.array([0.5, 0.5, -10.0], np.float32)
    c = c0.copy()
    _core.gemm(np.empty((2, 0), np.float32), np.empty((0, 3), np.float32), c, beta=2.0, bias=bias, act=1)
    np.testing.assert_array_equal(c, np.maximum(2 * c0 + bias, 0))
    c[:] = np.nan
    _core.gemm(np.empty((2, 0), np.float32), np.empty((0, 3), np.float32), c, bias=bias)
    np.testing.assert_array_equal(c, np.broadcast_to(bias, (2, 3)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (13, 29, 17), (32, 10, 512), (64, 512, 784), (300, 33, 257), (577, 300, 40)])
def test_fast_kernel_matches_reference_kernel(m, n, k, dtype):
    rng = np.random.default_rng(m + n + k)
    for ta, tb in TRANS:
        a, b = operand(rng, m, k, dtype, ta), operand(rng, k, n, dtype, tb)
        c0 = rng.standard_normal((m, n)).astype(dtype)
        fast, ref = c0.copy(), c0.copy()
        _core.gemm(a, b, fast, alpha=0.75, beta=-0.5)
        _core.gemm(a, b, ref, alpha=0.75, beta=-0.5, reference=True)
        assert_close(fast, ref.astype(np.float64), a, b, c0, 0.75, -0.5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n,k", [(64, 512, 784), (257, 130, 300), (700, 300, 600), (300, 10, 512), (10, 784, 256),
                                   (300, 2500, 50)])
def test_one_and_two_threads_are_bit_identical(m, n, k, dtype):
    rng = np.random.default_rng(2)
    before = _core.get_num_threads()
    results = []
    try:
        for ta, tb in TRANS:
            a, b = operand(rng, m, k, dtype, ta), operand(rng, k, n, dtype, tb)
            bias = rng.standard_normal(n).astype(dtype)
            outs = []
            for threads in (1, 2, 3):
                _core.set_num_threads(threads)
                c = np.empty((m, n), dtype)
                _core.gemm(a, b, c, bias=bias, act=2)
                outs.append(c)
            results.append(outs)
    finally:
        _core.set_num_threads(before)
    for outs in results:
        assert np.array_equal(outs[0], outs[1]) and np.array_equal(outs[0], outs[2])


@settings(max_examples=80, deadline=None)
@given(m=st.integers(0, 40), n=st.integers(0, 40), k=st.integers(0, 300), ta=st.booleans(), tb=st.booleans(),
       dtype=st.sampled_from(DTYPES), beta=st.sampled_from([0.0, 1.0, -0.5]), pad=st.integers(0, 3), seed=st.integers(0, 2**16))
def test_hypothesis_shapes(m, n, k, ta, tb, dtype, beta, pad, seed):
    rng = np.random.default_rng(seed)
    a, b = operand(rng, m, k, dtype, ta, pad=pad), operand(rng, k, n, dtype, tb, pad=pad)
    c0 = rng.standard_normal((m, n)).astype(dtype)
    c = c0.copy() if beta else np.full((m, n), np.nan, dtype)
    _core.gemm(a, b, c, beta=beta)
    assert_close(c, reference(a, b, c0, 1.0, beta), a, b, c0, 1.0, beta)


# Each instruction-set path in its own process (RETROPROP_ISA is read once per process).
ISA_SCRIPT = textwrap.dedent("""
    import itertools, numpy as np
    from retroprop import _core
    assert _core.isa() == {isa!r}, _core.isa()
    rng = np.random.default_rng(0)
    worst = 0.0
    for dtype in (np.float32, np.float64):
        eps = np.finfo(dtype).eps
        for (m, n, k), (ta, tb), act in itertools.product(
                [(1, 1, 1), (7, 13, 5), (33, 10, 512), (64, 200, 300), (300, 70, 260), (11, 784, 40)],
                itertools.product([0, 1], repeat=2), [0, 1, 2, 5]):
            A = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
            B = rng.standard_normal((n, k) if tb else (k, n)).astype(dtype)
            a, b = (A.T if ta else A), (B.T if tb else B)
            bias = rng.standard_normal(n).astype(dtype)
            c0 = rng.standard_normal((m, n)).astype(dtype)
            fast, ref = c0.copy(), c0.copy()
            _core.gemm(a, b, fast, 0.5, 1.5, bias, act, 0.1)
            _core.gemm(a, b, ref, 0.5, 1.5, bias, act, 0.1, reference=True)
            scale = 0.5 * np.abs(a) @ np.abs(b) + 1.5 * np.abs(c0) + np.abs(bias) + 1
            worst = max(worst, float(np.max(np.abs(fast - ref) / (8 * np.sqrt(k + 1) * eps * scale))))
    print(worst)
""")


@pytest.mark.parametrize("isa", ["baseline", "avx2", "avx512"])
def test_every_isa_path_matches_reference(isa):
    if isa not in _core.build_info()["isa_supported"]:
        pytest.skip(f"{isa} not supported by this CPU/build")
    env = dict(os.environ, RETROPROP_ISA=isa)
    out = subprocess.run([sys.executable, "-c", ISA_SCRIPT.format(isa=isa)], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) <= 1.0, f"{isa}: error {out.stdout} x tolerance"


def test_fma_peak_probe_is_positive_and_checks_threads():
    assert _core._fma_peak_gflops(1) > 0
    with pytest.raises(ValueError, match="fma_peak_gflops"):
        _core._fma_peak_gflops(0)


FEWER_THREADS_SCRIPT = textwrap.dedent("""
    import numpy as np
    from retroprop import _core
    rng = np.random.default_rng(5)
    a = rng.standard_normal((700, 600)).astype(np.float32)
    b = rng.standard_normal((600, 300)).astype(np.float32)
    _core.set_num_threads(3)  # asks for 3; OMP_THREAD_LIMIT=1 grants 1
    fast = np.empty((700, 300), np.float32)
    _core.gemm(a, b, fast)
    ref = np.empty_like(fast)
    _core.gemm(a, b, ref, reference=True)
    err = np.abs(fast.astype(np.float64) - a.astype(np.float64) @ b.astype(np.float64)).max()
    print(err)
""")


def test_a_team_smaller_than_asked_still_computes_every_unit():
    # The driver splits the units into one range per requested thread; a thread that finds its
    # range empty takes the others'. With OpenMP granting a single thread for three ranges, a
    # unit left behind would leave garbage (np.empty) in C. Tolerance: float32 sums of 600
    # products of N(0, 1) values, ~sqrt(600) * 2^-24 * |terms| each; 1e-3 is ~50x that.
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = subprocess.run([sys.executable, "-c", FEWER_THREADS_SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip()) < 1e-3


def test_k_blocks_of_a_unit_are_added_in_order_without_a_team_barrier():
    # Threads meet at no barrier between K blocks: a unit waits for its own previous K block
    # only. Should a thread add K block p + 1 to a tile while another still adds K block p,
    # the read-modify-write of C races and the bits (or the sums) change. A busy Python thread
    # competes for the cores, so one GEMM thread gets preempted mid-unit and the other runs a
    # K block ahead: the case most likely to expose it (3 row blocks x 5 K blocks). Three
    # threads on a 2-core machine take the barrier path instead, checked the same way. Exact
    # comparison: the arithmetic per tile is fixed by the shape.
    import threading

    rng = np.random.default_rng(8)
    a = rng.standard_normal((520, 2100)).astype(np.float32)  # K blocks of at most 512 (AVX2): 5
    b = rng.standard_normal((2100, 200)).astype(np.float32)
    before = _core.get_num_threads()
    stop = threading.Event()

    def busy():
        x = 0
        while not stop.is_set():
            x += 1

    competitor = threading.Thread(target=busy)
    try:
        _core.set_num_threads(1)
        expected = np.empty((520, 200), np.float32)
        _core.gemm(a, b, expected)
        competitor.start()
        for threads in (2, 3):
            _core.set_num_threads(threads)
            for _ in range(40):
                c = np.empty_like(expected)
                _core.gemm(a, b, c)
                assert np.array_equal(c, expected)
    finally:
        stop.set()
        if competitor.is_alive():
            competitor.join()
        _core.set_num_threads(before)


def test_concurrent_calls_from_python_threads_match_a_lone_call():
    # Each call has its own work counters and each OS thread its own packing buffers: calls
    # made at once from several Python threads (the GIL is released) must not interfere.
    import threading

    rng = np.random.default_rng(6)
    a = rng.standard_normal((300, 500)).astype(np.float32)
    b = rng.standard_normal((500, 260)).astype(np.float32)
    expected = np.empty((300, 260), np.float32)
    _core.gemm(a, b, expected)
    outs = [np.empty_like(expected) for _ in range(4)]

    def run(c):
        for _ in range(5):
            _core.gemm(a, b, c)

    threads = [threading.Thread(target=run, args=(c,)) for c in outs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in outs:
        assert np.array_equal(c, expected)
