"""Hyperparameter checks shared by the optimizers, with torch's messages (each names the option)."""
from .._tensor import Tensor


def check_lr(lr):
    if isinstance(lr, Tensor) and lr._data.size != 1:
        raise ValueError("Tensor lr must be 1-element")
    value = float(lr._data.reshape(())) if isinstance(lr, Tensor) else lr
    if not 0.0 <= value:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonneg(value, message):
    """`message` is torch's wording, e.g. "Invalid epsilon value"."""
    if not 0.0 <= value:
        raise ValueError(f"{message}: {value}")


def check_modes(name, foreach, fused, capturable=False, differentiable=False):
    """retroprop always runs its own fused kernel; torch's implementation switches are accepted
    (scripts pass them) but graph-capture and differentiable steps do not exist here."""
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if capturable:
        raise ValueError(f"{name}: capturable=True is not supported (retroprop has no graph capture)")
    if differentiable:
        raise ValueError(f"{name}: differentiable=True is not supported (optimizer steps are not recorded)")


def check_betas(betas):
    """Each beta in [0, 1) (a Tensor beta must have one element); returns them as floats."""
    values = []
    for i, beta in enumerate(betas):
        if isinstance(beta, Tensor) and beta._data.size != 1:
            raise ValueError(f"Tensor betas[{i}] must be 1-element")
        value = float(beta._data.reshape(())) if isinstance(beta, Tensor) else float(beta)
        if not 0.0 <= value < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        values.append(value)
    return tuple(values)
