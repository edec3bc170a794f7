"""F.pad against torch: constant padding of trailing dims (torch's pad-tuple order, negative
amounts cropping, integer inputs), reflect / replicate / circular, gradients and errors."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn.functional as F
from retroprop.autograd import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


@pytest.mark.parametrize("shape, pad, mode, value", [
    ((2, 3), (1, 2), "constant", None),
    ((2, 3, 4), (1, 0, 2, 1), "constant", 1.5),
    ((2, 3, 4), (0, 0, 0, 0, 1, 1), "constant", -2.0),
    ((2, 3, 4), (-1, 2, 1, -2), "constant", 0.0),
    ((2, 5), (-2, -3), "constant", None),
    ((2, 3, 5), (2, 3), "reflect", None),
    ((2, 3, 4, 5), (1, 2, 3, 0), "reflect", None),
    ((2, 3, 4), (3, 1), "replicate", None),
    ((1, 2, 3, 4, 5), (1, 1, 2, 0, 0, 2), "replicate", None),
    ((2, 3, 4), (4, 2), "circular", None),
    ((2, 3, 4, 5), (1, 2, 3, 1), "circular", None),
])
def test_pad_matches_torch(shape, pad, mode, value):
    data = np.random.default_rng(0).standard_normal(shape)
    x, tx = rp.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = F.pad(x, pad, mode, value), TF.pad(tx, pad, mode, value)
    assert tuple(y.shape) == tuple(ty.shape)
    r = np.random.default_rng(1).standard_normal(tuple(ty.shape))
    (y * rp.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    # Copies and sums of copies: exact up to summation order (1e-14).
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14, atol=1e-14)


def test_pad_gradcheck_and_integer_input():
    x = rp.tensor(np.random.default_rng(2).standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.pad(t, (1, -1, 2, 0), value=3.0), (x,), eps=1e-6, atol=1e-6, rtol=1e-5)
    assert gradcheck(lambda t: F.pad(t, (2, 1), mode="reflect"), (x,), eps=1e-6, atol=1e-6, rtol=1e-5)
    ints = F.pad(rp.tensor([[1, 2], [3, 4]]), (1, 1), value=7)
    assert ints.dtype == rp.int64
    assert ints.tolist() == TF.pad(torch.tensor([[1, 2], [3, 4]]), (1, 1), value=7).tolist()


def test_pad_errors():
    x = rp.randn(2, 3)
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="two times the input dimension"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(RuntimeError, match="negative output size"):
        F.pad(x, (-2, -2))
    with pytest.raises(RuntimeError, match="too large"):
        F.pad(rp.randn(1, 2, 3), (3, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="Only 2D, 3D, 4D, 5D"):
        F.pad(rp.randn(3), (1, 1), mode="replicate")
    with pytest.raises(RuntimeError, match="doesn't take in value"):
        F.pad(rp.randn(1, 2, 3), (1, 1), mode="reflect", value=1.0)
    with pytest.raises(NotImplementedError, match="mode 'bogus'"):
        F.pad(x, (1, 1), mode="bogus")
