"""Random number generation: one global generator (manual_seed) and torch-style Generator objects.

Streams come from NumPy's PCG64, so runs repeat exactly for a given seed (they do not
reproduce torch's numbers, only its API).
"""
import numpy as np


class Generator:
    """A random stream, passed where torch takes `generator=`."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721  # torch's default seed value
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def seed(self):
        seed = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The stream's state as a uint8 tensor (torch's ByteTensor), for set_state to restore."""
        st = self._rng.bit_generator.state
        words = (st["state"]["state"], st["state"]["inc"])
        raw = b"".join(w.to_bytes(16, "little") for w in words)
        raw += int(st["has_uint32"]).to_bytes(8, "little") + int(st["uinteger"]).to_bytes(8, "little")
        raw += (self._seed & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
        from ._tensor import Tensor
        return Tensor._wrap(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from get_state(): the stream continues exactly from where it was taken."""
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor) or new_state.dtype != np.uint8:
            got = new_state.dtype if isinstance(new_state, Tensor) else type(new_state).__name__
            raise TypeError(f"set_state: expected a uint8 tensor (torch.ByteTensor) from get_state(), got {got}")
        raw = new_state._data.tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"set_state: expected a state of {_STATE_BYTES} bytes from retroprop's get_state(), got "
                               f"{len(raw)} (states of torch's Mersenne Twister cannot be loaded)")
        word = lambda i, n: int.from_bytes(raw[i:i + n], "little")  # noqa: E731
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": word(0, 16), "inc": word(16, 16)},
            "has_uint32": word(32, 8), "uinteger": word(40, 8)}
        self._seed = word(48, 8)
        return self


_STATE_BYTES = 56  # PCG64 state and increment (16 bytes each), its buffered 32-bit half (8 + 8), the seed (8)

default_generator = Generator()


def get_rng_state():
    """The global generator's state as a uint8 tensor (torch returns a 5056-byte Mersenne Twister
    state; retroprop's is 56 bytes of PCG64 state: restorable here, not interchangeable with torch's)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the global generator from get_rng_state(): the same random numbers follow."""
    default_generator.set_state(new_state)


def manual_seed(seed):
    """Seed the global generator, so that runs repeat exactly."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def numpy_rng(generator=None):
    """The NumPy Generator behind `generator`, or behind the global one when None."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a retroprop.Generator, got {type(generator).__name__}")
    return generator._rng
