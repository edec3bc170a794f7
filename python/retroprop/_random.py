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
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


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
