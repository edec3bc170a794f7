"""A typical PyTorch MLP training script (programs/mlp_training.py) runs unchanged with
retroprop in torch's place and reaches the same accuracy on the bundled digits."""
import os
import subprocess
import sys

import numpy as np
import pytest

from retroprop.datasets import load_digits

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "mlp_training.py")


@pytest.fixture(scope="module")
def digits_file(tmp_path_factory):
    d = load_digits()
    order = np.random.default_rng(0).permutation(len(d.target))
    path = tmp_path_factory.mktemp("digits") / "digits.npz"
    np.savez(path, x=(np.asarray(d.data, np.float32) / 16.0)[order], y=np.asarray(d.target, np.int64)[order])
    return str(path)


def _run(prefix, digits_file, tmp_path):
    ckpt = str(tmp_path / f"model-{len(list(tmp_path.iterdir()))}.ckpt")  # one file per run
    out = subprocess.run(prefix + [SCRIPT, digits_file, ckpt], capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert out.returncode == 0, out.stderr[-4000:]
    values = dict(line.split(": ", 1) for line in out.stdout.splitlines() if ": " in line)
    return float(values["accuracy"]), float(values["restored_accuracy"])


def test_training_script_under_retroprop(digits_file, tmp_path):
    acc, restored = _run([sys.executable, "-m", "retroprop.as_torch"], digits_file, tmp_path)
    assert acc >= 0.95
    assert restored == acc  # the checkpoint restores the model exactly


def test_training_script_matches_torch(digits_file, tmp_path):
    pytest.importorskip("torch")
    rp_acc, _ = _run([sys.executable, "-m", "retroprop.as_torch"], digits_file, tmp_path)
    th_acc, _ = _run([sys.executable], digits_file, tmp_path)
    # Different random streams: the two runs differ by a handful of the 360 test images.
    assert abs(rp_acc - th_acc) <= 0.03
