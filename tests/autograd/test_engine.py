"""The backward engine's rules: accumulation, retain_graph, freed graphs, non-scalar outputs,
retain_grad, autograd.grad, gradcheck, and grad mode (no_grad / enable_grad)."""
import numpy as np
import pytest

import retroprop as rp


def test_gradients_accumulate_in_leaves():
    x = rp.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [3 + 2, 3 + 4]


def test_shared_subexpression_and_weight_reuse():
    x = rp.tensor([2.0], requires_grad=True)
    y = x * x
    (y + y * x).sum().backward()  # d/dx (x^2 + x^3) = 2x + 3x^2
    assert x.grad.item() == pytest.approx(4 + 12)


def test_retain_graph_and_freed_graph():
    x = rp.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_non_scalar_backward_needs_gradient():
    x = rp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="scalar outputs"):
        y.backward()
    y.backward(rp.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 20.0]
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2).backward(rp.ones(3))


def test_backward_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        rp.ones(2).sum().backward()


def test_retain_grad_keeps_non_leaf_gradient():
    x = rp.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0] and x.grad.tolist() == [18.0, 36.0]
    g = x * 1
    (g * 2).sum().backward()
    assert g.grad is None  # non-leaves keep no gradient unless asked


def test_backward_inputs_limits_accumulation():
    a, b = rp.ones(1, requires_grad=True), rp.ones(1, requires_grad=True)
    (a * b * 2).sum().backward(inputs=[a])
    assert a.grad.item() == 2 and b.grad is None


def test_autograd_grad_returns_without_accumulating():
    x = rp.tensor([1.0, 2.0], requires_grad=True)
    w = rp.tensor([3.0], requires_grad=True)
    y = (x * x * w).sum()
    gx, gw = rp.autograd.grad(y, [x, w])
    assert gx.tolist() == [6.0, 12.0] and gw.tolist() == [5.0] and x.grad is None and w.grad is None
    z = rp.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="not have been used"):
        rp.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = rp.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx.tolist() == [2.0, 2.0]
    (gv,) = rp.autograd.grad(x * 2, x, grad_outputs=rp.tensor([1.0, -1.0]))
    assert gv.tolist() == [2.0, -2.0]
    with pytest.raises(RuntimeError, match="does not require grad"):
        rp.autograd.grad((x * 2).sum(), rp.ones(1))


def test_autograd_grad_wrt_non_leaf():
    x = rp.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    (gh,) = rp.autograd.grad((h * h).sum(), h)
    assert gh.tolist() == [4.0, 8.0]


def test_gradcheck_passes_and_catches_a_wrong_gradient():
    x = rp.randn(3, dtype=rp.float64, requires_grad=True)
    assert rp.autograd.gradcheck(lambda t: (t * t).sum(), (x,))

    class Wrong(rp.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * t

        @staticmethod
        def backward(ctx, g):
            return g * 3  # should be 2t

    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        rp.autograd.gradcheck(Wrong.apply, (x,))
    assert rp.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_no_grad_context_and_decorator():
    x = rp.ones(2, requires_grad=True)
    with rp.no_grad():
        y = x * 2
        assert not rp.is_grad_enabled()
        with rp.enable_grad():
            z = x * 2
    assert rp.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad

    @rp.no_grad()
    def f(t):
        return t * 2

    @rp.enable_grad()
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    with rp.no_grad():
        assert g(x).requires_grad
    with rp.set_grad_enabled(False):
        assert not (x * 1).requires_grad
    assert rp.is_grad_enabled()


def test_mixed_dtype_gradients_come_back_in_each_leafs_dtype():
    a = rp.ones(2, requires_grad=True)
    b = rp.ones(2, dtype=rp.float64, requires_grad=True)
    y = a * b
    assert y.dtype == rp.float64
    y.sum().backward()
    assert a.grad.dtype == rp.float32 and b.grad.dtype == rp.float64


def test_comparisons_have_no_gradient():
    x = rp.randn(3, requires_grad=True)
    for m in (x > 0, x == x, x.eq(0), rp.lt(x, 1), x <= 0, x != 0, x >= 0, rp.isnan(x), x.argmax()):
        assert not m.requires_grad and m.grad_fn is None
    assert (x > 0).dtype == rp.bool


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        rp.arange(3).requires_grad_()
    x = rp.ones(2, requires_grad=True)
    assert not x.long().requires_grad


def test_deep_chain_does_not_recurse():
    x = rp.ones(1, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_backward_kernels_learn_whether_leaves_may_be_written():
    from retroprop.autograd import engine

    seen = []

    class Probe(rp.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1

        @staticmethod
        def backward(ctx, g):
            seen.append(engine.accumulate_into_leaves())
            return g

    x = rp.ones(2, requires_grad=True)
    Probe.apply(x).sum().backward()
    rp.autograd.grad(Probe.apply(x).sum(), x)
    Probe.apply(x).sum().backward(inputs=[x])
    assert seen == [True, False, False] and engine.accumulate_into_leaves()


def test_grad_mode_decorators_without_parentheses():
    @rp.no_grad
    def f(t):
        return t * 2

    @rp.inference_mode
    def g(t):
        return t * 2

    x = rp.ones(1, requires_grad=True)
    assert not f(x).requires_grad and not g(x).requires_grad and f.__name__ == "f"
    with rp.inference_mode(False):
        assert (x * 1).requires_grad


def test_numpy_operands_defer_to_the_tensor():
    t = rp.ones(2, requires_grad=True)
    for r in (np.ones(2, np.float32) * t, np.float32(2) + t, np.ones(2, np.float32) - t):
        assert isinstance(r, rp.Tensor) and r.requires_grad
