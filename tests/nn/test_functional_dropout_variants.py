"""dropout1d and alpha_dropout (and their modules): torch's masks' structure and scaling, the
values torch produces for kept and dropped elements, gradients through the mask, eval identity."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn
import retroprop.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def test_dropout1d_zeroes_whole_channels_and_scales():
    rp.manual_seed(0)
    data = np.random.default_rng(0).uniform(1, 2, (8, 16, 5))
    x = rp.tensor(data, requires_grad=True)
    y = F.dropout1d(x, 0.25)
    out = y.detach().numpy()
    dropped = np.all(out == 0, axis=-1)
    kept = ~dropped
    # Each (sample, channel) is all zero or all data / (1 - p); exact (one multiply).
    np.testing.assert_allclose(out[kept], data[kept] / 0.75, rtol=1e-15)
    assert 0 < dropped.sum() < dropped.size
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept[..., None], 1 / 0.75, 0.0) * np.ones_like(data), rtol=1e-15)


def test_dropout1d_unbatched_eval_and_errors():
    x = rp.randn(4, 6)
    assert F.dropout1d(x, 0.5, training=False) is x
    assert np.all(F.dropout1d(x, 1.0).numpy() == 0)
    out = F.dropout1d(x, 0.5).numpy()
    assert all(np.all(row == 0) or np.allclose(row, 2 * x.numpy()[i]) for i, row in enumerate(out))
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        F.dropout1d(rp.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout1d(x, 1.5)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_values_match_torch(p):
    # On zeros the output is torch's offset b alone: the same two values (kept, dropped).
    torch.manual_seed(0)
    theirs = np.unique(TF.alpha_dropout(torch.zeros(4000, dtype=torch.float64), p, True).numpy())
    ours = np.unique(F.alpha_dropout(rp.zeros(4000, dtype=rp.float64), p, True).numpy())
    np.testing.assert_allclose(ours, theirs, rtol=1e-15)
    # And kept elements are a * x + b: check the slope on ones.
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * p + 1) * (1 - p))
    x = rp.ones(4000, dtype=rp.float64, requires_grad=True)
    y = F.alpha_dropout(x, p, True)
    y.sum().backward()
    g = x.grad.numpy()
    assert set(np.unique(g)) <= {0.0, a}
    np.testing.assert_allclose(y.detach().numpy()[g != 0], a + theirs.max(), rtol=1e-15)


def test_alpha_dropout_preserves_standard_normal_moments():
    rp.manual_seed(1)
    x = rp.randn(200000, dtype=rp.float64)
    y = F.alpha_dropout(x, 0.3, True).numpy()
    # n = 2e5: the sample mean and variance's standard errors are ~0.003; 0.02 is > 6 sigma.
    assert abs(y.mean()) < 0.02 and abs(y.var() - 1) < 0.02


def test_alpha_dropout_defaults_and_modules():
    x = rp.randn(3, 4)
    assert F.alpha_dropout(x) is x  # training defaults to False, as torch
    assert F.alpha_dropout(x, 0.0, True) is x
    assert np.all(F.alpha_dropout(x, 1.0, True).numpy() == 0)
    for ours, theirs in [(nn.AlphaDropout(), torch.nn.AlphaDropout()), (nn.Dropout1d(0.2, True), torch.nn.Dropout1d(0.2, True))]:
        assert str(ours) == str(theirs)
    m = nn.AlphaDropout(0.5)
    m.eval()
    assert m(x) is x
    m.train()
    assert not np.allclose(m(x).numpy(), x.numpy())
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout1d(-0.1)


def test_inplace_forms():
    x = rp.ones(2, 3, 4)
    v = x._version
    assert F.dropout1d(x, 0.5, inplace=True) is x and x._version == v + 1
    assert set(np.unique(x.numpy())) <= {0.0, 2.0}
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.alpha_dropout(rp.ones(3, requires_grad=True), 0.5, True, inplace=True)
