"""torch.autograd.grad and gradcheck (float64 central differences against the analytic gradient)."""
import numpy as np

from .. import _tensor
from .engine import run_backward


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         is_grads_batched=False, materialize_grads=False):
    """Gradients of `outputs` with respect to `inputs`, returned (not accumulated into .grad)."""
    if create_graph:
        raise NotImplementedError("autograd.grad(create_graph=True): retroprop does not differentiate through backward")
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grads = []
    for out, g in zip(outputs, _as_tuple(grad_outputs)):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs (got shape {tuple(out.shape)})")
            g = np.ones(out.shape, dtype=out.dtype)
        grads.append(g._data if isinstance(g, _tensor.Tensor) else np.asarray(g, dtype=out.dtype))
    results = run_backward(list(outputs), grads, retain_graph=bool(retain_graph), inputs=list(inputs))
    Tensor = _tensor.Tensor
    out = []
    for t, r in zip(inputs, results):
        if r is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                                   "Set allow_unused=True if this is the desired behavior.")
            out.append(Tensor._wrap(np.zeros(t.shape, t.dtype)) if materialize_grads else None)
        else:
            out.append(Tensor._wrap(np.array(np.broadcast_to(r, t.shape), dtype=t.dtype)))
    return tuple(out)


class GradcheckError(RuntimeError):
    """The analytic and numerical gradients disagree."""


def _outputs(fn, inputs):
    return tuple(o for o in _as_tuple(fn(*inputs)) if isinstance(o, _tensor.Tensor) and o.requires_grad)


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """Compare each analytic d(output)/d(input) with central differences (inputs should be float64)."""
    inputs = _as_tuple(inputs)
    wrt = [t for t in inputs if isinstance(t, _tensor.Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    outputs = _outputs(func, inputs)
    for k, out in enumerate(outputs):
        numeric = [np.zeros((t._data.size, out._data.size)) for t in wrt]
        for t, jac in zip(wrt, numeric):
            for i, idx in enumerate(np.ndindex(t.shape)):
                orig = t._data[idx]
                t._data[idx] = orig + eps
                plus = np.array(_outputs(func, inputs)[k]._data, dtype=np.float64)
                t._data[idx] = orig - eps
                minus = np.array(_outputs(func, inputs)[k]._data, dtype=np.float64)
                t._data[idx] = orig
                jac[i] = ((plus - minus) / (2 * eps)).reshape(-1)
        analytic = [np.zeros_like(j) for j in numeric]
        for j in range(out._data.size):
            seed = np.zeros(out._data.size, dtype=out.dtype)
            seed[j] = 1
            gs = grad(out, wrt, seed.reshape(out.shape), retain_graph=True, allow_unused=True)
            for a, g in zip(analytic, gs):
                if g is not None:
                    a[:, j] = g._data.reshape(-1)
        for i, (a, n) in enumerate(zip(analytic, numeric)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(f"Jacobian mismatch for output {k} with respect to input {i}: max abs difference "
                                     f"{np.abs(a - n).max():.3g}\nnumerical:{n}\nanalytical:{a}")
    return True
