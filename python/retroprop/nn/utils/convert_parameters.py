"""Flatten parameters into one vector and back (torch.nn.utils.parameters_to_vector & co)."""
import numpy as np

from ..._tensor import Tensor


def _check_tensor(x, what):
    if not isinstance(x, Tensor):
        raise TypeError(f"{what}: expected a Tensor, but got: {type(x).__name__}")


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter's values, in order (a copy)."""
    arrays = []
    for p in parameters:
        _check_tensor(p, "parameters_to_vector")
        arrays.append(p._data.ravel())
    if not arrays:
        raise ValueError("parameters_to_vector: expected at least one parameter")
    return Tensor._wrap(np.concatenate(arrays))


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D tensor `vec` into the parameters, in place."""
    _check_tensor(vec, "vector_to_parameters")
    params = list(parameters)
    for p in params:
        _check_tensor(p, "vector_to_parameters")
    flat = vec._data
    if flat.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector, got shape {flat.shape}")
    total = sum(p._data.size for p in params)
    if flat.size != total:
        raise ValueError(f"vector_to_parameters: vector of {flat.size} elements for parameters of {total} elements in all")
    offset = 0
    for p in params:
        n = p._data.size
        np.copyto(p._data, flat[offset : offset + n].reshape(p._data.shape), casting="same_kind")
        p._version += 1
        offset += n
