"""retroprop.amp.autocast against torch.autocast (the oracle): disabled it does nothing; where
torch turns itself off (cuda without CUDA, an unsupported CPU dtype) it warns and does the same;
where torch would compute in bfloat16/float16 retroprop, lacking those kernels, says so."""
import warnings

import numpy as np
import pytest

import retroprop as rp
from retroprop.amp import autocast

torch = pytest.importorskip("torch")


def test_same_object_under_all_names():
    assert rp.autocast is rp.amp.autocast is autocast
    assert issubclass(rp.cpu.amp.autocast, autocast) and issubclass(rp.cuda.amp.autocast, autocast)
    assert rp.is_autocast_enabled is rp.amp.autocast_mode.is_autocast_enabled


@pytest.mark.parametrize("lib_name", ["retroprop", "torch"])
def test_disabled_context_and_decorator_do_nothing(lib_name):
    lib = rp if lib_name == "retroprop" else torch
    x = lib.ones(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # disabled: no warning either
        with lib.autocast(device_type="cpu", enabled=False) as ctx:
            y = x @ x.T
            assert not lib.is_autocast_enabled("cpu") and not lib.is_autocast_enabled()
        assert isinstance(ctx, lib.autocast)
        assert y.dtype == lib.float32

        @lib.autocast("cpu", enabled=False)
        def f(a, b=1):
            """doc"""
            return a * b, lib.is_autocast_enabled("cpu")

        out, active = f(x, b=3)
        assert f.__name__ == "f" and f.__doc__ == "doc"  # functools.wraps, as torch
        assert not active and out.dtype == lib.float32 and float(out.sum()) == 18.0
        with lib.autocast("cuda", enabled=False):
            pass


def test_exceptions_propagate_through_the_context():
    with pytest.raises(KeyError):
        with autocast("cpu", enabled=False):
            raise KeyError("k")


def test_enabled_cpu_lower_precision_is_not_supported():
    """torch would run matmuls in bfloat16 (its CPU default) or float16: retroprop has no such kernels."""
    with torch.autocast("cpu"):
        assert torch.is_autocast_enabled("cpu")  # torch really enables it
    msg = r"autocast\(device_type='cpu', dtype=torch.bfloat16\): retroprop has no bfloat16 or float16 kernels"
    with pytest.raises(NotImplementedError, match=msg):
        autocast("cpu")
    with pytest.raises(NotImplementedError, match="dtype=torch.float16"):
        autocast("cpu", dtype=rp.float16)
    with pytest.raises(NotImplementedError, match="bfloat16"):
        autocast(device_type="cpu", enabled=True)
    assert isinstance(NotImplementedError(), RuntimeError)  # so `except RuntimeError` still catches it


def test_bfloat16_named_in_a_disabled_region():
    """The template line `autocast(device_type, dtype=torch.bfloat16, enabled=use_amp)` runs with
    use_amp False; enabled, it says what retroprop lacks."""
    with autocast("cpu", dtype=rp.bfloat16, enabled=False):
        assert not rp.is_autocast_enabled()
    with pytest.raises(NotImplementedError, match=r"dtype=torch.bfloat16\): retroprop has no bfloat16"):
        autocast("cpu", dtype=rp.bfloat16)


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_enabled_cpu_other_dtype_warns_and_disables_as_torch(dtype_name):
    msg = "In CPU autocast, but the target dtype is not supported. Disabling autocast."
    with pytest.warns(UserWarning, match=msg):
        t = torch.autocast("cpu", dtype=getattr(torch, dtype_name))
    with pytest.warns(UserWarning, match=msg):
        a = autocast("cpu", dtype=getattr(rp, dtype_name))
    with t, a:
        assert not torch.is_autocast_enabled("cpu") and not rp.is_autocast_enabled("cpu")


def test_cuda_without_cuda_warns_and_disables_as_torch():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        torch.autocast("cuda")
    with pytest.warns(UserWarning, match="CUDA is not available"):
        ctx = autocast("cuda")
    with ctx:
        assert not rp.is_autocast_enabled("cuda") and not rp.is_autocast_enabled()
    with pytest.warns(FutureWarning, match=r"torch.cuda.amp.autocast\(args...\)` is deprecated"):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            rp.cuda.amp.autocast()


def test_deprecated_cpu_alias():
    with pytest.warns(FutureWarning, match=r"torch.cpu.amp.autocast\(args...\)` is deprecated"):
        with rp.cpu.amp.autocast(enabled=False):
            pass
    with pytest.warns(FutureWarning), pytest.raises(NotImplementedError, match="bfloat16"):
        rp.cpu.amp.autocast()  # torch.cpu.amp.autocast defaults to bfloat16


@pytest.mark.parametrize("lib_name", ["retroprop", "torch"])
def test_bad_arguments_as_torch(lib_name):
    lib = rp if lib_name == "retroprop" else torch
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        lib.autocast(None)
    with pytest.raises(TypeError):
        lib.autocast()
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        lib.autocast("foo")
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        lib.is_autocast_enabled("foo")
    with pytest.raises(TypeError, match="must be bool, not int"):
        with lib.autocast("cpu", enabled=0):
            pass


def test_other_device_types_rejected():
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'mps': retroprop runs on the CPU only"):
        autocast("mps")


def test_is_autocast_available_as_torch():
    for d in ("cpu", "cuda"):
        assert rp.amp.is_autocast_available(d) == torch.amp.is_autocast_available(d) is True
    assert not rp.amp.is_autocast_available("mps")


def test_custom_fwd_bwd_run_the_function_as_written():
    """torch.amp.custom_fwd/custom_bwd only cast inside an active autocast region: never in retroprop."""

    class Square(rp.autograd.Function):
        @staticmethod
        @rp.amp.custom_fwd(device_type="cpu", cast_inputs=rp.float32)
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @rp.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = rp.tensor([1.0, 3.0], dtype=rp.float64, requires_grad=True)
    y = Square.apply(x)
    y.sum().backward()
    assert y.dtype == rp.float64  # not cast: autocast is not active
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 6.0])
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        rp.amp.custom_fwd(lambda: None, device_type=None)
