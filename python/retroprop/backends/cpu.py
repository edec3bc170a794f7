"""torch.backends.cpu: the instruction set retroprop's kernels run with."""
from .. import _core

_CAPABILITY = {"baseline": "DEFAULT", "avx2": "AVX2", "avx512": "AVX512"}


def get_cpu_capability():
    """The active kernel path under torch's names: "DEFAULT", "AVX2" or "AVX512"
    (`RETROPROP_ISA` or `_core.set_isa` can lower it)."""
    return _CAPABILITY[_core.isa()]
