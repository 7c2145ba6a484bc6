"""The skorch net that trains SCAN's clustering heads on pairs of neighbours."""

import numpy as np
import torch

from .._training.net import LeanNet


class SCANNet(LeanNet):
    """A skorch net whose every batch is a set of anchors and one neighbour of each.

    Training runs :class:`~sk_aecluster._training.net.LeanNet`'s (skorch's)
    loop over an :class:`~sk_aecluster._training.data.IndexedDataset`, whose
    batches carry their samples' indices. Each step draws, for every anchor
    of the batch, one of its ``neighbors`` at random (torch's generator, so
    seeded fits repeat), passes anchors and neighbours through the heads as
    one batch and scores them with the criterion
    (:class:`~sk_aecluster.cluster._scan_module.SCANLoss`, one loss per
    head). The net's loss is the mean over the heads; each head's own loss,
    averaged over the epoch's anchors, is recorded in the history as
    ``head_losses``. A validation split (``train_split``) is scored the
    same way, without recording head losses.

    Parameters
    ----------
    module : ClusteringHeads
    *args, **kwargs
        skorch's :class:`~skorch.NeuralNet` arguments.
    neighbors : ndarray of shape (n_samples, n_neighbors) or None
        The mined neighbours of every training sample (indices); needed
        only to train, and released when training ends.
    """

    def __init__(self, module, *args, neighbors=None, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.neighbors = neighbors

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if self.neighbors is None:
            raise ValueError("SCANNet needs the neighbours of the training samples.")
        super().on_train_begin(net, X=X, y=y, **kwargs)
        self.dataset_ = X
        self.neighbors_ = torch.as_tensor(np.asarray(self.neighbors, dtype=np.int64))

    def on_train_end(self, net, X=None, y=None, **kwargs):
        self.dataset_ = self.neighbors_ = self.neighbors = None  # only needed while training
        super().on_train_end(net, X=X, y=y, **kwargs)

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_begin(net, dataset_train=dataset_train, dataset_valid=dataset_valid,
                               **kwargs)
        self._head_sums = None
        self._n_anchors = 0

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_end(net, dataset_train=dataset_train, dataset_valid=dataset_valid,
                             **kwargs)
        if self._head_sums is not None:
            mean = (self._head_sums / self._n_anchors).tolist()
            self.history.record("head_losses", mean)

    def pairs(self, batch):
        """The batch's anchors followed by one random neighbour of each, on the device."""
        xa, idx = batch
        idx = torch.as_tensor(idx)
        pick = torch.randint(self.neighbors_.shape[1], (len(idx),))
        rows = self.neighbors_[idx, pick].numpy()
        xn = self.dataset_.input_format.to_tensor(self.dataset_.X[rows])
        return torch.cat([xa, xn]).to(self.device, non_blocking=True), len(idx)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        per_head = self.criterion_(y_pred, y_true)
        if training:
            sums = per_head.detach() * y_true
            self._head_sums = sums if self._head_sums is None else self._head_sums + sums
            self._n_anchors += y_true
        return per_head.mean()

    def train_step_single(self, batch, **fit_params):
        X, n_anchors = self.pairs(batch)
        return super().train_step_single((X, n_anchors), **fit_params)

    def validation_step(self, batch, **fit_params):
        with torch.no_grad():
            X, n_anchors = self.pairs(batch)
        return super().validation_step((X, n_anchors), **fit_params)
