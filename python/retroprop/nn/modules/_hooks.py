"""Forward hooks for Module (register_forward_pre_hook / register_forward_hook), torch's semantics.

Modules without hooks pay one class-attribute check per call (`_has_hooks`); the hook dicts
exist only on modules that registered one.
"""
import itertools
from collections import OrderedDict

_ids = itertools.count()


class RemovableHandle:
    """Returned by register_*_hook: `.remove()` (or leaving a with-block) unregisters the hook."""

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = next(_ids)

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class HooksMixin:
    """Module's forward hooks (mixed into Module)."""

    _has_hooks = False

    def _hook_dict(self, name):
        d = self.__dict__
        if name not in d:
            d[name] = OrderedDict()
            d["_has_hooks"] = True
        return d[name]

    def _register(self, store, hook, prepend, with_kwargs):
        hooks = self._hook_dict(store)
        handle = RemovableHandle(hooks)
        hooks[handle.id] = (hook, with_kwargs)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """hook(module, args) -> None or new args (hook(module, args, kwargs) -> None or (args, kwargs))."""
        return self._register("_forward_pre_hooks", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """hook(module, args, output) -> None or a replacement output (with_kwargs: (module, args, kwargs, output))."""
        return self._register("_forward_hooks", hook, prepend, with_kwargs)

    def _call_with_hooks(self, args, kwargs):
        for hook, with_kwargs in list(self.__dict__.get("_forward_pre_hooks", {}).values()):
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook, with_kwargs in list(self.__dict__.get("_forward_hooks", {}).values()):
            result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        return output
