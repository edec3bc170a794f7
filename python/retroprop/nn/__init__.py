"""Neural-network building blocks (torch.nn's shape): Parameter, Modules, functional, init."""
import importlib

from . import functional, init
from .modules import *  # noqa: F401,F403  (the Module classes, listed in modules.__all__)
from .modules import __all__ as _module_names
from .modules._missing import missing_name
from .parameter import Parameter
from . import utils

__all__ = ["Parameter", "functional", "init", *_module_names]


def __getattr__(name):
    """A subpackage (`nn.utils`) loads on first use, as `import torch` makes torch.nn.utils usable;
    any other name torch.nn has and retroprop.nn lacks fails here, saying so."""
    if name.isidentifier() and not name.startswith("_"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    raise missing_name(__name__, name, __all__)
