"""retroprop.backends against torch.backends on a CPU-only torch (the oracle): the same
availability answers, the same defaults, settable switches read back with torch's type checks."""
import pytest

import retroprop as rp
from retroprop import _core
from retroprop.backends import _flags

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _restore_switches():
    """The switches are process-wide: every test leaves them as it found them."""
    modules = (rp.backends.cudnn, rp.backends.mkldnn)
    saved = [dict(vars(m)) for m in modules]
    state, matmul = dict(_flags._state), dict(object.__getattribute__(rp.backends.cuda.matmul, "_values"))
    yield
    for m, d in zip(modules, saved):
        for key in [k for k in vars(m) if k not in d]:
            delattr(m, key)
        vars(m).update(d)
    _flags._state.update(state)
    object.__getattribute__(rp.backends.cuda.matmul, "_values").update(matmul)


def test_reachable_after_import_and_as_torch_names():
    assert rp.backends.cudnn.is_available() is False
    import retroprop.backends.cudnn as cudnn
    from retroprop.backends import mps
    assert cudnn is rp.backends.cudnn and mps is rp.backends.mps


CUDNN_FLAGS = ["enabled", "deterministic", "benchmark", "allow_tf32", "benchmark_limit"]


def test_cudnn_defaults_and_availability_as_torch():
    for name in CUDNN_FLAGS:
        assert getattr(rp.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
    assert rp.backends.cudnn.is_available() == torch.backends.cudnn.is_available() is False
    assert rp.backends.cudnn.version() is torch.backends.cudnn.version() is None
    assert rp.backends.cudnn.is_acceptable(rp.ones(1)) == torch.backends.cudnn.is_acceptable(torch.ones(1)) is False


def test_cudnn_set_seed_template():
    """What set_seed helpers do; the values read back."""
    cudnn = rp.backends.cudnn
    cudnn.deterministic = True
    cudnn.benchmark = False
    cudnn.enabled = False
    cudnn.allow_tf32 = False
    cudnn.benchmark_limit = 5
    assert (cudnn.deterministic, cudnn.benchmark, cudnn.enabled, cudnn.allow_tf32, cudnn.benchmark_limit) == \
        (True, False, False, False, 5)
    cudnn.my_own_attribute = 1  # a module: arbitrary attributes too, as torch's
    assert cudnn.my_own_attribute == 1


@pytest.mark.parametrize("name", ["enabled", "deterministic", "benchmark", "allow_tf32"])
@pytest.mark.parametrize("value", [1, None, "yes"])
def test_cudnn_bool_flags_reject_non_bools_as_torch(name, value):
    with pytest.raises(RuntimeError, match="expects a bool, but got"):
        setattr(torch.backends.cudnn, name, value)
    before = getattr(rp.backends.cudnn, name)
    with pytest.raises(RuntimeError, match=f"expects a bool, but got {type(value).__name__}"):
        setattr(rp.backends.cudnn, name, value)
    assert getattr(rp.backends.cudnn, name) == before


def test_cudnn_flags_context_manager():
    cudnn = rp.backends.cudnn
    cudnn.deterministic = True
    with cudnn.flags(enabled=True, benchmark=True, deterministic=False):
        assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic, cudnn.benchmark_limit) == (True, True, False, 10)
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic, cudnn.benchmark_limit) == (True, False, True, None)
    with pytest.raises(RuntimeError, match="expects a bool"):
        with cudnn.flags(enabled=1):
            pass
    assert cudnn.enabled is True  # restored after the failed set as well


def test_mps_as_torch():
    assert rp.backends.mps.is_available() == torch.backends.mps.is_available() is False
    assert rp.backends.mps.is_built() == torch.backends.mps.is_built() is False


MATMUL_FLAGS = ["allow_tf32", "allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction",
                "allow_fp16_reduced_precision_reduction_split_k", "allow_bf16_reduced_precision_reduction_split_k",
                "allow_fp16_accumulation"]


def test_cuda_defaults_as_torch():
    assert rp.backends.cuda.is_built() == torch.backends.cuda.is_built() is False
    for name in MATMUL_FLAGS:
        assert getattr(rp.backends.cuda.matmul, name) == getattr(torch.backends.cuda.matmul, name), name


def test_cuda_matmul_set_read_back_and_errors():
    m = rp.backends.cuda.matmul
    m.allow_fp16_reduced_precision_reduction = False
    m.allow_bf16_reduced_precision_reduction = (False, False)
    m.allow_fp16_accumulation = True
    assert (m.allow_fp16_reduced_precision_reduction, m.allow_bf16_reduced_precision_reduction,
            m.allow_bf16_reduced_precision_reduction_split_k, m.allow_fp16_accumulation) == (False, False, False, True)
    for lib_m in (m, torch.backends.cuda.matmul):  # the same errors as torch (checked before any change)
        with pytest.raises(AttributeError, match="Unknown attribute foo"):
            lib_m.foo
        with pytest.raises(AttributeError, match="Unknown attribute foo"):
            lib_m.foo = 1
        with pytest.raises(TypeError, match="expects a bool or a tuple/list of bools"):
            lib_m.allow_fp16_reduced_precision_reduction = 1
        with pytest.raises(TypeError, match="expects a bool for allow_reduced_precision"):
            lib_m.allow_fp16_reduced_precision_reduction = (1, True)
        with pytest.raises(RuntimeError, match="allow_splitk=False is not supported"):
            lib_m.allow_bf16_reduced_precision_reduction = (True, False)
        with pytest.raises(RuntimeError, match="expects a bool, but got int"):
            lib_m.allow_tf32 = 1


def test_cuda_matmul_allow_tf32_is_the_float32_matmul_precision():
    """As in torch: allow_tf32 reads "not highest"; setting it writes the precision."""
    m = rp.backends.cuda.matmul
    assert rp.get_float32_matmul_precision() == "highest" and m.allow_tf32 is False
    m.allow_tf32 = True
    assert rp.get_float32_matmul_precision() == "high"
    rp.set_float32_matmul_precision("medium")
    assert m.allow_tf32 is True
    m.allow_tf32 = False
    assert rp.get_float32_matmul_precision() == "highest"
    assert rp.backends.cudnn.allow_tf32 is True  # cuDNN's switch is separate, as in torch


def test_openmp_and_mkldnn_are_truthful():
    assert rp.backends.openmp.is_available() is bool(_core.build_info()["openmp"])
    assert rp.backends.mkldnn.is_available() is False  # retroprop's kernels are its own, not oneDNN
    assert rp.backends.mkl.is_available() is False  # nor MKL's
    assert rp.backends.mkldnn.enabled == torch.backends.mkldnn.enabled
    assert rp.backends.mkldnn.deterministic == torch.backends.mkldnn.deterministic
    rp.backends.mkldnn.enabled = False
    assert rp.backends.mkldnn.enabled is False
    with pytest.raises(RuntimeError, match="expects a bool"):
        rp.backends.mkldnn.enabled = 0


def test_cpu_capability_follows_the_active_kernel_path():
    before = _core.isa()
    try:
        names = {"baseline": "DEFAULT", "avx2": "AVX2", "avx512": "AVX512"}
        for isa in _core.build_info()["isa_supported"]:
            _core.set_isa(isa)
            assert rp.backends.cpu.get_cpu_capability() == names[isa]
    finally:
        _core.set_isa(before)
    if before == _core.build_info()["isa_best"]:  # the same CPU as torch's own detection
        assert rp.backends.cpu.get_cpu_capability() == torch.backends.cpu.get_cpu_capability()


def test_torch_spellings_under_as_torch(tmp_path):
    """The imports scripts use resolve to these modules; a switch retroprop lacks is named."""
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "s.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torch.backends.cudnn as cudnn
        import torch.cuda.amp
        from torch.cuda.amp import GradScaler, autocast
        from torch.backends import mps
        import retroprop
        assert cudnn is retroprop.backends.cudnn and torch.cuda.amp is retroprop.cuda.amp
        assert torch.autocast is torch.amp.autocast and not mps.is_available()
        try:
            torch.backends.cudnn.fp32_precision
        except AttributeError as e:
            print(e)
    """))
    r = subprocess.run([sys.executable, "-m", "retroprop.as_torch", str(script)], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "retroprop does not implement torch.backends.cudnn.fp32_precision"
