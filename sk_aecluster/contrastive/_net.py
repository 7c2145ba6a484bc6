"""The skorch net that trains the contrastive encoder."""

import torch
from skorch.utils import to_tensor

from .._training.net import LeanNet


class ContrastiveNet(LeanNet):
    """A skorch net that trains on two augmented views of every batch.

    Each training step draws two random views of the batch with
    ``augmentation``, passes both through the network as one batch of
    ``2N`` images and scores the projections with the criterion (NT-Xent):
    the steps, history and callbacks are
    :class:`~sk_aecluster._training.net.LeanNet`'s, i.e. skorch's. A
    validation split (``train_split``) is scored the same way, on two views
    of each validation batch. Targets are ignored.

    Parameters
    ----------
    module : torch.nn.Module
        The network (``forward`` returns projections).
    *args, **kwargs
        skorch's :class:`~skorch.NeuralNet` arguments.
    augmentation : callable
        Maps a batch ``(N, C, H, W)`` to one random view of it, such as
        :class:`~sk_aecluster.contrastive.ContrastiveAugmentation`.
    """

    def __init__(self, module, *args, augmentation=None, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.augmentation = augmentation

    def views(self, X):
        """Two random views of the batch ``X``, stacked: ``(2N, C, H, W)``.

        Drawn on the net's device (the batch is moved there first).
        """
        X = to_tensor(X, device=self.device)
        if self.augmentation is None:
            return torch.cat([X, X])
        return torch.cat([self.augmentation(X), self.augmentation(X)])

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.criterion_(y_pred)

    def train_step_single(self, batch, **fit_params):
        V = self.views(batch[0])
        return super().train_step_single((V, V), **fit_params)

    def validation_step(self, batch, **fit_params):
        with torch.no_grad():
            V = self.views(batch[0])
        return super().validation_step((V, V), **fit_params)
