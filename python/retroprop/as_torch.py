"""python -m retroprop.as_torch script.py [args...]: run an unedited PyTorch program on retroprop.

`torch` and every `torch.*` module the program imports resolve to retroprop's own modules
(retroprop.install_as_torch); the script runs as __main__ with sys.argv = [script, args...],
as `python script.py args...` would run it, and its exit status is the process's.
"""
import os
import runpy
import sys

from ._torch_compat import install_as_torch

USAGE = """usage: python -m retroprop.as_torch script.py [args ...]
       python -m retroprop.as_torch -m module [args ...]

Run a PyTorch program with `torch` (and every torch.* submodule) resolved to retroprop.
A torch name retroprop does not implement fails where it is used, saying so."""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if not argv or argv == ["-m"]:
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] == "-m":
        install_as_torch()
        sys.argv = argv[1:]  # runpy puts the module's file in sys.argv[0]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"python -m retroprop.as_torch: can't open file {script!r}: no such file or directory", file=sys.stderr)
        return 2
    install_as_torch()
    sys.argv = argv
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python script.py` sets it
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
