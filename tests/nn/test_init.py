"""nn.init: gains and fans against torch, distributions by moment tests, in-place semantics, seeding.

Statistical tolerances: with n = 200_000 draws, the sample mean of a distribution with standard
deviation s has standard error s / sqrt(n) ~= 0.0022 s; the sample std's relative standard error
is ~ 1 / sqrt(2n) ~= 0.0016 (a bit more for the uniform). Bounds of 6 standard errors make a
false failure vanishingly rare while still catching a wrong scale (e.g. a missing sqrt(3)).
"""
import math

import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn
from retroprop import _random
from retroprop.nn import init

N_ROWS, N_COLS = 400, 500  # 200_000 values
SE_MEAN = 6 / math.sqrt(N_ROWS * N_COLS)
SE_STD = 6 / math.sqrt(2 * N_ROWS * N_COLS) * 1.5


def big(dtype=np.float32):
    return nn.Parameter(np.zeros((N_ROWS, N_COLS), dtype=dtype))


def check_moments(t, mean, std):
    data = t._data.astype(np.float64)
    assert abs(data.mean() - mean) < SE_MEAN * std
    assert abs(data.std() / std - 1) < SE_STD


@pytest.mark.parametrize("case", [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                                  ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None),
                                  ("conv2d", None)])
def test_calculate_gain_matches_torch(case):
    torch = pytest.importorskip("torch")
    assert init.calculate_gain(*case) == pytest.approx(torch.nn.init.calculate_gain(*case), rel=1e-12)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swishy")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (6, 4, 3, 2), (1, 1)])
def test_fans_match_torch(shape):
    torch = pytest.importorskip("torch")
    ours = init._calculate_fan_in_and_fan_out(rp.tensor(np.zeros(shape, dtype=np.float32)))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))


@pytest.mark.parametrize("fn", [init.uniform_, init.normal_, init.zeros_, init.eye_, init.xavier_uniform_,
                                init.kaiming_uniform_, init.kaiming_normal_, init.trunc_normal_, init.orthogonal_])
def test_initialisers_want_a_tensor(fn):
    with pytest.raises(TypeError, match=r"nn.init.\w+: expected a Tensor, got ndarray"):
        fn(np.zeros((2, 2)))


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(rp.tensor([1.0, 2.0]))


def test_uniform_and_normal_moments_and_bounds():
    t = init.uniform_(big(), -2.0, 4.0)
    assert t._data.min() >= -2.0 and t._data.max() < 4.0
    check_moments(t, 1.0, 6 / math.sqrt(12))
    check_moments(init.normal_(big(np.float64), 0.5, 3.0), 0.5, 3.0)


def test_xavier_scales():
    fan_in, fan_out = N_COLS, N_ROWS
    std = 1.5 * math.sqrt(2.0 / (fan_in + fan_out))
    t = init.xavier_uniform_(big(), gain=1.5)
    assert np.abs(t._data).max() <= math.sqrt(3) * std * (1 + 1e-6)
    check_moments(t, 0.0, std)
    check_moments(init.xavier_normal_(big(), gain=1.5), 0.0, std)


@pytest.mark.parametrize("mode,fan", [("fan_in", N_COLS), ("fan_out", N_ROWS)])
def test_kaiming_scales(mode, fan):
    std = math.sqrt(2.0) / math.sqrt(fan)
    t = init.kaiming_uniform_(big(), mode=mode, nonlinearity="relu")
    assert np.abs(t._data).max() <= math.sqrt(3) * std * (1 + 1e-6)
    check_moments(t, 0.0, std)
    check_moments(init.kaiming_normal_(big(), a=0.1, mode=mode), 0.0,
                  math.sqrt(2.0 / (1 + 0.1**2)) / math.sqrt(fan))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(big(), mode="fan_avg")


def test_trunc_normal_stays_in_bounds_with_truncated_moments():
    t = init.trunc_normal_(big(), mean=0.0, std=1.0, a=-1.0, b=2.0)
    assert t._data.min() >= -1.0 and t._data.max() <= 2.0
    # Moments of N(0, 1) truncated to [a, b]: mean = (phi(a) - phi(b)) / Z, var = 1 + (a phi(a) - b phi(b)) / Z - mean^2.
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    z = 0.5 * (math.erf(2 / math.sqrt(2)) - math.erf(-1 / math.sqrt(2)))
    mean = (phi(-1) - phi(2)) / z
    std = math.sqrt(1 + (-1 * phi(-1) - 2 * phi(2)) / z - mean**2)
    check_moments(t, mean, std)
    with pytest.raises(ValueError, match="rejection sampling"):
        init.trunc_normal_(big(), mean=0.0, std=1.0, a=10.0, b=11.0)


def test_constants_eye_and_orthogonal():
    t = rp.tensor(np.zeros((3, 5), dtype=np.float32))
    assert (init.constant_(t, 0.25)._data == 0.25).all()
    assert (init.ones_(t)._data == 1).all() and not init.zeros_(t)._data.any()
    np.testing.assert_array_equal(init.eye_(t)._data, np.eye(3, 5))
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(rp.tensor(np.zeros((2, 2, 2), dtype=np.float32)))
    for shape in ((3, 5), (5, 3)):
        q = init.orthogonal_(rp.tensor(np.zeros(shape)), gain=2.0)._data
        small = min(shape)
        gram = q @ q.T if shape[0] < shape[1] else q.T @ q
        np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)


def test_init_is_in_place_bumps_version_and_records_no_graph():
    p = nn.Parameter(np.zeros((3, 3), dtype=np.float32))
    buf, version = p._data, p._version
    out = init.normal_(p)
    assert out is p and p._data is buf and p._version == version + 1
    assert p.is_leaf and p.requires_grad and p.dtype == np.float32


def test_seeding_repeats_and_generators_are_independent():
    _random.manual_seed(0)
    a = init.normal_(big())._data.copy()
    _random.manual_seed(0)
    b = init.normal_(big())._data.copy()
    np.testing.assert_array_equal(a, b)
    g = _random.Generator().manual_seed(3)
    c = init.uniform_(big(), generator=g)._data.copy()
    g.manual_seed(3)
    np.testing.assert_array_equal(c, init.uniform_(big(), generator=g)._data)


def test_zero_element_tensor_warns_and_is_left_alone():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(nn.Parameter(np.zeros((0, 3), dtype=np.float32)))


def test_linear_default_init_bounds_and_moments():
    in_f, out_f = 500, 400
    lin = nn.Linear(in_f, out_f)
    bound = 1 / math.sqrt(in_f)
    w, b = lin.weight._data, lin.bias._data
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    check_moments(lin.weight, 0.0, bound / math.sqrt(3))
    assert w.dtype == np.float32 and lin.weight.requires_grad
    assert nn.Linear(2, 3, dtype=np.float64).weight.dtype == np.float64


def test_linear_default_init_matches_torch_distribution():
    torch = pytest.importorskip("torch")
    ref = torch.nn.Linear(500, 400)
    ours = nn.Linear(500, 400)
    assert np.abs(ours.weight._data).max() <= np.abs(ref.weight.detach().numpy()).max() * (1 + 1e-2)
    assert ours.weight._data.std() == pytest.approx(ref.weight.detach().numpy().std(), rel=0.02)


def test_manual_seed_makes_model_initialisation_repeat():
    def build():
        return nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Embedding(6, 3), nn.LayerNorm(3))

    rp.manual_seed(123)
    a = build().state_dict()
    rp.manual_seed(123)
    b = build().state_dict()
    c = build().state_dict()
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
    assert not np.array_equal(a["0.weight"].numpy(), c["0.weight"].numpy())
