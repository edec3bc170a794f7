"""retroprop's process-wide switches (deterministic algorithms, float32 matmul precision) against
torch's (the oracle): the same defaults, read-back, validation and warnings."""
import warnings

import numpy as np
import pytest

import retroprop as rp
from retroprop.backends import _flags

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _restore():
    ours = dict(_flags._state)
    theirs = (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),
              torch.get_float32_matmul_precision())
    yield
    _flags._state.update(ours)
    torch.use_deterministic_algorithms(theirs[0], warn_only=theirs[1])
    torch.set_float32_matmul_precision(theirs[2])


def _det(lib):
    return (lib.are_deterministic_algorithms_enabled(), lib.is_deterministic_algorithms_warn_only_enabled(),
            lib.get_deterministic_debug_mode())


def test_deterministic_algorithms_as_torch():
    assert _det(rp) == _det(torch) == (False, False, 0)
    for args, kw in [((True,), {}), ((True,), {"warn_only": True}), ((False,), {"warn_only": True}),
                     ((False,), {})]:
        torch.use_deterministic_algorithms(*args, **kw)
        rp.use_deterministic_algorithms(*args, **kw)
        assert _det(rp) == _det(torch), (args, kw)
    for mode in ["error", 1, "default", 2, "warn", 0]:
        torch.set_deterministic_debug_mode(mode)
        rp.set_deterministic_debug_mode(mode)
        assert _det(rp) == _det(torch), mode


@pytest.mark.parametrize("lib_name", ["retroprop", "torch"])
def test_deterministic_bad_arguments_as_torch(lib_name):
    lib = rp if lib_name == "retroprop" else torch
    for bad in ["x", None, 1]:
        with pytest.raises(TypeError, match="argument 'mode' \\(position 1\\) must be bool"):
            lib.use_deterministic_algorithms(bad)
    with pytest.raises(TypeError, match="argument 'warn_only' must be bool, not int"):
        lib.use_deterministic_algorithms(True, warn_only=1)
    with pytest.raises(TypeError, match="positional argument"):
        lib.use_deterministic_algorithms(True, True)  # warn_only is keyword-only
    with pytest.raises(RuntimeError, match="expected one of `default`, `warn`, `error`, but got x"):
        lib.set_deterministic_debug_mode("x")
    with pytest.raises(RuntimeError, match="expected 0, 1, or 2, but got 3"):
        lib.set_deterministic_debug_mode(3)
    with pytest.raises(TypeError, match="debug_mode must be str or int"):
        lib.set_deterministic_debug_mode(1.0)
    assert _det(lib) == (False, False, 0)


def test_float32_matmul_precision_as_torch():
    assert rp.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    for p in ["high", "medium", "highest"]:
        rp.set_float32_matmul_precision(p)
        torch.set_float32_matmul_precision(p)
        assert rp.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == p


def test_float32_matmul_precision_validation_as_torch():
    """torch warns on an unknown string (case matters) and keeps the setting; a non-string raises."""
    rp.set_float32_matmul_precision("high")
    torch.set_float32_matmul_precision("high")
    for bad in ["HIGH", "low"]:
        with pytest.warns(UserWarning, match=f"{bad} is not one of 'highest', 'high', or 'medium'"):
            torch.set_float32_matmul_precision(bad)
        with pytest.warns(UserWarning, match=f"{bad} is not one of 'highest', 'high', or 'medium'"):
            rp.set_float32_matmul_precision(bad)
        assert rp.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "high"
    with pytest.raises(RuntimeError, match="set_float32_matmul_precision expects a str, but got int"):
        torch.set_float32_matmul_precision(1)
    with pytest.raises(RuntimeError, match="set_float32_matmul_precision expects a str, but got int"):
        rp.set_float32_matmul_precision(1)


def test_switches_do_not_change_results():
    """The precision and determinism switches are recorded only: float32 products stay full float32."""
    rng = np.random.default_rng(0)
    a = rp.from_numpy(rng.standard_normal((33, 65)).astype(np.float32))
    b = rp.from_numpy(rng.standard_normal((65, 17)).astype(np.float32))
    reference = (a @ b).numpy().copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rp.set_float32_matmul_precision("medium")
        rp.use_deterministic_algorithms(True)
    np.testing.assert_array_equal((a @ b).numpy(), reference)


def test_kernels_are_deterministic_across_thread_counts(per_thread_count):
    """The docstring's claim: the same bits run after run and for any thread count (a Linear
    layer's forward and backward, through the GEMM kernels)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((96, 200)).astype(np.float32)
    layer = rp.nn.Linear(200, 130)

    def run():
        layer.zero_grad()
        inp = rp.from_numpy(x.copy()).requires_grad_()
        out = layer(inp)
        (out * out).sum().backward()
        return out.detach().numpy().copy(), inp.grad.numpy().copy(), layer.weight.grad.numpy().copy()

    runs = per_thread_count(run) + per_thread_count(run)
    for other in runs[1:]:
        for got, want in zip(other, runs[0]):
            np.testing.assert_array_equal(got, want)
