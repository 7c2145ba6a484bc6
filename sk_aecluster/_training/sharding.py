"""Batch loaders for data-parallel training: each process's share of the batches."""

import functools
import math

import torch
from skorch.utils import to_device
from torch.utils.data import Sampler

from .data import BatchLoader


class _ShardOfBatches(Sampler):
    """Every ``num_shards``-th batch of ``batches``, starting at ``shard``.

    Each shard gets ``ceil(n_batches / num_shards)`` batches: the last round
    wraps round to the first batches, so that every process takes the same
    number of steps (data-parallel training synchronises every step).
    """

    def __init__(self, batches, num_shards, shard):
        self.batches = batches
        self.num_shards = num_shards
        self.shard = shard

    def __len__(self):
        return math.ceil(len(self.batches) / self.num_shards)

    def __iter__(self):
        batches = list(self.batches)
        for k in range(math.ceil(len(batches) / self.num_shards)):
            yield batches[(self.shard + k * self.num_shards) % len(batches)]


class ShardedLoaderMixin:
    """Makes a :class:`~sk_aecluster._training.data.BatchLoader` (or subclass) one process's share.

    Every process cuts the same batches (pass each the same ``generator``,
    seeded alike, for shuffling) and process ``shard`` of ``num_shards`` takes
    batches ``shard``, ``shard + num_shards``, ... (:class:`_ShardOfBatches`).
    Batches are moved to ``to_device``. With ``num_shards=1`` the batches are
    the loader's own, from the same random numbers. It works through the
    loader's ``_batch_sampler`` and ``_index_batches``, so loaders built on
    them (the deep clusterers' ``IntervalLoader``) are sharded too.

    Parameters
    ----------
    *args, **kwargs
        The loader's own arguments.
    num_shards : int, default=1
        Number of processes.
    shard : int, default=0
        This process's index.
    to_device : torch.device or None, default=None
        Where the batches go; ``None`` leaves them on the CPU.
    """

    def __init__(self, *args, num_shards=1, shard=0, to_device=None, **kwargs):
        self.num_shards = num_shards
        self.shard = shard
        self.to_device = None if to_device is None else torch.device(to_device)
        super().__init__(*args, **kwargs)

    def _batch_sampler(self, batches):
        if self.num_shards == 1:
            return batches
        return _ShardOfBatches(batches, self.num_shards, self.shard)

    def _index_batches(self):
        if self.num_shards == 1:
            return super()._index_batches()
        return iter(self.sampler)

    def __iter__(self):
        batches = super().__iter__()
        if self.to_device is None or self.to_device.type == "cpu":
            return batches
        return (self._moved(batch) for batch in batches)

    def _moved(self, batch):
        device = self.to_device
        if isinstance(batch, (tuple, list)) and len(batch) == 2:
            X, y = batch
            Xd = X.to(device, non_blocking=True)
            return Xd, Xd if y is X else to_device(y, device)
        return to_device(batch, device)


class ShardedBatchLoader(ShardedLoaderMixin, BatchLoader):
    """:class:`~sk_aecluster._training.data.BatchLoader`, one process's share.

    See :class:`ShardedLoaderMixin`.
    """


@functools.cache
def sharded(loader_class):
    """The sharded version of a ``BatchLoader`` subclass; a ``TypeError`` for other loaders."""
    if loader_class is BatchLoader:
        return ShardedBatchLoader
    if not (isinstance(loader_class, type) and issubclass(loader_class, BatchLoader)):
        raise TypeError(
            f"with an accelerator the batches must come from the library's BatchLoader "
            f"or a subclass of it; got the loader {loader_class!r} (net_params "
            "iterator_train / iterator_valid)."
        )
    return type(f"Sharded{loader_class.__name__}", (ShardedLoaderMixin, loader_class),
                {"__module__": __name__})
