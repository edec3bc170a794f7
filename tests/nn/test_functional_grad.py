"""Float64 finite-difference gradient checks of every differentiable nn.functional function.

A local central-difference checker (retroprop.autograd.gradcheck may not exist yet on this
branch): for out = f(inputs) and a fixed random R, compare d<R, out>/d input from backward with
(<R, f(x + h e_i)> - <R, f(x - h e_i)>) / 2h. h = 1e-6: truncation error O(h^2 f''') ~ 1e-12,
rounding error ~ 1e-16 / 1e-6 = 1e-10, hence atol 1e-6 / rtol 1e-5 with a safe margin. Inputs
are kept away from kinks (|x| > 1e-3 for relu & co, |d| != beta for smooth L1) where the
derivative is undefined."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn.functional as F


def gradcheck(fn, inputs, h=1e-6, atol=1e-6, rtol=1e-5):
    """inputs: float64 arrays (differentiated) or Tensors (passed as they are)."""
    rng = np.random.default_rng(0)
    arrays = [a for a in inputs if isinstance(a, np.ndarray)]
    tensors = [rp.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a for a in inputs]
    out = fn(*tensors)
    r = rng.standard_normal(out.shape)
    out.backward(rp.tensor(r))
    analytic = [t.grad.numpy() for t, a in zip(tensors, inputs) if isinstance(a, np.ndarray)]

    def value():
        args = [rp.tensor(a) if isinstance(a, np.ndarray) else a for a in inputs]
        return float((fn(*args).numpy() * r).sum())

    for a, g in zip(arrays, analytic):
        numeric = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            old = a[i]
            a[i] = old + h
            up = value()
            a[i] = old - h
            down = value()
            a[i] = old
            numeric[i] = (up - down) / (2 * h)
        np.testing.assert_allclose(g, numeric, atol=atol, rtol=rtol)


def away_from_zero(*shape, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape) * 2
    return np.where(np.abs(x) < 1e-2, 0.5, x)


ACTS = {
    "relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.1), "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "silu": F.silu, "tanh": F.tanh, "sigmoid": F.sigmoid,
    "softmax": lambda x: F.softmax(x, 1), "log_softmax": lambda x: F.log_softmax(x, 0),
}


@pytest.mark.parametrize("name", list(ACTS))
def test_activation_gradcheck(name):
    gradcheck(ACTS[name], [away_from_zero(3, 4)])


@pytest.mark.parametrize("act", ["none", "relu", "leaky_relu", "gelu", "gelu_tanh", "silu", "tanh", "sigmoid"])
def test_linear_act_gradcheck(act):
    x, w, b = away_from_zero(3, 4), away_from_zero(5, 4, seed=1) * 0.3, away_from_zero(5, seed=2)
    # keep pre-activations off relu's kink: shift the bias where x w^T + b is near zero
    z = x @ w.T + b
    b = b + np.where(np.abs(z).min(0) < 1e-2, 0.1, 0.0)
    gradcheck(lambda x, w, b: F._linear_act(x, w, b, act, 0.2), [x, w, b])


@pytest.mark.parametrize("act", ["none", "relu", "gelu", "sigmoid"])
@pytest.mark.parametrize("needs", [(False, False, True), (True, False, True), (False, True, False), (True, True, False)])
def test_linear_act_grads_for_any_subset_of_inputs_and_accumulated(act, needs):
    """Backward folds act' and the bias gradient into the GEMMs' packing of dY; when dW is not
    wanted the bias gradient takes its own pass. Every subset must give the all-inputs gradients,
    and a second backward must add to .grad (the bias's row sums accumulate). Same arithmetic
    on the same float64 values, so 1e-12 relative covers the summation-order differences."""
    x, w, b = away_from_zero(6, 4), away_from_zero(5, 4, seed=1) * 0.3, away_from_zero(5, seed=2)
    r = np.random.default_rng(3).standard_normal((6, 5))

    def grads(flags, passes=1):
        ts = [rp.tensor(a, requires_grad=f) for a, f in zip((x, w, b), flags)]
        for _ in range(passes):
            F._linear_act(*ts, act, 0.2).backward(rp.tensor(r))
        return [t.grad.numpy() if f else None for t, f in zip(ts, flags)]

    full = grads((True, True, True))
    for got, want in zip(grads(needs), full):
        if got is not None:
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    for got, want in zip(grads(needs, passes=2), full):
        if got is not None:
            np.testing.assert_allclose(got, 2 * want, rtol=1e-12, atol=1e-12)


FUSABLE = {"relu": F.relu, "leaky_relu": lambda t: F.leaky_relu(t, 0.2), "leaky_relu_neg": lambda t: F.leaky_relu(t, -0.3),
           "gelu": F.gelu, "silu": F.silu, "tanh": F.tanh, "sigmoid": F.sigmoid}


@pytest.mark.parametrize("name", list(FUSABLE))
def test_activation_of_a_linear_output_folds_into_the_linear_backward(name):
    """F.relu(fc(x)) & co.: the activation's node goes straight to x, W, b with the fused
    backward. Its gradients must equal the unfused graph's (the activation applied to h * 1,
    which has a node of its own) to 1e-12 (same float64 arithmetic, summation order aside),
    also when h is used again elsewhere and when x has leading dimensions; and it passes
    gradcheck."""
    act = FUSABLE[name]
    rng = np.random.default_rng(7)
    for xshape in [(6, 4), (2, 3, 4)]:
        x, w, b = away_from_zero(*xshape), away_from_zero(5, 4, seed=1) * 0.3, away_from_zero(5, seed=2)
        r1 = rng.standard_normal(xshape[:-1] + (5,))
        r2 = rng.standard_normal(xshape[:-1] + (5,))

        def grads(fused, reuse):
            ts = [rp.tensor(a, requires_grad=True) for a in (x, w, b)]
            h = F.linear(*ts)
            y = act(h if fused else h * 1.0)
            if fused:
                assert {id(p) for p in y._node.parents} == {id(t) for t in ts}, "not folded into the Linear"
            loss = (y * rp.tensor(r1)).sum()
            if reuse:
                loss = loss + (h * rp.tensor(r2)).sum()
            loss.backward()
            return [t.grad.numpy() for t in ts]

        for reuse in (False, True):
            for got, want in zip(grads(True, reuse), grads(False, reuse)):
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    gradcheck(lambda x, w, b: act(F.linear(x, w, b)), [away_from_zero(3, 4), away_from_zero(5, 4, seed=1) * 0.3,
                                                       away_from_zero(5, seed=2)])


def test_linear_3d_gradcheck():
    gradcheck(F.linear, [away_from_zero(2, 3, 4), away_from_zero(5, 4, seed=1)])


@pytest.mark.parametrize("kw", [dict(), dict(reduction="sum", label_smoothing=0.3), dict(reduction="none", ignore_index=1)])
def test_cross_entropy_gradcheck(kw):
    t = rp.tensor(np.array([0, 1, 2, 1]))
    w = rp.tensor(np.array([0.5, 1.0, 2.0]))
    gradcheck(lambda x: F.cross_entropy(x, t, **kw), [away_from_zero(4, 3)])
    gradcheck(lambda x: F.cross_entropy(x, t, weight=w, **kw), [away_from_zero(4, 3)])


def test_nll_loss_gradcheck():
    t = rp.tensor(np.array([0, 2, 1]))
    gradcheck(lambda x: F.nll_loss(x, t, weight=rp.tensor(np.array([1.0, 2.0, 3.0]))), [away_from_zero(3, 3)])


@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
                                     ("huber_loss", {"delta": 0.5}), ("binary_cross_entropy_with_logits", {})])
def test_regression_loss_gradcheck(name, kw):
    x, t = away_from_zero(3, 4), np.random.default_rng(5).uniform(0, 1, (3, 4))
    gradcheck(lambda x, t: getattr(F, name)(x, t, **kw), [x, t])


def test_binary_cross_entropy_gradcheck():
    p = np.random.default_rng(1).uniform(0.1, 0.9, (3, 4))
    t = np.random.default_rng(2).uniform(0, 1, (3, 4))
    gradcheck(F.binary_cross_entropy, [p, t])
    pw = rp.tensor(np.array([0.5, 1.0, 2.0, 3.0]))
    gradcheck(lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw), [away_from_zero(3, 4), t])


def test_layer_norm_gradcheck():
    gradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), [away_from_zero(3, 4), away_from_zero(4, seed=1), away_from_zero(4, seed=2)])


def test_embedding_gradcheck():
    idx = rp.tensor(np.array([[0, 2], [2, 1]]))
    gradcheck(lambda w: F.embedding(idx, w), [away_from_zero(3, 4)])


def test_gradcheck_detects_a_wrong_gradient():
    """The checker itself can fail: dropout's mask changes between evaluations."""
    with pytest.raises(AssertionError):
        gradcheck(lambda x: F.dropout(x, 0.5), [away_from_zero(4, 4)])
