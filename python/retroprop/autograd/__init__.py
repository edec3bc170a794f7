"""Reverse-mode automatic differentiation: grad mode, the backward engine, custom Functions,
autograd.grad and gradcheck."""
from .function import Function, FunctionCtx
from .functional import GradcheckError, grad, gradcheck
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["Function", "FunctionCtx", "GradcheckError", "enable_grad", "grad", "gradcheck", "inference_mode", "is_grad_enabled",
           "no_grad", "set_grad_enabled"]
