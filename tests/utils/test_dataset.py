"""retroprop.utils.data datasets and samplers: TensorDataset, Subset, ConcatDataset, random_split."""
import numpy as np
import pytest

import retroprop
from retroprop.utils.data import (
    BatchSampler,
    ConcatDataset,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)


def _xy(n=10):
    x = retroprop.from_numpy(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = retroprop.from_numpy(np.arange(n, dtype=np.int64))
    return x, y


def test_tensor_dataset_items_are_rows_of_each_tensor():
    x, y = _xy()
    ds = TensorDataset(x, y)
    assert len(ds) == 10
    xi, yi = ds[4]
    np.testing.assert_array_equal(xi.numpy(), [12, 13, 14])
    assert yi.numpy() == 4 and yi.dtype == np.int64
    assert isinstance(xi, retroprop.Tensor)


def test_tensor_dataset_size_mismatch_names_the_sizes():
    x, _ = _xy(10)
    with pytest.raises(ValueError, match=r"size mismatch.*\[10, 9\]"):
        TensorDataset(x, retroprop.from_numpy(np.zeros(9)))


def test_tensor_dataset_rejects_non_tensors_and_0d():
    with pytest.raises(TypeError, match="argument 0 is a list"):
        TensorDataset([1, 2, 3])
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(retroprop.from_numpy(np.array(1.0)))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_tensor_dataset_accepts_numpy_arrays_without_copy():
    a = np.zeros((4, 2))
    ds = TensorDataset(a)
    assert ds.tensors[0].numpy() is a


def test_subset_and_concat_index_through():
    x, y = _xy()
    ds = TensorDataset(x, y)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3 and sub[0][1].numpy() == 7 and sub[-1][1].numpy() == 5
    both = ds + sub
    assert isinstance(both, ConcatDataset) and len(both) == 13
    assert both[10][1].numpy() == 7 and both[-1][1].numpy() == 5 and both[3][1].numpy() == 3


def test_base_dataset_getitem_is_abstract():
    with pytest.raises(NotImplementedError):
        Dataset()[0]


def test_random_split_by_counts_partitions_the_indices():
    ds = TensorDataset(*_xy(10))
    a, b = random_split(ds, [7, 3], generator=retroprop._random.Generator().manual_seed(0))
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))


def test_random_split_fractions_match_torch_lengths():
    # torch: floor(n * f) each, then the remainder dealt round-robin from the first split.
    ds = TensorDataset(*_xy(10))
    assert [len(s) for s in random_split(ds, [0.33, 0.33, 0.34])] == [4, 3, 3]
    assert [len(s) for s in random_split(ds, [0.5, 0.5])] == [5, 5]
    torch = pytest.importorskip("torch")
    tds = torch.utils.data.TensorDataset(torch.zeros(10))
    for fr in ([0.33, 0.33, 0.34], [0.8, 0.2], [0.25, 0.25, 0.5]):
        ours = [len(s) for s in random_split(ds, fr)]
        theirs = [len(s) for s in torch.utils.data.random_split(tds, fr)]
        assert ours == theirs


def test_random_split_is_deterministic_with_a_seed_and_rejects_bad_lengths():
    ds = TensorDataset(*_xy(10))
    retroprop._random.manual_seed(3)
    first = random_split(ds, [5, 5])[0].indices
    retroprop._random.manual_seed(3)
    assert random_split(ds, [5, 5])[0].indices == first
    with pytest.raises(ValueError, match=r"sum of input lengths \(9\).*\(10\)"):
        random_split(ds, [5, 4])
    with pytest.raises(ValueError, match="fraction at index 1"):
        random_split(ds, [0.5, 1.5, -1.0])


def test_samplers_order_and_lengths():
    data = list(range(7))
    assert list(SequentialSampler(data)) == data
    g = retroprop._random.Generator().manual_seed(1)
    perm = list(RandomSampler(data, generator=g))
    assert sorted(perm) == data
    assert len(list(RandomSampler(data, num_samples=17))) == 17
    drawn = list(RandomSampler(data, replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) <= set(data)
    assert sorted(SubsetRandomSampler([5, 1, 3])) == [1, 3, 5]
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(data, num_samples=0)


def test_random_sampler_without_replacement_covers_each_index_per_pass():
    data = list(range(5))
    drawn = list(RandomSampler(data, num_samples=12))
    assert sorted(drawn[:5]) == data and sorted(drawn[5:10]) == data


def test_weighted_sampler_never_draws_zero_weight():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=200)
    drawn = list(s)
    assert len(drawn) == 200 and 0 not in drawn
    with pytest.raises(ValueError, match="weights"):
        WeightedRandomSampler([-1.0, 1.0], 3)


def test_batch_sampler_groups_and_drop_last():
    assert list(BatchSampler(SequentialSampler(range(7)), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(SequentialSampler(range(7)), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(7), 0, False)
    with pytest.raises(ValueError, match="drop_last"):
        BatchSampler(range(7), 2, 1)
