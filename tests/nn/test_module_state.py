"""state_dict / load_state_dict: keys as torch, in-place copies, NumPy and torch values, strict errors."""
from collections import OrderedDict

import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn


def mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 2))


def test_state_dict_keys_values_and_detachment():
    m = mlp()
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var",
                        "2.num_batches_tracked", "3.weight", "3.bias"]
    w = sd["0.weight"]
    assert not w.requires_grad and not isinstance(w, nn.Parameter)
    assert np.shares_memory(w._data, m[0].weight._data)  # a view, as torch's state_dict is
    kept = m.state_dict(keep_vars=True)
    assert kept["0.weight"] is m[0].weight
    assert list(m.state_dict(prefix="model."))[0] == "model.0.weight"


def test_non_persistent_and_none_entries_are_left_out():
    m = nn.Module()
    m.register_buffer("kept", rp.tensor([1.0]))
    m.register_buffer("temp", rp.tensor([2.0]), persistent=False)
    m.register_buffer("absent", None)
    m.register_parameter("nothing", None)
    assert list(m.state_dict()) == ["kept"]
    m.register_buffer("temp", rp.tensor([2.0]), persistent=True)
    assert list(m.state_dict()) == ["kept", "temp"]


def test_round_trip_copies_in_place():
    src, dst = mlp(), mlp()
    weight = dst[0].weight
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert dst[0].weight is weight  # same Parameter object: optimizers keep working
    for (k, a), (_, b) in zip(src.state_dict().items(), dst.state_dict().items()):
        np.testing.assert_array_equal(a._data, b._data, err_msg=k)
        assert not np.shares_memory(a._data, b._data)


def test_load_accepts_numpy_arrays_and_converts_dtype():
    m = mlp()
    arrays = {k: np.full(v.shape, 0.5, dtype=np.float64) for k, v in m.state_dict().items()}
    arrays["2.num_batches_tracked"] = np.array(7)
    version = m[0].weight._version
    m.load_state_dict(arrays)
    assert m[0].weight.dtype == np.float32 and (m[0].weight._data == 0.5).all()
    assert m[2].num_batches_tracked._data == 7 and m[2].num_batches_tracked.dtype == np.int64
    assert m[0].weight._version > version


def test_load_from_torch_state_dict():
    torch = pytest.importorskip("torch")
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 2))
    m = mlp()
    m.load_state_dict(ref.state_dict())
    for k, v in ref.state_dict().items():
        np.testing.assert_array_equal(m.state_dict()[k]._data, v.numpy(), err_msg=k)


def test_torch_loads_our_state_dict_strictly():
    torch = pytest.importorskip("torch")
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 2))
    m = mlp()
    m[2](rp.tensor(np.random.default_rng(0).standard_normal((5, 8)).astype(np.float32)))  # move running stats
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in m.state_dict().items()})
    for k, v in ref.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), m.state_dict()[k].numpy(), err_msg=k)


def test_strict_errors_name_the_keys():
    m = mlp()
    sd = m.state_dict()
    del sd["3.bias"]
    sd["extra.weight"] = np.zeros(2)
    with pytest.raises(RuntimeError) as err:
        m.load_state_dict(sd)
    msg = str(err.value)
    assert msg.startswith("Error(s) in loading state_dict for Sequential:")
    assert 'Missing key(s) in state_dict: "3.bias".' in msg
    assert 'Unexpected key(s) in state_dict: "extra.weight".' in msg
    assert msg.index("Missing") < msg.index("Unexpected")


def test_non_strict_returns_missing_and_unexpected():
    m = mlp()
    sd = m.state_dict()
    del sd["0.weight"]
    sd["bogus"] = np.zeros(1)
    result = m.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["0.weight"] and result.unexpected_keys == ["bogus"]
    missing, unexpected = result
    assert missing == ["0.weight"]


def test_shape_mismatch_is_an_error_even_when_not_strict():
    m = mlp()
    sd = dict(m.state_dict())
    sd["0.weight"] = np.zeros((4, 8), dtype=np.float32)
    for strict in (True, False):
        with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: copying a param with shape "
                                               r"torch.Size\(\[4, 8\]\) from checkpoint, the shape in current "
                                               r"model is torch.Size\(\[8, 4\]\)"):
            m.load_state_dict(sd, strict=strict)


def test_matches_torch_error_text():
    torch = pytest.importorskip("torch")
    ours, ref = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    bad = {"weight": np.zeros((2, 3), dtype=np.float32), "other": np.zeros(1, dtype=np.float32)}
    with pytest.raises(RuntimeError) as ours_err:
        ours.load_state_dict(bad)
    with pytest.raises(RuntimeError) as ref_err:
        ref.load_state_dict({k: torch.from_numpy(v) for k, v in bad.items()})
    assert str(ours_err.value) == str(ref_err.value)


def test_values_of_a_wrong_type_are_a_type_error_naming_the_key():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match='"weight"'):
        m.load_state_dict({"weight": "zeros", "bias": np.zeros(2)})
    with pytest.raises(TypeError, match="dict-like"):
        m.load_state_dict([1, 2])


def test_optimizer_view_survives_load():
    m = nn.Linear(2, 2)
    params = list(m.parameters())
    m.load_state_dict({"weight": np.eye(2, dtype=np.float32), "bias": np.zeros(2, dtype=np.float32)})
    assert params[0] is m.weight
    np.testing.assert_array_equal(params[0]._data, np.eye(2))
