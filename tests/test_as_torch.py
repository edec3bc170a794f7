"""python -m retroprop.as_torch and retroprop.install_as_torch(): unedited torch scripts on retroprop.

Each case runs in a fresh interpreter (the hook changes sys.modules for the whole process, and
this test process may have the real torch imported).
"""
import json
import subprocess
import sys
import textwrap

import pytest


AS_TORCH = [sys.executable, "-m", "retroprop.as_torch"]


def _run(tmp_path, source, *args, runner=AS_TORCH):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run([*runner, str(script), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)


def _python(tmp_path, source):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(source)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_torch_and_submodules_are_retroprop_module_objects(tmp_path):
    r = _run(tmp_path, """
        import sys
        import torch
        import torch.nn as nn
        import torch.autograd
        import torch.utils.data
        from torch.utils.data import DataLoader, TensorDataset
        from torch.nn import Parameter
        import retroprop
        assert torch is retroprop
        assert nn is retroprop.nn and sys.modules["torch.nn"] is retroprop.nn
        assert torch.autograd is retroprop.autograd
        assert torch.utils.data is retroprop.utils.data
        assert DataLoader is retroprop.utils.data.DataLoader and TensorDataset is retroprop.utils.data.TensorDataset
        assert Parameter is retroprop.nn.Parameter
        if hasattr(retroprop.nn, "Linear"):
            assert torch.nn.Linear is retroprop.nn.Linear
        p = Parameter(torch.tensor([1.0, 2.0]))
        assert isinstance(p, retroprop.Tensor) and isinstance(p, torch.Tensor)
        # the aliased modules keep their own identity for relative imports and resources
        assert retroprop.nn.__spec__.name == "retroprop.nn" and retroprop.nn.__name__ == "retroprop.nn"
        import torch.datasets
        assert torch.datasets.load_digits().data.shape == (1797, 64)
        print("ok")
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_missing_attribute_fails_at_point_of_use_naming_it(tmp_path):
    r = _run(tmp_path, """
        import torch
        import torch.nn as nn
        print("before")
        layer = nn.Conv2d(1, 8, 3)
    """)
    assert r.returncode == 1 and r.stdout.strip() == "before"
    assert "retroprop does not implement torch.nn.Conv2d" in r.stderr
    assert "layer = nn.Conv2d(1, 8, 3)" in r.stderr  # the traceback points at the script's line


def test_missing_names_in_from_imports_and_submodules_say_so(tmp_path):
    r = _run(tmp_path, """
        import torch
        for stmt in ("from torch.nn import Conv2d", "import torch.fft", "from torch.utils.data import Nope"):
            try:
                exec(stmt)
            except ImportError as e:
                print(type(e).__name__, e)
        print(hasattr(torch, "not_a_torch_name"), getattr(torch.nn, "Conv2d", "default"))
        try:
            torch.nn.Conv2d
        except NotImplementedError as e:
            print("NotImplementedError", isinstance(e, AttributeError))
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "ImportError retroprop does not implement torch.nn.Conv2d",
        "ModuleNotFoundError retroprop does not implement torch.fft",
        "ImportError retroprop does not implement torch.utils.data.Nope",
        "False default",
        "NotImplementedError True",
    ]


def test_argv_name_main_file_and_script_directory_on_path(tmp_path):
    (tmp_path / "helper_mod.py").write_text("VALUE = 41\n")
    r = _run(tmp_path, """
        import json, sys
        import helper_mod
        if __name__ == "__main__":
            print(json.dumps({"argv": sys.argv, "file": __file__, "v": helper_mod.VALUE + 1}))
    """, "--epochs", "3", "two words")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["argv"] == [str(tmp_path / "script.py"), "--epochs", "3", "two words"]
    assert out["file"] == str(tmp_path / "script.py") and out["v"] == 42


@pytest.mark.parametrize("body, code", [("import sys; sys.exit(3)", 3), ("raise ValueError('boom')", 1), ("pass", 0)])
def test_exit_codes_are_the_scripts(tmp_path, body, code):
    r = _run(tmp_path, body)
    assert r.returncode == code
    if code == 1:
        assert "ValueError: boom" in r.stderr


def test_usage_and_missing_script(tmp_path):
    r = subprocess.run([sys.executable, "-m", "retroprop.as_torch"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "usage:" in r.stderr
    r = subprocess.run([sys.executable, "-m", "retroprop.as_torch", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "usage:" in r.stdout
    r = subprocess.run([sys.executable, "-m", "retroprop.as_torch", str(tmp_path / "nope.py")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "can't open file" in r.stderr


def test_dash_m_runs_a_module(tmp_path):
    (tmp_path / "prog.py").write_text("import sys, torch, retroprop\nprint(torch is retroprop, sys.argv[1:])\n")
    r = subprocess.run([sys.executable, "-m", "retroprop.as_torch", "-m", "prog", "x"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True ['x']"


def test_install_as_torch_from_python_and_idempotent(tmp_path):
    r = _python(tmp_path, """
        import retroprop
        retroprop.install_as_torch()
        retroprop.install_as_torch()
        import torch, torch.utils.data
        assert torch is retroprop and torch.utils.data.TensorDataset is retroprop.utils.data.TensorDataset
        print("ok")
    """)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_install_as_torch_refuses_when_real_torch_is_imported(tmp_path):
    pytest.importorskip("torch")
    r = _python(tmp_path, """
        import torch
        import retroprop
        try:
            retroprop.install_as_torch()
        except RuntimeError as e:
            print(e)
    """)
    assert r.returncode == 0, r.stderr
    assert "real torch is already imported" in r.stdout


@pytest.mark.parametrize("runner", ["retroprop", "torch"])
def test_a_data_and_checkpoint_script_runs_unchanged(tmp_path, runner):
    if runner == "torch":
        pytest.importorskip("torch")
    r = _run(tmp_path, """
        import numpy as np
        import torch
        from torch.utils.data import DataLoader, TensorDataset, random_split
        x = torch.from_numpy(np.random.rand(100, 4).astype(np.float32))
        y = torch.from_numpy(np.arange(100) % 3)
        train, test = random_split(TensorDataset(x, y), [0.8, 0.2])
        loader = DataLoader(train, batch_size=16, shuffle=True)
        seen = sum(xb.shape[0] for xb, _ in loader)
        state = {"w": x, "epoch": 3}
        torch.save(state, "ckpt.pt")
        back = torch.load("ckpt.pt")
        assert np.array_equal(back["w"].numpy(), x.numpy()) and back["epoch"] == 3
        print(len(loader), seen, len(test))
    """, runner=AS_TORCH if runner == "retroprop" else [sys.executable])
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["5", "80", "20"]
