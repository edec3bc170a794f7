"""retroprop: neural-network training by backpropagation on the CPU, with a C++ core.

A torch-shaped API (`retroprop.nn`, `retroprop.optim`, ...) over NumPy buffers; the hot
kernels (GEMM, fused epilogues, fused optimizer updates) run in the compiled `retroprop._core`.
"""
from ._config import config, get_num_threads, set_num_threads
from ._tensor import Tensor, from_numpy, matmul, tensor
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from . import autograd, nn
from .serialization import load, save
from ._torch_compat import install_as_torch
from . import datasets, utils

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "autograd",
    "config",
    "datasets",
    "enable_grad",
    "from_numpy",
    "get_num_threads",
    "install_as_torch",
    "is_grad_enabled",
    "load",
    "matmul",
    "nn",
    "no_grad",
    "save",
    "set_grad_enabled",
    "set_num_threads",
    "tensor",
    "utils",
]
