"""The generator's state round trip (get_rng_state/set_rng_state, Generator.get_state/set_state)."""
import numpy as np
import pytest

import retroprop as rp


def test_restored_state_repeats_the_same_numbers():
    """Every sampler reads the one stream: restoring the state replays all of them."""
    rp.manual_seed(123)
    rp.rand(3)
    state = rp.get_rng_state()
    first = [rp.randn(4).numpy().copy(), rp.rand(2, 2).numpy().copy(), rp.randint(0, 100, (5,)).numpy().copy(),
             rp.randperm(6).numpy().copy(), rp.empty(3).normal_().numpy().copy()]
    rp.set_rng_state(state)
    again = [rp.randn(4).numpy(), rp.rand(2, 2).numpy(), rp.randint(0, 100, (5,)).numpy(), rp.randperm(6).numpy(),
             rp.empty(3).normal_().numpy()]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_state_is_a_uint8_tensor_and_a_snapshot():
    """As torch's ByteTensor: a tensor of uint8 that later draws do not change."""
    rp.manual_seed(7)
    state = rp.get_rng_state()
    copy = state.numpy().copy()
    assert isinstance(state, rp.Tensor) and state.dtype == rp.uint8 and state.ndim == 1
    rp.randn(10)
    np.testing.assert_array_equal(state.numpy(), copy)
    assert not np.array_equal(rp.get_rng_state().numpy(), copy)


def test_state_keeps_the_initial_seed():
    rp.manual_seed(99)
    state = rp.get_rng_state()
    rp.manual_seed(5)
    rp.set_rng_state(state)
    assert rp.initial_seed() == 99


def test_generator_objects_round_trip():
    g = rp.Generator().manual_seed(3)
    state = g.get_state()
    a = rp.randn(4, generator=g).numpy().copy()
    g.set_state(state)
    np.testing.assert_array_equal(rp.randn(4, generator=g).numpy(), a)


@pytest.mark.parametrize("bad, exc", [({"state": 1}, TypeError), (rp.zeros(56), TypeError),
                                      (rp.zeros(5056, dtype=rp.uint8), RuntimeError)])
def test_set_rng_state_rejects_other_states(bad, exc):
    """Not a uint8 tensor: TypeError (as torch); torch's own 5056-byte state: a clear RuntimeError."""
    with pytest.raises(exc, match="state"):
        rp.set_rng_state(bad)


def test_torch_state_type_matches():
    torch = pytest.importorskip("torch")
    assert str(torch.get_rng_state().dtype) == "torch." + str(rp.get_rng_state().dtype)


def test_state_survives_a_checkpoint(tmp_path):
    """The resume idiom: save get_rng_state() with the model, set_rng_state() after load."""
    rp.manual_seed(1)
    rp.save({"rng": rp.get_rng_state()}, tmp_path / "ck.pt")
    expected = rp.rand(3).numpy().copy()
    rp.manual_seed(2)
    rp.set_rng_state(rp.load(tmp_path / "ck.pt")["rng"])
    np.testing.assert_array_equal(rp.rand(3).numpy(), expected)
