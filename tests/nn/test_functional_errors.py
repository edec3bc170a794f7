"""Bad arguments to nn.functional raise clear Python exceptions naming the function and shapes
(never a crash or garbage), before any kernel computes anything."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn.functional as F


def t(a, **kw):
    return rp.tensor(np.asarray(a), **kw)


X = t(np.zeros((4, 3), np.float32))


def test_cross_entropy_target_out_of_range():
    with pytest.raises(IndexError, match=r"target 3 .* out of bounds for 3 classes.*input \(4, 3\), target \(4,\)"):
        F.cross_entropy(X, t([0, 1, 3, 0]))
    with pytest.raises(ValueError, match="target -2"):  # also a ValueError
        F.cross_entropy(X, t([0, -2, 1, 0]))
    with pytest.raises(IndexError, match="nll_loss: target 7"):
        F.nll_loss(X, t([0, 7, 1, 0]))


def test_class_losses_reject_float_targets():
    with pytest.raises(TypeError, match="cross_entropy: expected target to hold integer class indices.*float32"):
        F.cross_entropy(X, t(np.zeros(4, np.float32)))
    with pytest.raises(TypeError, match="nll_loss"):
        F.nll_loss(X, t(np.zeros(4)))


def test_batch_size_mismatch():
    with pytest.raises(ValueError, match=r"cross_entropy: expected input batch_size \(4\) to match target batch_size \(3\)"):
        F.cross_entropy(X, t([0, 1, 2]))
    with pytest.raises(ValueError, match=r"expected target of shape \(4, 5\)"):
        F.cross_entropy(t(np.zeros((4, 3, 5))), t(np.zeros((4, 6), np.int64)))


def test_bad_reduction_and_smoothing_and_weight():
    with pytest.raises(ValueError, match="cross_entropy: 'avg' is not a valid value for reduction"):
        F.cross_entropy(X, t([0, 1, 2, 0]), reduction="avg")
    with pytest.raises(ValueError, match="mse_loss: 'x' is not a valid value"):
        F.mse_loss(X, X, reduction="x")
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(X, t([0, 1, 2, 0]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"expected weight of shape \(3,\)"):
        F.cross_entropy(X, t([0, 1, 2, 0]), weight=t(np.ones(4, np.float32)))


def test_linear_shape_and_dtype_errors():
    w = t(np.zeros((5, 3), np.float32))
    with pytest.raises(ValueError, match=r"linear: input of shape \(4, 2\) and weight of shape \(5, 3\) do not match"):
        F.linear(t(np.zeros((4, 2), np.float32)), w)
    with pytest.raises(ValueError, match=r"bias of shape \(4,\) does not match weight of shape \(5, 3\)"):
        F.linear(t(np.zeros((4, 3), np.float32)), w, t(np.zeros(4, np.float32)))
    with pytest.raises(TypeError, match="linear: expected all tensors to have one dtype, got input float64, weight float32"):
        F.linear(t(np.zeros((4, 3))), w)
    with pytest.raises(TypeError, match="linear: expected input to be float32 or float64, got int64"):
        F.linear(t(np.zeros((4, 3), np.int64)), w)
    with pytest.raises(ValueError, match="_linear_act: unknown activation 'swish'"):
        F._linear_act(t(np.zeros((4, 3), np.float32)), w, None, "swish")


def test_elementwise_errors():
    with pytest.raises(ValueError, match=r"mse_loss: input of shape \(4, 3\) and target of shape \(2,\) cannot be broadcast"), \
            pytest.warns(UserWarning, match="Using a target size"):  # torch warns before failing too
        F.mse_loss(X, t(np.zeros(2, np.float32)))
    with pytest.raises(ValueError, match="binary_cross_entropy: all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(t([2.0, 0.5]), t([1.0, 0.0]))
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh'"):
        F.gelu(X, approximate="fast")
    with pytest.raises(IndexError, match="softmax: dimension out of range"):
        F.softmax(X, dim=2)
    with pytest.raises(TypeError, match="sigmoid: expected a float32 or float64 tensor, got int64"):
        F.sigmoid(t([1, 2]))
    with pytest.raises(ValueError, match="dropout: probability has to be between 0 and 1"):
        F.dropout(X, 1.5)
    with pytest.raises(IndexError, match=r"embedding: index out of range"):
        F.embedding(t([0, 5]), t(np.zeros((3, 2))))
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape \[4\] does not match"):
        F.layer_norm(X, [4])


def test_relu_on_integers_has_no_gradient_path():
    np.testing.assert_array_equal(F.relu(t([-1, 2])).numpy(), [0, 2])
