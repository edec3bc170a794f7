"""repr / str of tensors as torch 2.13 prints them, character for character (torch's
_tensor_str rules: per-tensor int/sci/fixed mode, linewidth wrapping, summarising, suffixes)."""
import math

import numpy as np
import pytest

import retroprop as rp

CASES = {
    "fixed": lambda t: t.tensor([0.12345, 1.0, -2.5]),
    "int_valued_floats": lambda t: t.tensor([1.0, -2.0, 300.0]),
    "scalar": lambda t: t.tensor(3.25),
    "scalar_int": lambda t: t.tensor(-7),
    "scalar_sci": lambda t: t.tensor(123456.0),
    "nan_inf": lambda t: t.tensor([1.0, math.nan, -math.inf]),
    "nan_inf_fraction": lambda t: t.tensor([1.5, math.nan, math.inf]),
    "all_nan": lambda t: t.tensor([math.nan, math.nan]),
    "bools": lambda t: t.tensor([True]),
    "bools_mixed": lambda t: t.tensor([[True, False], [False, True]]),
    "sci_large": lambda t: t.tensor([123456.0, 1.5]),
    "sci_small": lambda t: t.tensor([1e-5, 0.5]),
    "sci_huge_ints": lambda t: t.tensor([1e9, 1.0]),
    "mixed_magnitudes": lambda t: t.tensor([[1e-3, 2.0], [3.0, 4e2]]),
    "negative_zero": lambda t: t.tensor([-0.0, 1.0]),
    "only_negative_zero": lambda t: t.tensor([-0.0]),
    "int64": lambda t: t.tensor([1, -20, 300]),
    "large_ints": lambda t: t.tensor([2 ** 62, -3]),
    "int32": lambda t: t.tensor([1, 2], dtype=t.int32),
    "uint8": lambda t: t.tensor([1, 255], dtype=t.uint8),
    "float64": lambda t: t.tensor([1.0, 2.5], dtype=t.float64),
    "float16": lambda t: t.tensor([1.0, 2.5], dtype=t.float16),
    "empty": lambda t: t.tensor([]),
    "empty_2d": lambda t: t.zeros(0, 3),
    "empty_int": lambda t: t.zeros(0, dtype=t.int64),
    "empty_float64_2d": lambda t: t.zeros(2, 0, dtype=t.float64),
    "requires_grad": lambda t: t.tensor([1.0, 2.0], requires_grad=True),
    "grad_fn": lambda t: t.tensor([1.0, 2.0], requires_grad=True) + 1,
    "grad_fn_sum": lambda t: t.tensor([1.0, 2.0], requires_grad=True).sum(),
    "nested_3d": lambda t: t.arange(24, dtype=t.float32).reshape(2, 3, 4) / 7,
    "wrap_row": lambda t: t.arange(30, dtype=t.float32) / 3,
    "wrap_int_row": lambda t: t.arange(40),
    "wrap_suffix": lambda t: (t.arange(19, dtype=t.float64) / 3).requires_grad_(),
    "summarised_1d": lambda t: t.arange(2000, dtype=t.float32) / 7,
    "summarised_2d": lambda t: t.arange(1_000_000, dtype=t.float32).reshape(1000, 1000),
    "summarised_3d_int": lambda t: t.arange(3000).reshape(10, 10, 30),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_and_str_match_torch(name):
    torch = pytest.importorskip("torch")
    ours, ref = CASES[name](rp), CASES[name](torch)
    assert repr(ours) == repr(ref)
    assert str(ours) == str(ref)


def test_print_matches_torch(capsys):
    torch = pytest.importorskip("torch")
    print(CASES["mixed_magnitudes"](rp))
    ours = capsys.readouterr().out
    print(CASES["mixed_magnitudes"](torch))
    assert ours == capsys.readouterr().out


OPTIONS = [dict(precision=2), dict(threshold=5), dict(edgeitems=1, threshold=5), dict(linewidth=30),
           dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"), dict(profile="full"),
           dict(edgeitems=0, threshold=5)]


@pytest.mark.parametrize("opts", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_set_printoptions_matches_torch(opts):
    torch = pytest.importorskip("torch")
    makers = [CASES["fixed"], CASES["sci_large"], CASES["wrap_row"], CASES["nested_3d"], CASES["int64"],
              lambda t: t.arange(1200, dtype=t.float32).reshape(40, 30) / 9]
    try:
        rp.set_printoptions(**opts)
        torch.set_printoptions(**opts)
        for make in makers:
            assert repr(make(rp)) == repr(make(torch))
    finally:
        rp.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_printing_a_large_tensor_formats_only_the_shown_values(monkeypatch):
    """A 1000 x 1000 print measures and formats edgeitems per dimension, not a million values."""
    from retroprop import _printing
    calls = []
    orig = _printing._Formatter.format
    monkeypatch.setattr(_printing._Formatter, "format", lambda self, v: calls.append(v) or orig(self, v))
    text = repr(rp.zeros(1000, 1000))
    assert "..." in text and len(calls) == 36  # 6 rows x 6 columns
