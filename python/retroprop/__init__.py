"""retroprop: neural-network training by backpropagation on the CPU, with a C++ core.

A torch-shaped API (`retroprop.nn`, `retroprop.optim`, ...) over NumPy buffers; the hot
kernels (GEMM, fused epilogues, fused optimizer updates) run in the compiled `retroprop._core`.
"""
from ._config import config, get_num_threads, set_num_threads
from ._tensor import Tensor, from_numpy, matmul, tensor

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "config",
    "from_numpy",
    "get_num_threads",
    "matmul",
    "set_num_threads",
    "tensor",
]
