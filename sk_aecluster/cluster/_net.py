"""The skorch net that trains DEC and IDEC: KL divergence to a target updated from all samples."""

import numpy as np
import torch
import torch.nn.functional as F
from skorch.utils import to_tensor

from .._training.data import encode_batches
from .._training.net import LeanNet
from ._module import target_distribution


class DECNet(LeanNet):
    """A skorch net whose loss pulls soft assignments towards DEC's target distribution.

    Training runs :class:`~sk_aecluster._training.net.LeanNet`'s (skorch's)
    loop over an :class:`~sk_aecluster._training.data.IndexedDataset`
    with an :class:`~sk_aecluster._training.data.IntervalLoader`, so one
    epoch is ``update_interval`` batches and each batch carries its
    samples' indices:

    - ``on_train_begin`` and every ``on_epoch_end``: the soft assignments
      ``q`` of **all** samples are computed (in evaluation mode), the
      target ``p`` is recomputed from them, and the fraction of samples
      whose cluster (``argmax q``) changed since the last update is
      recorded in the history as ``delta_label``;
    - each batch's loss is ``KL(p || q)`` over its samples, ``p`` looked up by
      sample index (the criterion, :class:`torch.nn.KLDivLoss` with
      ``reduction="batchmean"``), plus for IDEC the mean squared
      reconstruction error: ``L = L_rec + gamma * L_KL``;
    - when ``delta_label < tol`` after an update, ``converged_`` is set and
      training stops once every callback has seen that epoch (raising
      ``KeyboardInterrupt``, which skorch's ``partial_fit`` takes as the end
      of training, as for :class:`~skorch.callbacks.EarlyStopping`).

    Parameters
    ----------
    module : DECModule
    *args, **kwargs
        skorch's :class:`~skorch.NeuralNet` arguments.
    gamma : float or None, default=None
        Weight of the clustering loss against the reconstruction loss
        (IDEC); ``None`` for DEC (KL divergence only, no decoder).
    tol : float, default=0.001
        Stop when fewer than this fraction of labels change in an update.
    """

    def __init__(self, module, *args, gamma=None, tol=0.001, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.gamma = gamma
        self.tol = tol

    def soft_assignments(self, dataset):
        """``q`` of every sample of ``dataset``, float32 ``(n, n_clusters)``."""
        module = self.plain_module()  # module_ is wrapped while training data-parallel
        return encode_batches(module, dataset, self.batch_size, self.device,
                              module.centers.shape[0], fn="soft_assign")

    def update_target(self, dataset):
        """Recompute the target from all of ``dataset``; the fraction of labels changed."""
        q = self.soft_assignments(dataset)
        labels = q.argmax(1)
        previous = getattr(self, "assignments_", None)
        delta = None if previous is None else float(np.mean(labels != previous))
        self.target_ = torch.as_tensor(target_distribution(q), device=self.device)
        self.assignments_ = labels
        return delta

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.converged_ = False
        self.assignments_ = None
        self.update_target(X)

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        delta = self.update_target(dataset_train)
        self.history.record("delta_label", delta)
        self.converged_ = delta < self.tol

    def on_train_end(self, net, X=None, y=None, **kwargs):
        self.target_ = None  # only needed while training
        super().on_train_end(net, X=X, y=y, **kwargs)

    def notify(self, method_name, **cb_kwargs):
        super().notify(method_name, **cb_kwargs)
        if method_name == "on_epoch_end" and self.converged_:
            raise KeyboardInterrupt  # skorch's partial_fit ends training here

    def get_loss(self, y_pred, y_true, X=None, training=False):
        log_q, recon = y_pred
        p = self.target_[to_tensor(y_true, device=self.device)]
        kl = self.criterion_(log_q, p)
        if self.gamma is None:
            return kl
        X = to_tensor(X, device=self.device)
        return F.mse_loss(recon, X) + self.gamma * kl
