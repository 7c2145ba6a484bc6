"""Batch data for the library's skorch nets: the array dataset, its loader, encoding."""

import numpy as np
import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler


class ArrayDataset(Dataset):
    """A dataset over the caller's array that converts whole batches at once.

    Indexing with a list of indices returns ``(X_batch, X_batch)`` with
    ``X_batch`` a float32 tensor ready for the network. The array is never
    copied as a whole, so memory-mapped input streams from disk.

    Parameters
    ----------
    X : ndarray
        Validated samples, in the layout described by ``input_format``.
    input_format : InputFormat
        How to turn raw samples into network input.
    """

    def __init__(self, X, input_format):
        self.X = X
        self.input_format = input_format

    def __len__(self):
        return len(self.X)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            xb = self.X[idx]
        else:
            idx = np.sort(np.asarray(idx, dtype=np.intp).reshape(-1))
            if len(idx) and idx[-1] - idx[0] + 1 == len(idx):  # a run: a view
                xb = self.X[idx[0] : idx[-1] + 1]
            else:
                xb = self.X[idx]
        t = self.input_format.to_tensor(xb)
        return t, t

    def __getitems__(self, indices):
        return self[indices]

    def iter_batches(self, batch_size):
        """The samples in order, converted in batches into one reused buffer.

        Each batch is valid only until the next one is produced: for
        encoding, where every batch is consumed at once, it saves allocating
        (and, with glibc, often page-faulting in) fresh memory per batch.
        """
        n = len(self.X)
        buffer = self.input_format.empty_batch(min(batch_size, n))
        for start in range(0, n, batch_size):
            xb = self.X[start : start + batch_size]
            yield self.input_format.to_tensor(xb, out=buffer[: len(xb)])


def _identity(batch):
    return batch


class BatchLoader(DataLoader):
    """A ``DataLoader`` that asks the dataset for whole batches.

    skorch calls it as ``BatchLoader(dataset, batch_size=..., shuffle=...)``
    like a plain ``DataLoader``; instead of fetching and collating one sample
    at a time it draws a list of indices per batch and indexes the dataset
    once with it (the dataset must accept a list of indices, as
    :class:`ArrayDataset` and :class:`torch.utils.data.Subset` of it do).

    Without worker processes and pinned memory (the default) the batches are
    produced by a lean loop instead of ``DataLoader``'s general iterator: the
    same batches from the same random numbers (the permutation of
    :class:`~torch.utils.data.RandomSampler` cut into ``batch_size`` pieces,
    and the seed ``DataLoader`` draws for its workers), with index arrays
    instead of lists of Python integers for an :class:`ArrayDataset`.
    ``num_workers`` or ``pin_memory`` switch back to ``DataLoader``'s own
    iterator.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
    batch_size : int, default=64
    shuffle : bool, default=False
    generator : torch.Generator or None, default=None
        Source of randomness for shuffling.
    **kwargs
        Passed to :class:`torch.utils.data.DataLoader` (``num_workers``,
        ``pin_memory``, ...).
    """

    def __init__(self, dataset, batch_size=64, shuffle=False, generator=None, **kwargs):
        base = (
            RandomSampler(dataset, generator=generator)
            if shuffle
            else SequentialSampler(dataset)
        )
        sampler = self._batch_sampler(BatchSampler(base, batch_size, drop_last=False))
        kwargs.setdefault("collate_fn", _identity)
        super().__init__(dataset, batch_size=None, sampler=sampler, **kwargs)
        self._shuffle_generator = generator

    def _batch_sampler(self, batches):
        """The sampler of index batches the loader draws from (a hook)."""
        return batches

    def __iter__(self):
        if self.num_workers > 0 or self.pin_memory:
            return super().__iter__()
        # the seed DataLoader's iterator draws for worker processes: drawn
        # here too, so the global random stream is the same either way
        torch.empty((), dtype=torch.int64).random_(generator=self.generator)
        return self._batches()

    def _batches(self):
        as_arrays = isinstance(self.dataset, ArrayDataset)
        collate = self.collate_fn
        for idx in self._index_batches():
            if not as_arrays and isinstance(idx, np.ndarray):
                idx = idx.tolist()
            yield collate(self.dataset[idx])

    def _index_batches(self):
        """The batch sampler's batches; slices of one index array if possible."""
        base = self.sampler.sampler
        n = len(self.dataset)
        if isinstance(base, SequentialSampler):
            order = np.arange(n)
        elif isinstance(base, RandomSampler) and self._shuffle_generator is None:
            # RandomSampler's own draws: a seed from the global generator for
            # a fresh generator, and one permutation from it
            seed = int(torch.empty((), dtype=torch.int64).random_().item())
            generator = torch.Generator()
            generator.manual_seed(seed)
            order = torch.randperm(n, generator=generator).numpy()
        else:  # a caller's generator: let the sampler advance it itself
            yield from self.sampler
            return
        size = self.sampler.batch_size
        for start in range(0, n, size):
            yield order[start : start + size]


def encode_batches(module, dataset, batch_size, device, n_out, fn="encode"):
    """Run ``module.<fn>`` over ``dataset`` in batches into one float32 array.

    Inputs are converted into one reused buffer and each batch's output is
    copied straight into its rows of the result, so the only memory a batch
    allocates is the network's own.
    """
    # torch's allocator rather than numpy's: numpy asks the kernel for huge
    # pages for large arrays, and with Linux's default THP setting
    # ("madvise") first touching them can stall on memory compaction, which
    # made writing the codes 5x slower in some processes (benchmarks/RESULTS.md)
    out = torch.empty((len(dataset), n_out), dtype=torch.float32)
    method = getattr(module, fn)
    module.eval()
    start = 0
    with torch.inference_mode():
        for xb in dataset.iter_batches(batch_size):
            z = method(xb.to(device, non_blocking=True))
            out[start : start + len(z)].view(z.shape).copy_(z)
            start += len(z)
    return out.numpy()


class IndexedDataset(ArrayDataset):
    """An :class:`ArrayDataset` whose targets are the samples' own indices.

    Indexing returns ``(X_batch, indices)``, the indices (int64, in the
    order of the batch's rows) standing in for targets: a net whose targets
    change during training (DEC's target distribution) looks them up by
    sample index in its loss.
    """

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            rows = np.arange(len(self.X))[idx]
        else:
            rows = np.sort(np.asarray(idx, dtype=np.intp).reshape(-1))
        t, _ = super().__getitem__(rows)  # ArrayDataset sorts: same order as rows
        return t, torch.from_numpy(rows.astype(np.int64))


class IntervalLoader(BatchLoader):
    """A :class:`BatchLoader` whose every pass yields the next ``n_batches`` batches.

    skorch iterates its training loader once per epoch; with this loader an
    epoch is ``n_batches`` batches of a continuing stream of shuffled passes
    over the data (a pass is :class:`BatchLoader`'s batches, drawn when the
    previous pass is used up), and ``max_batches`` batches in all. DEC and
    IDEC update their target distribution at the end of every epoch, i.e.
    every ``n_batches`` batches, as the papers do every ``T`` iterations.

    Parameters
    ----------
    dataset, batch_size, shuffle, generator, **kwargs
        As for :class:`BatchLoader` (worker processes are not used).
    n_batches : int, default=1
        Batches per pass over the loader (per skorch epoch).
    max_batches : int or None, default=None
        Batches over all passes; later passes yield nothing.
    """

    def __init__(self, dataset, batch_size=64, shuffle=False, generator=None, n_batches=1,
                 max_batches=None, **kwargs):
        super().__init__(dataset, batch_size=batch_size, shuffle=shuffle,
                         generator=generator, **kwargs)
        self.n_batches = int(n_batches)
        self.max_batches = max_batches
        self.n_drawn = 0
        self._pending = []

    def __len__(self):
        return self.n_batches

    def __iter__(self):
        return self._interval()

    def _interval(self):
        collate = self.collate_fn
        for _ in range(self.n_batches):
            if self.max_batches is not None and self.n_drawn >= self.max_batches:
                return
            if not self._pending:
                self._pending = list(self._index_batches())[::-1]
            idx = self._pending.pop()
            self.n_drawn += 1
            yield collate(self.dataset[idx])
