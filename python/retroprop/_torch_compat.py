"""install_as_torch(): make `import torch` and every `torch.*` import give retroprop's modules.

A finder placed first on sys.meta_path maps `torch.X.Y` to the module object `retroprop.X.Y`
(the same object, so isinstance and class identity hold between the two names). Names
retroprop lacks fail where they are used, with an error saying retroprop does not implement
them: a missing submodule at import, a missing attribute through a module `__getattr__` that
the hook adds to each aliased module.
"""
import dis
import importlib
import importlib.abc
import importlib.machinery
import sys
import types

_IMPORT_FROM = dis.opmap.get("IMPORT_FROM")


class RetropropNotImplementedError(AttributeError, NotImplementedError):
    """A torch name retroprop does not provide. An AttributeError too, so that `hasattr` and
    `getattr(module, name, default)` keep answering as they would for any missing attribute."""


def _torch_name(retroprop_name):
    return "torch" + retroprop_name[len("retroprop"):]


class _TorchAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `torch` and `torch.*` and loads them as the already-imported retroprop modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        module = _retroprop_module(fullname)
        is_package = hasattr(module, "__path__")
        return importlib.machinery.ModuleSpec(fullname, self, is_package=is_package)

    def create_module(self, spec):
        module = _retroprop_module(spec.name)
        # The import system overwrites __spec__ on the module we return; keep retroprop's own
        # (relative imports and importlib.resources read it) and restore it in exec_module.
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state
        _add_missing_name_hook(module, _torch_name(module.__name__))


def _retroprop_module(torch_fullname):
    """The retroprop module standing for `torch_fullname`, or ModuleNotFoundError saying that
    retroprop does not implement it."""
    target = "retroprop" + torch_fullname[len("torch"):]
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as e:
        if e.name is None or not (target == e.name or target.startswith(e.name + ".")):
            raise  # a dependency missing inside retroprop, not a missing torch name
    parent_name, _, child = target.rpartition(".")
    attribute = vars(sys.modules[parent_name]).get(child) if parent_name in sys.modules else None
    if isinstance(attribute, types.ModuleType):  # a module object that is not its own file
        return attribute
    raise ModuleNotFoundError(f"retroprop does not implement {torch_fullname}", name=torch_fullname)


def _add_missing_name_hook(module, torch_name):
    """Give `module` a module-level __getattr__ naming missing public attributes as torch names."""
    original = vars(module).get("__getattr__")
    if getattr(original, "_retroprop_missing_name_hook", False):
        return

    def __getattr__(name):
        if original is not None:
            try:
                return original(name)
            except AttributeError:
                pass
        if name.startswith("_"):  # dunder probes (__path__, __wrapped__, ...) must stay ordinary
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        message = f"retroprop does not implement {torch_name}.{name}"
        caller = sys._getframe(1)
        if _IMPORT_FROM is not None and caller.f_code.co_code[caller.f_lasti] == _IMPORT_FROM:
            # `from torch.nn import Conv2d`: Python replaces an AttributeError raised here by a
            # bare "cannot import name"; an ImportError keeps the message.
            raise ImportError(message, name=torch_name)
        raise RetropropNotImplementedError(message, name=name, obj=module)

    __getattr__._retroprop_missing_name_hook = True
    module.__getattr__ = __getattr__


_FINDER = _TorchAliasFinder()


def _is_public_retroprop(name):
    parts = name.split(".")
    return parts[0] == "retroprop" and not any(p.startswith("_") for p in parts[1:])


def install_as_torch():
    """Make `import torch` (and `import torch.nn`, `from torch.utils.data import ...`, ...) give
    retroprop's own modules in this process. Call it before anything imports torch; calling it
    again is harmless. Raises RuntimeError if the real torch is already imported."""
    import retroprop

    if sys.modules.get("torch") is retroprop:
        return
    real = sorted(n for n in sys.modules if n == "torch" or n.startswith("torch."))
    if real:
        raise RuntimeError(f"install_as_torch: the real torch is already imported ({real[0]}); call "
                           "retroprop.install_as_torch() before anything imports torch")
    sys.meta_path.insert(0, _FINDER)
    for name, module in list(sys.modules.items()):
        if module is not None and _is_public_retroprop(name):
            sys.modules[_torch_name(name)] = module
            _add_missing_name_hook(module, _torch_name(name))
