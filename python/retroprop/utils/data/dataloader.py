"""DataLoader (torch.utils.data's): batches of a dataset, in order or shuffled, collated to tensors.

Batches are produced in the calling process whatever `num_workers` says: loading here is
NumPy indexing, which worker processes would only slow down. For a TensorDataset (or a Subset
of one, e.g. from random_split) with the default collation, a batch is one fancy index per
tensor instead of a stack of per-sample rows.
"""
import collections.abc

import numpy as np

from ..._tensor import Tensor, from_numpy, tensor
from .dataset import IterableDataset, Subset, TensorDataset, _take
from .sampler import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

_ARRAY_SAMPLERS = (SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler)


class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` (see torch.utils.data.DataLoader).

    shuffle: a new random order every epoch, drawn from `generator` (a retroprop.Generator)
    or from the global generator (retroprop.manual_seed) when None.
    num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context, prefetch_factor,
    persistent_workers: accepted for compatibility; loading always runs in-process.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("DataLoader: num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("DataLoader: timeout option should be non-negative")
        self.dataset, self.num_workers, self.generator = dataset, num_workers, generator
        self.pin_memory, self.timeout = pin_memory, timeout
        if isinstance(dataset, IterableDataset):
            _check_stream_options(shuffle, sampler, batch_sampler)
            self.sampler, self.batch_sampler = None, None
        else:
            sampler, batch_sampler, batch_size, drop_last = _resolve_samplers(
                dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator)
            self.sampler, self.batch_sampler = sampler, batch_sampler
        if batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        self.batch_size, self.drop_last = batch_size, drop_last
        if collate_fn is None:
            collate_fn = default_convert if batch_size is None and batch_sampler is None else default_collate
        self.collate_fn = collate_fn

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            return self._iter_stream()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        fetch = _fast_fetcher(self.dataset) if self.collate_fn is default_collate else None
        if fetch is None:
            return (self.collate_fn(self._fetch(batch)) for batch in self.batch_sampler)
        return (fetch(idx) for idx in self._index_batches())

    def _index_batches(self):
        bs = self.batch_sampler
        if type(bs) is BatchSampler and type(bs.sampler) in _ARRAY_SAMPLERS:
            return bs._array_batches()
        return (np.asarray(batch, dtype=np.int64) for batch in bs)

    def _fetch(self, batch):
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems is not None:
            return getitems(batch)
        return [self.dataset[i] for i in batch]

    def _iter_stream(self):
        if self.batch_size is None:
            for item in self.dataset:
                yield self.collate_fn(item)
            return
        batch = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)


def _check_stream_options(shuffle, sampler, batch_sampler):
    for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
        if value not in (None, False):
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but got {name}={value!r}")


def _resolve_samplers(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator):
    """The sampler and batch sampler a map-style DataLoader reads, with torch's option rules."""
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
        return sampler, batch_sampler, None, False
    if sampler is None:
        sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    if batch_size is not None:
        batch_sampler = BatchSampler(sampler, batch_size, bool(drop_last))
    return sampler, batch_sampler, batch_size, drop_last


def _fast_fetcher(dataset):
    """A function from an int64 index array to the collated batch, for tensor-backed datasets
    (what default_collate would return, built by one fancy index per tensor); else None."""
    if isinstance(dataset, TensorDataset) and type(dataset).__getitem__ is TensorDataset.__getitem__:
        tensors = dataset.tensors
        return lambda idx: [_take(t, idx) for t in tensors]
    if isinstance(dataset, Subset) and type(dataset).__getitem__ is Subset.__getitem__:
        inner = _fast_fetcher(dataset.dataset)
        if inner is not None:
            positions = np.asarray(getattr(dataset.indices, "_data", dataset.indices), dtype=np.int64)
            return lambda idx: inner(positions[idx])
    return None


def get_worker_info():
    """None: retroprop's DataLoader always loads in the calling process."""
    return None


def default_collate(batch):
    """Merge a list of samples into a batch, as torch's default_collate.

    Tensors and NumPy arrays are stacked along a new first dimension; Python floats become a
    float64 tensor, ints an int64 tensor, bools a bool tensor; NumPy scalars keep their dtype;
    strings stay a list; tuples, lists, namedtuples and dicts are collated field by field
    (a tuple sample gives a list, as in torch). Batches carry no autograd history.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor._wrap(_stack([t._data for t in batch]))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USOV":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found numpy array of dtype {elem.dtype}")
        return from_numpy(_stack(batch))
    if isinstance(elem, (np.bool_, np.number)):
        return from_numpy(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=np.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _collate_mapping(elem, batch)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        return _collate_sequence(elem, batch)
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {type(elem).__name__}")


def _stack(arrays):
    try:
        return np.stack(arrays)
    except ValueError:
        first = np.shape(arrays[0])
        bad = next(i for i, a in enumerate(arrays) if np.shape(a) != first)
        raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                           f"and {list(np.shape(arrays[bad]))} at entry {bad}") from None


def _collate_mapping(elem, batch):
    fields = {key: default_collate([d[key] for d in batch]) for key in elem}
    try:
        return type(elem)(fields)
    except TypeError:  # a mapping type that cannot be built from a dict
        return fields


def _collate_sequence(elem, batch):
    size = len(elem)
    if any(len(sample) != size for sample in batch):
        raise RuntimeError("default_collate: each element in list of batch should be of equal size")
    columns = [default_collate(list(samples)) for samples in zip(*batch)]
    if isinstance(elem, (tuple, list)):
        return columns
    try:
        return type(elem)(columns)
    except TypeError:
        return columns


def default_convert(data):
    """Turn NumPy arrays (and scalars) inside `data` into tensors: the conversion a DataLoader
    applies to each sample when batch_size=None."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "USOV":
        return from_numpy(data)
    if isinstance(data, (np.bool_, np.number)):
        return from_numpy(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data
