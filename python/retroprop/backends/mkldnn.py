"""torch.backends.mkldnn: oneDNN (MKL-DNN), which retroprop does not use (its kernels are its own).

`enabled` and `deterministic` keep torch's defaults and hold what is set; they change nothing.
"""
import types

from ._flags import BoolFlag, make_flag_module


def is_available():
    return False


class _MkldnnModule(types.ModuleType):
    enabled = BoolFlag(True, "set_enabled_mkldnn")
    deterministic = BoolFlag(False, "set_deterministic_mkldnn")


make_flag_module(__name__, _MkldnnModule)
