"""The skorch side: the net that trains an autoencoder, its data and loader."""

import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.dataset import get_len
from skorch.utils import TeeGenerator
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


def _identity(batch):
    return batch


class BatchLoader(DataLoader):
    """A ``DataLoader`` that asks the dataset for whole batches.

    skorch calls it as ``BatchLoader(dataset, batch_size=..., shuffle=...)``
    like a plain ``DataLoader``; instead of fetching and collating one sample
    at a time it draws a list of indices per batch and indexes the dataset
    once with it (the dataset must accept a list of indices, as
    :class:`ArrayDataset` and :class:`torch.utils.data.Subset` of it do).

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
        sampler = BatchSampler(base, batch_size, drop_last=False)
        kwargs.setdefault("collate_fn", _identity)
        super().__init__(dataset, batch_size=None, sampler=sampler, **kwargs)


class StopOnDivergence(Callback):
    """Stop training with a clear error when the training loss is not finite.

    Without it a diverged autoencoder (too high a learning rate, say) would
    hand NaN latent codes to the next step of a pipeline.
    """

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss", 0.0)
        if not math.isfinite(loss):
            epoch = len(net.history)
            raise FloatingPointError(
                f"Training diverged: the reconstruction loss became {loss} in "
                f"epoch {epoch}. Lower the learning rate (lr={net.lr}) or check "
                "the input for extreme values."
            )


def _closure_free(optimizer):
    """Whether ``optimizer.step()`` works without a closure: torch's own but LBFGS."""
    cls = type(optimizer)
    return cls.__module__.startswith("torch.optim") and not isinstance(
        optimizer, torch.optim.LBFGS
    )


class AutoEncoderNet(NeuralNet):
    """A skorch ``NeuralNet`` whose loss compares the output with the input.

    Any target passed to ``fit`` is ignored: the loss is
    ``criterion(module(X), X)``. Everything else is skorch's, with three
    savings per batch: callbacks are only called for the hooks they override
    (skorch calls every callback's no-op hooks three times a batch), the
    ``valid_loss`` callback is left out when there is no validation split,
    and each step's output is released before the next step starts.

    Parameters
    ----------
    module : torch.nn.Module
        The autoencoder.
    *args, **kwargs
        skorch's :class:`~skorch.NeuralNet` arguments.
    augmentation : callable or None, default=None
        Applied to every training batch before the forward pass (for
        instance :class:`~sk_aecluster.autoencoder._augment.RandomAffine`);
        the network then reconstructs the transformed batch. Never applied
        when encoding or validating.
    """

    def __init__(self, module, *args, augmentation=None, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.augmentation = augmentation

    @property
    def _default_callbacks(self):
        callbacks = super()._default_callbacks
        if self.train_split is None:
            callbacks = [(n, cb) for n, cb in callbacks if n != "valid_loss"]
        return callbacks

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.criterion_(y_pred, X)

    def train_step_single(self, batch, **fit_params):
        if self.augmentation is not None:
            Xi = self.augmentation(batch[0])
            batch = (Xi, Xi)
        return super().train_step_single(batch, **fit_params)

    def train_step(self, batch, **fit_params):
        """skorch's training step, without the closure where none is needed.

        skorch hands every optimizer a closure that zeroes the gradients,
        runs :meth:`train_step_single` and notifies ``on_grad_computed``.
        Only :class:`torch.optim.LBFGS` needs it (it evaluates the loss
        several times per step); for the other ``torch.optim`` optimizers the
        same calls are made in the same order without one, as skorch's
        documentation suggests for finer control. Other optimizers get
        skorch's step unchanged.
        """
        optimizers = [getattr(self, name + "_") for name in self._optimizers]
        if not all(_closure_free(opt) for opt in optimizers):
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        self.notify(
            "on_grad_computed",
            named_parameters=TeeGenerator(self.get_all_learnable_params()),
            batch=batch,
            training=True,
        )
        self._step_optimizer(None)
        return step

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch loop, letting go of each step's output before the next.

        The same calls, history records and callback arguments as
        :meth:`skorch.NeuralNet.run_single_epoch`; the only change is that the
        step's result (the loss and the reconstruction, with its autograd
        graph) is released at the end of each iteration. skorch keeps it alive
        through the whole next step, so every batch needs fresh memory for its
        activations instead of reusing the last one's: about 8% of AE1's
        training time on the CPU (``benchmarks/RESULTS.md``).
        """
        if iterator is None:
            return
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            self.history.record_batch(prefix + "_loss", step["loss"].item())
            batch_size = (
                get_len(batch[0]) if isinstance(batch, (tuple, list)) else get_len(batch)
            )
            self.history.record_batch(prefix + "_batch_size", batch_size)
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
            del step
        self.history.record(prefix + "_batch_count", batch_count)

    def notify(self, method_name, **cb_kwargs):
        getattr(self, method_name)(self, **cb_kwargs)
        for cb in self._listeners(method_name):
            getattr(cb, method_name)(self, **cb_kwargs)

    def _listeners(self, method_name):
        """The callbacks whose ``method_name`` is not the base class's no-op."""
        callbacks = self.callbacks_
        cache = self.__dict__.get("_listener_cache")
        if cache is None or cache[0] is not callbacks:
            cache = (callbacks, {})
            self.__dict__["_listener_cache"] = cache
        found = cache[1].get(method_name)
        if found is None:
            base = getattr(Callback, method_name, None)
            found = [
                cb for _, cb in callbacks
                if base is None or getattr(type(cb), method_name, None) is not base
            ]
            cache[1][method_name] = found
        return found


def encode_batches(module, dataset, batch_size, device, n_out, fn="encode"):
    """Run ``module.<fn>`` over ``dataset`` in batches into one float32 array."""
    out = np.empty((len(dataset), n_out), dtype=np.float32)
    method = getattr(module, fn)
    module.eval()
    with torch.inference_mode():
        for start in range(0, len(dataset), batch_size):
            xb, _ = dataset[slice(start, start + batch_size)]
            z = method(xb.to(device, non_blocking=True))
            out[start : start + len(z)] = z.reshape(len(z), -1).cpu().numpy()
    return out


def reconstruction_error(module, dataset, batch_size, device):
    """Mean squared reconstruction error over ``dataset``, in network units."""
    total, count = 0.0, 0
    module.eval()
    with torch.inference_mode():
        for start in range(0, len(dataset), batch_size):
            xb, _ = dataset[slice(start, start + batch_size)]
            xb = xb.to(device)
            total += torch.nn.functional.mse_loss(
                module(xb), xb, reduction="sum"
            ).item()
            count += xb.numel()
    return total / count
