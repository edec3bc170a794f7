"""retroprop.cpu against torch.cpu (the oracle): the device queries scripts make."""
import pytest

import retroprop as rp

torch = pytest.importorskip("torch")


def test_device_queries_as_torch():
    assert rp.cpu.is_available() == torch.cpu.is_available() is True
    assert rp.cpu.device_count() == torch.cpu.device_count() == 1
    assert rp.cpu.current_device() == torch.cpu.current_device() == "cpu"
    assert rp.cpu.synchronize() is None and torch.cpu.synchronize() is None


def test_amp_submodule_importable():
    import retroprop.cpu.amp as cpu_amp
    import retroprop.cuda.amp as cuda_amp
    assert cpu_amp is rp.cpu.amp and cuda_amp is rp.cuda.amp
    assert {"GradScaler", "autocast"} <= set(cpu_amp.__all__) and {"GradScaler", "autocast"} <= set(cuda_amp.__all__)
