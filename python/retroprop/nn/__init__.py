"""Neural-network building blocks (torch.nn's shape): Parameter, Modules, functional, init."""
from . import functional, init
from .modules import *  # noqa: F401,F403  (the Module classes, listed in modules.__all__)
from .modules import __all__ as _module_names
from .parameter import Parameter

__all__ = ["Parameter", "functional", "init", *_module_names]
