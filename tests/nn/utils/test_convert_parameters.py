"""parameters_to_vector / vector_to_parameters: order, shapes, round trip, errors."""
import numpy as np
import pytest

import retroprop as rp
from retroprop.nn.utils import parameters_to_vector, vector_to_parameters


def test_round_trip_preserves_order_and_shapes():
    params = [rp.nn.Parameter(np.arange(6.0).reshape(2, 3)), rp.nn.Parameter(np.array([10.0, 11.0]))]
    vec = parameters_to_vector(params)
    np.testing.assert_array_equal(vec._data, [0, 1, 2, 3, 4, 5, 10, 11])
    vector_to_parameters(rp.from_numpy(vec._data * 2), params)
    np.testing.assert_array_equal(params[0]._data, np.arange(6.0).reshape(2, 3) * 2)
    np.testing.assert_array_equal(params[1]._data, [20.0, 22.0])
    assert params[0]._version == 1


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (4,), (2, 2, 2)]]
    ours = parameters_to_vector([rp.nn.Parameter(a) for a in arrays])
    theirs = torch.nn.utils.parameters_to_vector([torch.nn.Parameter(torch.from_numpy(a)) for a in arrays])
    np.testing.assert_array_equal(ours._data, theirs.detach().numpy())


def test_errors():
    params = [rp.nn.Parameter(np.zeros(3))]
    with pytest.raises(TypeError, match="expected a Tensor"):
        vector_to_parameters(np.zeros(3), params)
    with pytest.raises(ValueError, match="vector of 4 elements for parameters of 3"):
        vector_to_parameters(rp.from_numpy(np.zeros(4)), params)
    with pytest.raises(TypeError, match="expected a Tensor"):
        parameters_to_vector([np.zeros(3)])
