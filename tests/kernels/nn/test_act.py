"""The vectorized activation kernels (csrc/kernels/nn/act_rules.h, act_vec.h) on every
instruction-set path, against a 50-digit mpmath evaluation and the scalar reference.

Tolerance (test_every_isa_matches_high_precision_truth_...), per element:
    |fast - f(x)| <= 4 * (eps |f(x)| + max_{s=+-1} |f(x + s eps |x|) - f(x)| + sub (1 + |x| (1 + x^2)))
i.e. 4 ulps of the result, plus what a one-ulp change of the input does to f (the functions are
computed from x in working precision, e.g. gelu_tanh's u = c (x + 0.044715 x^3); near a zero of
gelu' or silu' that term also covers the sum's cancellation), plus the subnormal spacing `sub` times
the factor that multiplies an intermediate that is already subnormal (x sigma(.) and gelu_tanh'
2 x u' sigma sigma' in the far left tail). Measured worst case over this grid: 2.1 of these units
(silu' in float32 on the baseline path). The scalar reference itself misses this in the tails
(0.5 x (1 + erf z) cancels for x < -6), so the high-precision value is the oracle here; the
reference is compared on special values (exactly) and in tests/nn/test_functional_kernels.py.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from retroprop import _core
from retroprop.ops.activation import ACT

TRANSCENDENTAL = ["gelu", "gelu_tanh", "silu", "tanh", "sigmoid"]
DTYPES = [np.float32, np.float64]
K = 4.0


def grid(dtype):
    rng = np.random.default_rng(0)
    big = float(np.finfo(np.float32).max)  # float64's max overflows inside mpmath's erfc
    g = np.concatenate([np.linspace(-12, 12, 481), rng.standard_normal(200) * 3, np.geomspace(1e-30, 200, 120),
                        -np.geomspace(1e-30, 200, 120), [-1e30, 1e30, -big, big, -800.0, 800.0, -110.0, -60.0, 60.0]])
    return g.astype(dtype)


SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan]


def truth(act, x, derivative, eps):
    """f(x) or f'(x) at 50 digits, and the tolerance scale of the module docstring."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50
    c, k = mp.sqrt(2 / mp.pi), mp.mpf("0.044715")

    def sig(t):
        return 1 / (1 + mp.exp(-t))

    def dsig(t):  # sigma(t) sigma(-t) without cancellation
        e = mp.exp(-abs(t))
        return e / (1 + e) ** 2

    def f(v):
        if act == "gelu":
            return v * mp.ncdf(v) if not derivative else mp.ncdf(v) + v * mp.npdf(v)
        if act == "gelu_tanh":
            u = c * (v + k * v**3)
            return v * sig(2 * u) if not derivative else sig(2 * u) + 2 * v * dsig(2 * u) * c * (1 + 3 * k * v * v)
        if act == "silu":
            return v * sig(v) if not derivative else sig(v) + v * dsig(v)
        if act == "tanh":
            return mp.tanh(v) if not derivative else 1 / mp.cosh(v) ** 2
        return sig(v) if not derivative else dsig(v)

    vals, scale = [], []
    for v in x.astype(float):
        m = mp.mpf(v)
        y, h = f(m), abs(m) * eps
        vals.append(float(y))
        scale.append(float(eps * abs(y) + max(abs(f(m + h) - y), abs(f(m - h) - y))))
    return np.array(vals), np.array(scale)


# Runs under RETROPROP_ISA=<isa> (read once per process) and saves the fast kernels' outputs.
ISA_SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    from retroprop import _core
    assert _core.isa() == sys.argv[1], _core.isa()
    out = {}
    for name in ("float32", "float64"):
        x = np.load(sys.argv[2] + "_" + name + ".npy")
        for act in (3, 4, 5, 6, 7):
            y, d = np.empty_like(x), np.empty_like(x)
            _core.act_forward(x, y, act)
            _core.act_backward(np.ones_like(x), x, d, act, 0.0, False)
            out[f"{name}_{act}_0"], out[f"{name}_{act}_1"] = y, d
    np.savez(sys.argv[2] + "_out.npz", **out)
""")


def run_isa(isa, tmp_path):
    if isa not in _core.build_info()["isa_supported"]:
        pytest.skip(f"{isa} not supported by this CPU/build")
    stem = str(tmp_path / "x")
    for dtype in DTYPES:
        np.save(f"{stem}_{np.dtype(dtype).name}.npy", np.concatenate([grid(dtype), np.array(SPECIAL, dtype)]))
    env = dict(os.environ, RETROPROP_ISA=isa)
    out = subprocess.run([sys.executable, "-c", ISA_SCRIPT, isa, stem], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return np.load(stem + "_out.npz")


@pytest.fixture(scope="module")
def truths():
    cache = {}

    def get(act, dtype, derivative):
        key = (act, np.dtype(dtype).name, derivative)
        if key not in cache:
            cache[key] = truth(act, grid(dtype), derivative, float(np.finfo(dtype).eps))
        return cache[key]

    return get


@pytest.mark.parametrize("isa", ["baseline", "avx2", "avx512"])
def test_every_isa_matches_high_precision_truth_and_reference_special_values(isa, tmp_path, truths):
    outs = run_isa(isa, tmp_path)
    for dtype in DTYPES:
        name, n = np.dtype(dtype).name, grid(dtype).size
        x = grid(dtype).astype(float)
        sub = float(np.finfo(dtype).smallest_subnormal)
        special = np.array(SPECIAL, dtype)
        for act in TRANSCENDENTAL:
            for derivative in (0, 1):
                got = outs[f"{name}_{ACT[act]}_{derivative}"]
                want, scale = truths(act, dtype, derivative)
                err = np.abs(got[:n] - want) / (scale + sub * (1 + np.abs(x) * (1 + x * x)))
                worst = int(np.argmax(err))
                assert err[worst] <= K, f"{isa} {name} {act} d={derivative}: x={x[worst]!r} got {got[worst]!r} want {want[worst]!r}"
                ref = np.empty_like(special)
                if derivative:
                    _core.act_backward(np.ones_like(special), special, ref, ACT[act], 0.0, False, reference=True)
                else:
                    _core.act_forward(special, ref, ACT[act], reference=True)
                np.testing.assert_array_equal(got[n:], ref, err_msg=f"{isa} {name} {act} d={derivative} at {SPECIAL}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("act", list(ACT))
def test_each_element_independent_of_position_length_and_threads(dtype, act):
    # A vector's lanes compute independently and the tail goes through a padded vector, so an
    # element's bits do not depend on where it sits, the array's length, or the thread split.
    x = (np.random.default_rng(1).standard_normal(100_003) * 4).astype(dtype)
    g = np.random.default_rng(2).standard_normal(x.size).astype(dtype)
    full, dfull = np.empty_like(x), np.empty_like(x)
    _core.act_forward(x, full, ACT[act], 0.1)
    _core.act_backward(g, x, dfull, ACT[act], 0.1, False)
    for start, n in [(0, 1), (1, 7), (3, 13), (5, 37), (0, 64)]:
        part, dpart = np.empty(n, dtype), np.empty(n, dtype)
        _core.act_forward(x[start:start + n], part, ACT[act], 0.1)
        _core.act_backward(g[start:start + n], x[start:start + n], dpart, ACT[act], 0.1, False)
        np.testing.assert_array_equal(part, full[start:start + n])
        np.testing.assert_array_equal(dpart, dfull[start:start + n])
    threads = _core.get_num_threads()
    try:
        _core.set_num_threads(1)
        one = np.empty_like(x)
        _core.act_forward(x, one, ACT[act], 0.1)
    finally:
        _core.set_num_threads(threads)
    np.testing.assert_array_equal(one, full)


@pytest.mark.parametrize("act", TRANSCENDENTAL)
def test_in_place_forward_and_backward(act):
    x = np.linspace(-9, 9, 1001)
    y, d = np.empty_like(x), np.empty_like(x)
    _core.act_forward(x, y, ACT[act])
    g = np.cos(x)
    _core.act_backward(g, x, d, ACT[act], 0.0, False)
    inplace = x.copy()
    _core.act_forward(inplace, inplace, ACT[act])
    np.testing.assert_array_equal(inplace, y)
    _core.act_backward(g, x, g, ACT[act], 0.0, False)  # dx aliases dy
    np.testing.assert_array_equal(g, d)
