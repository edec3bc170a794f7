"""Shared fixtures: every instruction-set path, switched in-process; results per thread count."""
import pytest

from retroprop import _core


def _isas():
    return [isa for isa in _core.build_info()["isa_supported"]]


@pytest.fixture(params=_isas())
def isa(request):
    """Run the test with each supported kernel path active, restoring the default after."""
    before = _core.isa()
    _core.set_isa(request.param)
    yield request.param
    _core.set_isa(before)


@pytest.fixture
def per_thread_count():
    """per_thread_count(fn): fn()'s results with 1, 2 and 3 kernel threads (more threads than
    cores included), in that order; the thread count is restored after."""

    def run(fn, counts=(1, 2, 3)):
        before = _core.get_num_threads()
        try:
            outs = []
            for threads in counts:
                _core.set_num_threads(threads)
                outs.append(fn())
            return outs
        finally:
            _core.set_num_threads(before)

    return run
