"""Shared fixtures: every instruction-set path the machine runs, switched in-process."""
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
