"""torch.backends.openmp: whether retroprop's C++ core was built with OpenMP (its kernel threads)."""
from .. import _core


def is_available():
    return bool(_core.build_info()["openmp"])
