"""torch.backends.cudnn: cuDNN is never available to retroprop (it runs on the CPU only).

The switches scripts set (`deterministic`, `benchmark`, ...) keep torch's defaults and hold what
is set, with torch's type check; they affect nothing, as they affect nothing in a CPU-only torch.
"""
import contextlib
import types

from ._flags import BoolFlag, make_flag_module


def is_available():
    return False


def version():
    """The cuDNN version: None, since there is no cuDNN (as in a CPU-only torch)."""
    return None


def is_acceptable(tensor):
    """Whether cuDNN would take `tensor`: never (no tensor is on a CUDA device)."""
    return False


class _CudnnModule(types.ModuleType):
    enabled = BoolFlag(True, "set_enabled_cudnn")
    benchmark = BoolFlag(False, "set_benchmark_cudnn")
    deterministic = BoolFlag(False, "set_deterministic_cudnn")
    allow_tf32 = BoolFlag(True, "set_allow_tf32_cudnn")

    benchmark_limit = None  # what a torch without CUDA has: a plain attribute, anything may be set


_NAMES = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the switches for the body of a `with` and restore them after (torch's defaults)."""
    import sys

    module = sys.modules[__name__]
    before = {name: getattr(module, name) for name in _NAMES}
    new = dict(zip(_NAMES, (enabled, benchmark, benchmark_limit, deterministic, allow_tf32)))
    try:
        for name, value in new.items():
            setattr(module, name, value)
        yield
    finally:
        for name, value in before.items():
            setattr(module, name, value)


make_flag_module(__name__, _CudnnModule)
