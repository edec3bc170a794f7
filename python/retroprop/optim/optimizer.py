"""Optimizer: parameter groups, per-parameter state and its (de)serialization (torch.optim's shape).

Subclasses implement `_step_group(group)`, which gathers the group's arrays and makes one
fused call (`self._impl` is `_fused`; tests swap in `_reference`, the NumPy rules).
"""
from collections import defaultdict
from itertools import chain

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import _state as _grad_state
from ..autograd.grad_mode import enable_grad
from . import _fused


class _RequiredParameter:
    """Marks a hyperparameter without default (e.g. SGD's lr in old torch)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _to_float(x, name="lr"):
    """A hyperparameter as a Python float; a Tensor must have one element (torch's Tensor lr)."""
    if isinstance(x, Tensor):
        if x._data.size != 1:
            raise ValueError(f"Tensor {name} must be 1-element")
        return float(x._data.reshape(()))
    return float(x)


def _zeros_like(p, fill=0.0):
    return Tensor._wrap(np.full(p._data.shape, fill, dtype=p._data.dtype))


def _step_tensor(value=0.0):
    """A step counter as torch keeps it: a float32 scalar tensor."""
    return Tensor._wrap(np.array(value, dtype=np.float32))


class Optimizer:
    """Base class: holds `param_groups` (dicts of params + options) and `state` (per parameter)."""

    _impl = _fused

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got " + type(params).__name__
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with "params" and optional per-group options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        if params and isinstance(params[0], tuple):  # named_parameters()
            param_group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + type(p).__name__)
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        param_group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's gradient: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad  # the slot, not the property: every parameter, every step
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    g._node = None
                    g.requires_grad = False
                    g._data.fill(0)
                    g._version += 1

    def step(self, closure=None):
        """One update of every parameter with a gradient; `closure` re-evaluates the loss first."""
        loss = None
        self._opt_called = True  # schedulers warn when they step before the optimizer
        if closure is not None:
            with enable_grad():
                loss = closure()
        prev = _grad_state.enabled  # no_grad() without the context manager's cost, every step
        _grad_state.enabled = False
        try:
            for group in self.param_groups:
                self._step_group(group)
        finally:
            _grad_state.enabled = prev
        return loss

    def _step_group(self, group):
        raise NotImplementedError(f"{type(self).__name__} does not implement a step")

    # --- serialization --------------------------------------------------------------------
    def state_dict(self):
        """{"state": {index: {name: value}}, "param_groups": [{options..., "params": [indices]}]}."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore state saved by `state_dict`, checked against this optimizer's groups and shapes."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, but the optimizer has {len(self.param_groups)}"
            )
        for i, (g, s) in enumerate(zip(self.param_groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group ({i}) of {len(s['params'])} parameters that doesn't match the size of optimizer's group ({len(g['params'])})"
                )
        id_map = dict(zip(chain.from_iterable(s["params"] for s in saved_groups), chain.from_iterable(g["params"] for g in self.param_groups)))
        new_state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                new_state[param] = {name: _load_value(param, key, name, v) for name, v in value.items()}
            else:
                new_state[key] = value
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new = {k: v for k, v in saved.items() if k != "params"}
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            for name, default in self.defaults.items():
                new.setdefault(name, default)
            new_groups.append(new)
        self.state = new_state
        self.param_groups = new_groups

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


# 0-d state entries besides "step" (NAdam's running product); cast to the parameter's dtype on
# load, as torch casts every floating state entry but "step".
_SCALAR_STATE = ("mu_product",)


def _load_value(param, key, name, value):
    """A copy of one saved state entry for `param`: its step as a float32 scalar, buffers cast to
    the parameter's dtype and required to have its shape."""
    if value is None or isinstance(value, (bool, int, float)) and name != "step":
        return value
    arr = np.array(value._data if isinstance(value, Tensor) else value, copy=True)
    if name == "step":
        if arr.size != 1:
            raise ValueError(f"loaded state for parameter {key} has a step of shape {arr.shape}; expected a scalar")
        return _step_tensor(arr.reshape(()))
    if arr.shape != param.shape and not (name in _SCALAR_STATE and arr.ndim == 0):
        raise ValueError(
            f"loaded state for parameter {key} has '{name}' of shape {arr.shape}, but the parameter has shape {tuple(param.shape)}"
        )
    if arr.dtype.kind == "f":
        arr = arr.astype(param._data.dtype, copy=False)
    return Tensor._wrap(np.ascontiguousarray(arr).reshape(arr.shape))  # ascontiguousarray makes 0-d 1-d
