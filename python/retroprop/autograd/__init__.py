"""Reverse-mode automatic differentiation: grad mode, the backward engine, custom Functions,
autograd.grad and gradcheck."""
from .function import Function, FunctionCtx
from .functional import GradcheckError, grad, gradcheck
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled



def Variable(data, requires_grad=False, volatile=False):
    """torch.autograd.Variable (deprecated in torch, still in old tutorials): the tensor itself."""
    return data.requires_grad_(requires_grad) if requires_grad else data


__all__ = ["Function", "Variable", "FunctionCtx", "GradcheckError", "enable_grad", "grad", "gradcheck", "inference_mode", "is_grad_enabled",
           "no_grad", "set_grad_enabled"]
