"""The skorch net that trains an autoencoder, and its reconstruction error."""

import torch

from .._training.net import LeanNet


class AutoEncoderNet(LeanNet):
    """A skorch net whose loss compares the output with the input.

    Any target passed to ``fit`` is ignored: the loss is
    ``criterion(module(X), X)``. Everything else is
    :class:`~sk_aecluster._training.net.LeanNet`'s, i.e. skorch's with the
    same calls, history and callback arguments.

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

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.criterion_(y_pred, X)

    def train_step_single(self, batch, **fit_params):
        if self.augmentation is not None:
            Xi = self.augmentation(batch[0])
            batch = (Xi, Xi)
        return super().train_step_single(batch, **fit_params)


def reconstruction_error(module, dataset, batch_size, device):
    """Mean squared reconstruction error over ``dataset``, in network units."""
    total, count = 0.0, 0
    module.eval()
    with torch.inference_mode():
        for xb in dataset.iter_batches(batch_size):
            xb = xb.to(device)
            total += torch.nn.functional.mse_loss(
                module(xb), xb, reduction="sum"
            ).item()
            count += xb.numel()
    return total / count
