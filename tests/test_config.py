"""retroprop.config(), threads and instruction-set selection."""
import os
import subprocess
import sys

import pytest

import retroprop


def test_config_reports_isa_threads_compiler_openmp():
    cfg = retroprop.config()
    assert cfg["isa"] in cfg["isa_supported"]
    assert "baseline" in cfg["isa_compiled"]
    assert cfg["num_threads"] == retroprop.get_num_threads() >= 1
    assert isinstance(cfg["compiler"], str) and cfg["compiler"]
    assert isinstance(cfg["openmp"], bool)


def test_set_num_threads_round_trip_and_rejects_nonpositive():
    before = retroprop.get_num_threads()
    try:
        retroprop.set_num_threads(1)
        assert retroprop.get_num_threads() == 1
        for bad in (0, -3):
            with pytest.raises(ValueError, match="set_num_threads"):
                retroprop.set_num_threads(bad)
        with pytest.raises(TypeError):
            retroprop.set_num_threads(1.5)
    finally:
        retroprop.set_num_threads(before)


def _isa_in_subprocess(value):
    env = dict(os.environ, RETROPROP_ISA=value)
    out = subprocess.run([sys.executable, "-c", "import retroprop; print(retroprop.config()['isa'])"],
                         env=env, capture_output=True, text=True)
    return out


@pytest.mark.parametrize("isa", ["baseline", "avx2", "avx512"])
def test_env_forces_a_supported_path(isa):
    if isa not in retroprop.config()["isa_supported"]:
        pytest.skip(f"{isa} not supported on this CPU/build")
    out = _isa_in_subprocess(isa)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == isa


def test_env_unknown_isa_is_a_clear_error():
    out = _isa_in_subprocess("sse9")
    assert out.returncode != 0
    assert "RETROPROP_ISA" in out.stderr and "sse9" in out.stderr
