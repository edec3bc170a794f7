"""bench/numpy_baseline.py, the NumPy baseline as a script of its own: it trains (the accuracy
after 3 epochs on the digits is well above chance: 10 %; the demo's full 30 reach >= 95 %) and
its process never imports retroprop, whose kernels would otherwise be in the baseline's timing."""
import os
import re
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "numpy_baseline.py")


def test_numpy_baseline_script_trains_with_numpy_alone():
    out = subprocess.run([sys.executable, "-X", "importtime", SCRIPT, "--epochs", "3"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    acc = re.search(r"test accuracy ([\d.]+)%", out.stdout)
    assert acc and float(acc.group(1)) > 80.0, out.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")]
    assert "numpy" in imported
    assert not [m for m in imported if m.split(".")[0] == "retroprop"]
