"""retroprop.utils.data.DataLoader and default_collate, against torch's behaviour where installed."""
import collections

import numpy as np
import pytest

import retroprop
from retroprop._random import Generator, manual_seed
from retroprop.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
    default_collate,
    default_convert,
    random_split,
)


def _ds(n=10):
    x = retroprop.from_numpy(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    y = retroprop.from_numpy(np.arange(n, dtype=np.int64))
    return TensorDataset(x, y)


class Rows(Dataset):
    """A plain map-style dataset (no fast path): sample i is (array row, int label)."""

    def __init__(self, n):
        self.x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], int(i)


def test_sequential_batches_and_len():
    loader = DataLoader(_ds(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    xb, yb = batches[0]
    assert isinstance(xb, retroprop.Tensor) and xb.shape == (4, 2) and xb.dtype == np.float32
    np.testing.assert_array_equal(yb.numpy(), [0, 1, 2, 3])
    np.testing.assert_array_equal(batches[-1][1].numpy(), [8, 9])


def test_drop_last_drops_the_short_batch():
    loader = DataLoader(_ds(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [b[1].shape[0] for b in loader] == [4, 4]


def test_shuffle_covers_every_sample_once_per_epoch_and_changes_order():
    loader = DataLoader(_ds(50), batch_size=8, shuffle=True)
    epochs = [np.concatenate([y.numpy() for _, y in loader]) for _ in range(2)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(50))
    assert not np.array_equal(epochs[0], epochs[1])


def test_shuffle_follows_the_global_seed_and_a_given_generator():
    def order(**kw):
        return np.concatenate([y.numpy() for _, y in DataLoader(_ds(30), batch_size=7, shuffle=True, **kw)])

    manual_seed(5)
    a = order()
    manual_seed(5)
    np.testing.assert_array_equal(order(), a)
    g1, g2 = Generator().manual_seed(9), Generator().manual_seed(9)
    np.testing.assert_array_equal(order(generator=g1), order(generator=g2))


def test_fast_path_rows_equal_per_sample_collation():
    # The TensorDataset fast path must give what indexing sample by sample and stacking gives.
    ds = _ds(23)
    g = Generator().manual_seed(2)
    fast = list(DataLoader(ds, batch_size=5, shuffle=True, generator=g))
    g = Generator().manual_seed(2)
    slow = list(DataLoader(ds, batch_size=5, shuffle=True, generator=g, collate_fn=lambda b: default_collate(b)))
    assert len(fast) == len(slow) == 5
    for (fx, fy), (sx, sy) in zip(fast, slow):
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        np.testing.assert_array_equal(fy.numpy(), sy.numpy())


def test_fast_path_batches_are_copies_not_views_of_the_dataset():
    ds = _ds(6)
    xb, _ = next(iter(DataLoader(ds, batch_size=3)))
    xb.numpy()[:] = -1
    assert ds.tensors[0].numpy().min() == 0


def test_subset_from_random_split_loads_its_own_samples():
    ds = _ds(20)
    train, test = random_split(ds, [0.75, 0.25], generator=Generator().manual_seed(0))
    got = np.concatenate([y.numpy() for _, y in DataLoader(train, batch_size=4)])
    np.testing.assert_array_equal(got, train.indices)
    xs = np.concatenate([x.numpy() for x, _ in DataLoader(test, batch_size=4)])
    np.testing.assert_array_equal(xs, ds.tensors[0].numpy()[test.indices])


def test_generic_dataset_collates_arrays_and_ints():
    loader = DataLoader(Rows(5), batch_size=2)
    (xb, yb), *_ = loader
    assert xb.shape == (2, 2) and xb.dtype == np.float32
    assert yb.dtype == np.int64 and yb.numpy().tolist() == [0, 1]
    assert len(loader) == 3


def test_batch_size_none_converts_each_sample():
    items = list(DataLoader(Rows(3), batch_size=None))
    assert len(items) == 3 and isinstance(items[0][0], retroprop.Tensor) and items[2][1] == 2


def test_custom_batch_sampler_and_collate_fn():
    bs = BatchSampler(SequentialSampler(range(5)), 2, False)
    loader = DataLoader(_ds(5), batch_sampler=bs)
    assert [b[1].numpy().tolist() for b in loader] == [[0, 1], [2, 3], [4]]
    loader = DataLoader(Rows(4), batch_size=2, collate_fn=lambda b: len(b))
    assert list(loader) == [2, 2]


def test_option_conflicts_raise_like_torch():
    ds = _ds(4)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, shuffle=True, sampler=SequentialSampler(ds))
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0, 1]])
    with pytest.raises(ValueError, match="drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)


def test_num_workers_is_accepted_and_runs_in_process():
    loader = DataLoader(_ds(6), batch_size=3, num_workers=2, pin_memory=True, persistent_workers=True)
    assert [b[1].shape[0] for b in loader] == [3, 3]


class Stream(IterableDataset):
    def __iter__(self):
        return iter(np.arange(7, dtype=np.float64))

    def __len__(self):
        return 7


def test_iterable_dataset_is_batched_in_stream_order():
    loader = DataLoader(Stream(), batch_size=3)
    got = [b.numpy().tolist() for b in loader]
    assert got == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    assert len(DataLoader(Stream(), batch_size=3, drop_last=True)) == 2
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(), shuffle=True)


Point = collections.namedtuple("Point", "x y")


def test_default_collate_structures_and_number_dtypes():
    t = lambda v: retroprop.from_numpy(np.asarray(v, dtype=np.float32))  # noqa: E731
    out = default_collate([{"a": t([1, 2]), "b": 1.5, "c": "s"}, {"a": t([3, 4]), "b": 2.5, "c": "u"}])
    assert out["a"].shape == (2, 2) and out["b"].dtype == np.float64 and out["c"] == ["s", "u"]
    assert default_collate([1, 2]).dtype == np.int64
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.x.numpy().tolist() == [1, 3]
    pair = default_collate([(1, [2, 3]), (4, [5, 6])])
    assert isinstance(pair, list) and isinstance(pair[1], list) and pair[1][0].numpy().tolist() == [2, 5]


def test_default_collate_errors_name_the_problem():
    t = lambda n: retroprop.from_numpy(np.zeros(n, dtype=np.float32))  # noqa: E731
    with pytest.raises(RuntimeError, match=r"equal size.*\[3\] at entry 0 and \[4\] at entry 2"):
        default_collate([t(3), t(3), t(4)])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


def test_default_collate_matches_torch_structure():
    torch = pytest.importorskip("torch")
    batch = [(np.array([1.0, 2.0], dtype=np.float32), 3, 0.5), (np.array([4.0, 5.0], dtype=np.float32), 6, 1.5)]
    ours = default_collate(batch)
    theirs = torch.utils.data.default_collate(batch)
    assert type(ours) is type(theirs) and len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert str(o.dtype) == str(t.dtype).replace("torch.", "")
        np.testing.assert_array_equal(o.numpy(), t.numpy())


def test_default_convert_turns_arrays_into_tensors():
    out = default_convert({"a": np.zeros(2), "b": (np.int64(3), "x")})
    assert isinstance(out["a"], retroprop.Tensor) and out["b"][0].numpy() == 3 and out["b"][1] == "x"
