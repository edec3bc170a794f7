"""Runtime configuration: instruction set, threads, build facts."""
import os
import warnings

from . import _core

if _core.isa_warning():
    warnings.warn(_core.isa_warning(), RuntimeWarning, stacklevel=2)


def set_num_threads(n):
    """Set the number of OpenMP threads used by retroprop's kernels (as torch.set_num_threads)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads: expected an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"set_num_threads: expected a positive number of threads, got {n}")
    _core.set_num_threads(n)


def get_num_threads():
    """The number of OpenMP threads retroprop's kernels use."""
    return _core.get_num_threads()


def config():
    """A dict describing this build and process: instruction set, threads, compiler, OpenMP."""
    info = dict(_core.build_info())
    info["num_threads"] = get_num_threads()
    info["isa_env"] = os.environ.get("RETROPROP_ISA")
    return info
