"""state_dict / load_state_dict for Module: torch's keys, checks and error messages.

Loading copies values into the existing parameters and buffers in place (so optimizers holding
them keep working), accepts retroprop Tensors, NumPy arrays or anything with `__array__`
(a CPU torch tensor, say), and reports missing, unexpected and wrongly shaped keys by name.
"""
from collections import OrderedDict, namedtuple

import numpy as np

from ..._tensor import Tensor


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _as_array(value, key):
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "__array__"):
        return np.asarray(value)
    raise TypeError(f'While copying the parameter named "{key}", expected a Tensor or a NumPy array '
                    f"from the checkpoint but received {type(value)}")


def _quoted(keys):
    return ", ".join(f'"{k}"' for k in keys)


def _shape_str(shape):
    return "torch.Size([" + ", ".join(str(s) for s in shape) + "])"


class StateDictMixin:
    """Module's state_dict machinery (mixed into Module)."""

    def _local_state(self):
        """(name, tensor) for this module's parameters and persistent buffers, skipping None."""
        for name, p in self._parameters.items():
            if p is not None:
                yield name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                yield name, b

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """OrderedDict of parameters and persistent buffers (detached, sharing memory), torch's keys."""
        if args:  # torch's positional form state_dict(destination, prefix, keep_vars)
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        if destination is None:
            destination = OrderedDict()
        for name, t in self._local_state():
            destination[prefix + name] = t if keep_vars else t.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination

    def _load_local(self, state_dict, prefix, missing, errors):
        for name, target in self._local_state():
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            value = _as_array(state_dict[key], key)
            if value.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {_shape_str(value.shape)} from "
                              f"checkpoint, the shape in current model is {_shape_str(target.shape)}.")
                continue
            if target._data is not value:
                target._data[...] = value
                target._version += 1

    def _expected_keys(self, prefix=""):
        keys = [prefix + name for name, _ in self._local_state()]
        for name, module in self._modules.items():
            if module is not None:
                keys.extend(module._expected_keys(prefix + name + "."))
        return keys

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy `state_dict`'s values into this module's parameters and buffers, in place.

        With strict=True, missing or unexpected keys raise a RuntimeError naming them; a shape
        mismatch always does. Returns (missing_keys, unexpected_keys) as a named tuple, like torch.
        """
        if assign:
            raise NotImplementedError("load_state_dict(assign=True) is not implemented by retroprop")
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, errors = [], []

        def load(module, prefix):
            module._load_local(state_dict, prefix, missing, errors)
            for name, child in module._modules.items():
                if child is not None:
                    load(child, prefix + name + ".")

        load(self, "")
        expected = set(self._expected_keys())
        unexpected = [k for k in state_dict.keys() if k not in expected]
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(_quoted(unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(_quoted(missing)))
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)
