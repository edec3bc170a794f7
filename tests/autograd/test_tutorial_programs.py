"""A raw-autograd fit written once against the torch API and run with lib = retroprop and
lib = torch: both must fit equally well. (The polynomial-fit tutorials themselves run unedited
through as_torch in tests/examples/.)"""
import math

import pytest

import retroprop as rp


def fit_with_tensor_exponent(lib):
    """Features via x.unsqueeze(-1).pow(p) with an int64 exponent tensor, weights as one vector."""
    x = lib.linspace(-1, 1, 200)
    y = x ** 3 - x
    p = lib.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    w = lib.zeros(3, requires_grad=True)
    for _ in range(300):
        loss = ((xx @ w - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            w.sub_(0.5 * w.grad)
            w.grad.zero_()
    return loss.item()


PROGRAMS = [fit_with_tensor_exponent]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda f: f.__name__)
def test_program_fits(program):
    loss = program(rp)
    assert math.isfinite(loss)
    torch = pytest.importorskip("torch")
    ref = program(torch)
    # The program is deterministic (zero initial weights); the bound is 1.5x the larger of
    # torch's loss and 10, kept as it was when the random-start tutorials lived here too.
    assert loss <= max(ref, 10.0) * 1.5
