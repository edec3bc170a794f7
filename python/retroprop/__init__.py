"""retroprop: neural-network training by backpropagation on the CPU, with a C++ core.

A torch-shaped API (`retroprop.nn`, `retroprop.optim`, ...) over NumPy buffers; the hot
kernels (GEMM, fused epilogues, fused optimizer updates) run in the compiled `retroprop._core`.
"""
import math

from ._config import config, get_num_threads, set_num_threads
from ._tensor import Size, Tensor
from ._printing import set_printoptions
from ._tensor import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,  # legacy
                      IntTensor, LongTensor, ShortTensor)
from ._device import device, get_default_device, set_default_device
from ._dtype import bfloat16
from ._dtype import (bool, double, float, float16, float32, float64, get_default_dtype, half, int, int8, int16, int32,
                     int64, long, set_default_dtype, short, uint8)
from ._dtype import dtype, finfo, iinfo
from ._random import Generator, default_generator, initial_seed, manual_seed, seed
from ._random import get_rng_state, set_rng_state
from ._creation import (arange, as_tensor, bernoulli, empty, empty_like, eye, from_dlpack, from_numpy, full, full_like,
                        linspace, logspace, multinomial, normal, ones, ones_like, rand, rand_like, randint,
                        randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .ops import (abs, add, all, allclose, amax, amin, any, argmax, argmin, bmm, broadcast_to, cat, ceil, chunk, clamp,
                  clip, clone, concat, concatenate, cos, cumsum, div, dot, eq, equal, exp, expm1, flatten, flip, floor,
                  floor_divide, gather, ge, gt, index_select, isclose, isfinite, isinf, isnan, le, lerp, log, log1p,
                  log_softmax, logical_and, argsort, sort, topk, outer, tril, triu, logical_not, logical_or, logical_xor, logsumexp, lt, masked_fill, matmul,
                  max, maximum, mean, min, minimum, mm, movedim, mul, mv, narrow, ne, neg, norm, permute, pow, prod,
                  reciprocal, relu, remainder, reshape, round, rsqrt, select, sigmoid, sign, sin, softmax, split, sqrt,
                  square, squeeze, stack, std, std_mean, sub, sum, swapaxes, t, tanh, transpose, trunc, unbind,
                  unflatten, unsqueeze, var, var_mean, where)
from .ops import (argwhere, bincount, count_nonzero, diag, diagonal, masked_select, nonzero, trace,  # metric helpers
                  unique)
from .ops import (arctan2, atan2, column_stack, cumprod, fmod, frac, hstack, log2, log10, median, nan_to_num,
                  nanmedian, nanquantile, quantile, repeat_interleave, roll, row_stack, vstack)
from .ops import index_add, index_fill, moveaxis, scatter, scatter_add
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from . import accelerator, autograd, cuda, nn, optim
from .serialization import load, save
from ._torch_compat import install_as_torch
from ._compile import compile
from . import datasets, utils
from . import amp, backends, cpu  # torch.amp, torch.backends.*, torch.cpu
from .amp import autocast
from .amp.autocast_mode import is_autocast_enabled
from .backends._flags import (are_deterministic_algorithms_enabled, get_deterministic_debug_mode,
                              get_float32_matmul_precision, is_deterministic_algorithms_warn_only_enabled,
                              set_deterministic_debug_mode, set_float32_matmul_precision, use_deterministic_algorithms)

__version__ = "0.1.0"

multiply, subtract, divide, negative, absolute = mul, sub, div, neg, abs
true_divide, greater, less, greater_equal, less_equal, not_equal = div, gt, lt, ge, le, ne


inf, nan, pi, e = math.inf, math.nan, math.pi, math.e


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


__all__ = [
    "Generator", "Size", "Tensor", "abs", "absolute", "accelerator", "add", "all", "allclose", "amax", "amin", "any", "arange",
    "argmax", "argmin", "argsort", "e", "inf", "inference_mode", "is_floating_point", "nan", "outer", "pi", "sort",
    "topk", "tril", "triu", "as_tensor", "autograd", "bernoulli", "bmm", "bool", "broadcast_to", "cat", "ceil", "chunk",
    "clamp", "clip", "clone", "concat", "concatenate", "config", "cos", "cuda", "cumsum", "default_generator",
    "device", "div", "divide", "dot", "double", "empty", "empty_like", "enable_grad", "eq", "equal", "exp", "expm1",
    "eye", "flatten", "flip", "float", "float16", "float32", "float64", "floor", "floor_divide", "from_dlpack",
    "from_numpy", "full", "full_like", "gather", "ge", "get_default_device", "get_default_dtype", "get_num_threads",
    "greater", "greater_equal", "gt", "half", "index_select", "initial_seed", "int", "int16", "int32", "int64", "int8",
    "is_grad_enabled", "is_tensor", "isclose", "isfinite", "isinf", "isnan", "le", "lerp", "less", "less_equal",
    "linspace", "log", "log1p", "log_softmax", "logical_and", "logical_not", "logical_or", "logical_xor", "logspace",
    "logsumexp", "long", "lt", "manual_seed", "masked_fill", "matmul", "max", "maximum", "mean", "min", "minimum", "mm",
    "movedim", "mul", "multinomial", "multiply", "mv", "narrow", "ne", "neg", "negative", "nn", "no_grad", "norm",
    "normal", "not_equal", "numel", "ones", "ones_like", "permute", "pow", "prod", "rand", "rand_like", "randint",
    "randint_like", "randn", "randn_like", "randperm", "reciprocal", "relu", "remainder", "reshape", "round", "rsqrt",
    "seed", "select", "set_default_device", "set_default_dtype", "set_grad_enabled", "set_num_threads", "set_printoptions", "short",
    "sigmoid", "sign", "sin", "softmax", "split", "sqrt", "square", "squeeze", "stack", "std", "std_mean", "sub",
    "subtract", "sum", "swapaxes", "t", "tanh", "tensor", "transpose", "true_divide", "trunc", "uint8", "unbind",
    "unflatten", "unsqueeze", "var", "var_mean", "where", "zeros", "zeros_like", "optim", "datasets", "install_as_torch", "load", "save", "utils",
    "argwhere", "bincount", "count_nonzero", "diag", "diagonal", "masked_select", "nonzero", "trace", "unique",
    "arctan2", "atan2", "column_stack", "cumprod", "fmod", "frac", "hstack", "log2", "log10", "median", "nan_to_num",
    "nanmedian", "nanquantile", "quantile", "repeat_interleave", "roll", "row_stack", "vstack",
    "moveaxis", "get_rng_state", "set_rng_state", "scatter", "scatter_add", "index_add", "index_fill",
    "bfloat16", "compile", "amp", "autocast", "backends", "cpu", "is_autocast_enabled", "are_deterministic_algorithms_enabled",
    "get_deterministic_debug_mode", "get_float32_matmul_precision", "is_deterministic_algorithms_warn_only_enabled",
    "set_deterministic_debug_mode", "set_float32_matmul_precision", "use_deterministic_algorithms",
    "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor", "HalfTensor", "IntTensor", "LongTensor",
    "ShortTensor", "dtype", "finfo", "iinfo",
]
