"""Custom autograd Functions: ctx.save_for_backward, needs_input_grad, non-tensor arguments,
several outputs, mark_non_differentiable."""
import numpy as np
import pytest

import retroprop as rp


class LegendreP3(rp.autograd.Function):
    """The custom Function of PyTorch's polynomial tutorial."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x ** 3 - 3 * x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 1.5 * (5 * x ** 2 - 1)


def test_apply_forward_backward_and_gradcheck():
    x = rp.tensor([0.5, -1.0], requires_grad=True)
    y = LegendreP3.apply(x)
    assert y.grad_fn is not None and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (5 * np.array([0.25, 1.0]) - 1), rtol=1e-6)
    x64 = rp.randn(4, dtype=rp.float64, requires_grad=True)
    assert rp.autograd.gradcheck(LegendreP3.apply, (x64,))


class ScaleShift(rp.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, shift):
        ctx.scale = scale
        seen.append(ctx.needs_input_grad)
        return x * scale + shift

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale, None, g if ctx.needs_input_grad[2] else None


seen = []


def test_non_tensor_arguments_and_needs_input_grad():
    x = rp.ones(2, requires_grad=True)
    b = rp.zeros(2)
    ScaleShift.apply(x, 3.0, b).sum().backward()
    assert seen[-1] == (True, False, False) and x.grad.tolist() == [3.0, 3.0] and b.grad is None


class SplitSum(rp.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x, (x > 0)

    @staticmethod
    def backward(ctx, g1, g2, g3):
        (x,) = ctx.saved_tensors
        return g1 * 2 + g2 * 2 * x


def test_several_outputs_and_non_differentiable_output():
    x = rp.tensor([1.0, -3.0], requires_grad=True)
    a, b, mask = SplitSum.apply(x)
    assert not mask.requires_grad and mask.dtype == rp.bool
    (a.sum() + b.sum()).backward()
    assert x.grad.tolist() == [2 + 2, 2 - 6]
    x.grad = None
    _, b, _ = SplitSum.apply(x)
    b.sum().backward()  # only one output used: its gradient alone
    assert x.grad.tolist() == [2.0, -6.0]


def test_no_graph_under_no_grad_and_in_forward():
    x = rp.ones(2, requires_grad=True)
    with rp.no_grad():
        assert not LegendreP3.apply(x).requires_grad

    class Probe(rp.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            assert not rp.is_grad_enabled()
            return t * 1

        @staticmethod
        def backward(ctx, g):
            return g

    assert Probe.apply(x).requires_grad


def test_saved_tensor_modified_in_place_is_detected():
    x = rp.ones(2, requires_grad=True)
    h = x * 1
    y = LegendreP3.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_custom_function_matches_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        class P3(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return 0.5 * (5 * x ** 3 - 3 * x)

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * 1.5 * (5 * x ** 2 - 1)

        x = lib.tensor([0.3, -0.7, 1.2], requires_grad=True)
        y = P3.apply(x * 2)
        (y * y).sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    for r, t in zip(run(rp), run(torch)):
        np.testing.assert_allclose(r, t, rtol=1e-5)
