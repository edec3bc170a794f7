"""Differentiable operations on Tensors: each forward with its backward beside it."""
from .activation import relu
from .arithmetic import add, div, mul, neg, sub
from .linalg import matmul
from .reduction import mean, sum
from .shape import reshape, transpose
