"""Differentiable operations on Tensors: each forward with its backward beside it.

TENSOR_METHODS names the functions that are also Tensor methods (bound as they are: the
tensor is their first argument); TENSOR_OPERATORS maps Python operators to functions.
"""
import warnings

from . import activation
from ._util import accept_axis, check_dim
from .arithmetic import add, div, floor_divide, mul, neg, pow, remainder, rsub, sub
from .compare import (allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, eq, equal, ge, gt, isclose,
                      isfinite, isinf, isnan, le, logical_and, logical_not, logical_or, logical_xor, lt, ne,
                      _eq_operator, _ne_operator)
from .indexing import argwhere, gather, getitem, index_put, index_select, masked_fill, masked_select, nonzero
from .indexing import index_add, index_fill, scatter, scatter_add
from .inplace import (add_, clamp_, clip_, copy_, div_, fill_, masked_fill_, mul_, neg_, normal_, pow_, setitem,
                      sub_, uniform_, zero_)
from .inplace import (abs_, clamp_max_, clamp_min_, exp_, index_add_, index_fill_, log_, scatter_, scatter_add_,
                      sqrt_)
from .activation import relu_, sigmoid_, tanh_
from .linalg import bmm, diag, diagonal, dot, matmul, mm, mv, outer, trace, tril, triu
from .pointwise import (abs, ceil, clamp, clamp_max, clamp_min, clip, clone, cos, exp, expm1, floor, lerp, log,
                        log1p, maximum, minimum, reciprocal, round, rsqrt, sign, sin, sqrt, square, to_dtype, trunc,
                        where)
from .pointwise import arctan2, atan2, fmod, frac, log2, log10, nan_to_num
from .reduction import (all, amax, amin, any, argmax, argmin, bincount, count_nonzero, cumprod, cumsum, logsumexp, max,
                        mean, median, min, nanmedian, nanquantile, norm, prod, quantile, std, std_mean, sum, var,
                        var_mean)
from .sorting import argsort, sort, topk, unique
from .shape import (broadcast_to, cat, chunk, concat, concatenate, expand, expand_as, flatten, flip, movedim, narrow,
                    permute, repeat, reshape, reshape_as, select, split, squeeze, stack, swapaxes, swapdims, t,
                    transpose, unbind, unflatten, unsqueeze, view, view_as)
from .shape import column_stack, hstack, repeat_interleave, roll, row_stack, vstack

# log(0), x/0 and the like give inf/nan silently, as in torch: silence NumPy's floating-point
# warnings raised from retroprop's own code (and only there; users' NumPy keeps its settings).
warnings.filterwarnings("ignore", message="(divide by zero|invalid value|overflow) encountered",
                        category=RuntimeWarning, module=r"retroprop\.")


def relu(a):
    return activation.relu(a)


def tanh(a):
    return activation.tanh(a)


def sigmoid(a):
    return activation.sigmoid(a)


def softmax(a, dim=None, dtype=None):
    return activation.softmax(a, dim, dtype)


def log_softmax(a, dim=None, dtype=None):
    return activation.log_softmax(a, dim, dtype)


def moveaxis(a, source, destination):
    return movedim(a, source, destination)


# NumPy's axis= accepted as an alias of dim where torch accepts it (checked against torch 2.x:
# not norm, flip, roll, flatten, transpose, split, diagonal or unique).
_AXIS_ALIASED = ("sum", "mean", "std", "var", "std_mean", "var_mean", "prod", "max", "min", "argmax", "argmin",
                 "amax", "amin", "any", "all", "cumsum", "cumprod", "logsumexp", "median", "nanmedian", "quantile",
                 "nanquantile", "count_nonzero", "squeeze", "unsqueeze", "softmax", "log_softmax", "sort", "argsort",
                 "topk", "chunk", "unbind", "repeat_interleave", "cat", "concat", "concatenate", "stack", "gather",
                 "index_select", "select", "narrow", "scatter", "scatter_", "scatter_add", "scatter_add_",
                 "index_add", "index_add_", "index_fill", "index_fill_")
for _name in _AXIS_ALIASED:
    globals()[_name] = accept_axis(globals()[_name])
del _name

TENSOR_METHODS = (
    "add", "sub", "mul", "div", "neg", "pow", "floor_divide", "remainder",
    "eq", "ne", "lt", "le", "gt", "ge", "logical_not", "logical_and", "logical_or", "logical_xor",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "isnan", "isinf", "isfinite", "isclose",
    "allclose", "equal",
    "gather", "index_select", "masked_fill",
    "add_", "sub_", "mul_", "div_", "pow_", "neg_", "clamp_", "clip_", "copy_", "fill_", "zero_", "normal_",
    "uniform_", "masked_fill_",
    "matmul", "mm", "bmm", "dot", "mv", "outer", "tril", "triu", "sort", "argsort", "topk",
    "abs", "ceil", "clamp", "clamp_max", "clamp_min", "clip", "clone", "cos", "exp", "expm1", "floor", "lerp",
    "log", "log1p", "maximum", "minimum", "reciprocal", "round", "rsqrt", "sign", "sin", "sqrt", "square", "trunc",
    "all", "amax", "amin", "any", "argmax", "argmin", "cumsum", "logsumexp", "max", "mean", "min", "norm", "prod",
    "std", "sum", "var",
    "broadcast_to", "chunk", "expand", "expand_as", "flatten", "flip", "movedim", "narrow", "permute", "repeat",
    "reshape", "reshape_as", "select", "split", "squeeze", "swapaxes", "swapdims", "t", "transpose", "unbind",
    "unflatten", "unsqueeze", "view", "view_as",
    "argwhere", "bincount", "count_nonzero", "diag", "diagonal", "masked_select", "nonzero", "trace", "unique",
    "median", "nanmedian", "quantile", "nanquantile", "cumprod", "roll", "repeat_interleave", "log2", "log10",
    "atan2", "arctan2", "fmod", "frac", "nan_to_num", "moveaxis",
    "scatter", "scatter_add", "index_add", "index_fill", "scatter_", "scatter_add_", "index_add_", "index_fill_",
    "abs_", "exp_", "sqrt_", "log_", "clamp_min_", "clamp_max_", "relu_", "sigmoid_", "tanh_",
)

TENSOR_OPERATORS = {
    "__add__": "add", "__sub__": "sub", "__mul__": "mul", "__truediv__": "div", "__neg__": "neg",
    "__pow__": "pow", "__matmul__": "matmul", "__floordiv__": "floor_divide", "__mod__": "remainder",
    "__abs__": "abs", "__eq__": "_eq_operator", "__ne__": "_ne_operator", "__lt__": "lt", "__le__": "le",
    "__gt__": "gt", "__ge__": "ge", "__and__": "bitwise_and", "__or__": "bitwise_or", "__xor__": "bitwise_xor",
    "__invert__": "bitwise_not", "__getitem__": "getitem", "__setitem__": "setitem",
}
