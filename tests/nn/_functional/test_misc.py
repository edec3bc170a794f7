"""F.one_hot's error cases raise what torch raises (RuntimeError), and its results match torch."""
import numpy as np
import pytest

import retroprop as rp
import retroprop.nn.functional as F

BAD = [
    ([-1, 2], -1, "non-negative"),
    ([0, 5], 3, "smaller than num_classes"),
    ([0, 1], 1, "smaller than num_classes"),
    ([0, 1], 0, "smaller than num_classes"),
    ([0, 1], -2, "smaller than num_classes"),
    (np.zeros(0, np.int64), -1, "infer total number of classes"),
    (np.zeros(0, np.int64), 0, "infer total number of classes"),
    (np.array([1.0]), -1, "LongTensor"),
    (np.array([1], np.int32), -1, "LongTensor"),
]


@pytest.mark.parametrize("idx,n,msg", BAD)
def test_one_hot_errors_match_torch(idx, n, msg):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.nn.functional.one_hot(torch.tensor(np.asarray(idx) if not isinstance(idx, list) else idx), n)
    with pytest.raises(RuntimeError, match=msg):
        F.one_hot(rp.tensor(idx), n)


@pytest.mark.parametrize("idx,n", [([[0, 3], [1, 1]], -1), ([2, 0], 5), (np.zeros((0, 2), np.int64), 4)])
def test_one_hot_values_match_torch(idx, n):
    torch = pytest.importorskip("torch")
    ours, ref = F.one_hot(rp.tensor(idx), n), torch.nn.functional.one_hot(torch.tensor(idx), n)
    assert ours.dtype == rp.int64 and tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
