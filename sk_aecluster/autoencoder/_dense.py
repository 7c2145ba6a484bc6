"""The fully connected autoencoder for feature vectors."""

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._training.input import _decide_layout, flat_format, row_image_shape
from ._base import BaseAutoEncoder
from ._docs import fill_doc
from ._modules import ACTIVATIONS, dense_autoencoder_module


@fill_doc(max_epochs=50, lr=1e-3)
class DenseAutoEncoder(BaseAutoEncoder):
    """Fully connected autoencoder (``d-500-500-2000-10`` by default).

    The standard deep-clustering autoencoder of DEC, IDEC and N2D: linear
    layers with an activation between them, a linear latent layer and a
    linear output layer, mirrored in the decoder. Samples of any shape are
    flattened to vectors; ``inverse_transform`` restores their shape.

    Parameters
    ----------
    hidden_units : tuple of int, default=(500, 500, 2000)
        Widths of the encoder's hidden layers (the decoder mirrors them).
    latent_dim : int, default=10
        Size of the latent code returned by ``transform``.
    activation : {{"relu", "leaky_relu", "elu", "gelu", "tanh"}} or None, \
default="relu"
        Non-linearity between layers.
    {training_params}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    ConvAutoEncoder : For images.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sk_aecluster import DenseAutoEncoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = DenseAutoEncoder(hidden_units=(32,), latent_dim=4, max_epochs=2,
    ...                       random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 4)
    """

    _parameter_constraints = {
        **BaseAutoEncoder._parameter_constraints,
        "hidden_units": [tuple, list],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions({k for k in ACTIVATIONS if k}), None],
    }

    def __init__(
        self,
        hidden_units=(500, 500, 2000),
        latent_dim=10,
        activation="relu",
        max_epochs=50,
        batch_size=64,
        lr=1e-3,
        optimizer=torch.optim.Adam,
        optimizer_params=None,
        augment_shift=0.0,
        augment_rotation=0.0,
        device="cpu",
        callbacks=None,
        verbose=0,
        random_state=None,
        net_params=None,
        accelerator=None,
    ):
        self.hidden_units = hidden_units
        self.latent_dim = latent_dim
        self.activation = activation
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.augment_shift = augment_shift
        self.augment_rotation = augment_rotation
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state
        self.net_params = net_params
        self.accelerator = accelerator

    def _input_format(self, X):
        return flat_format(X, name=type(self).__name__)

    def _augmentation_layout(self):
        shape = self.input_format_.sample_shape
        name = type(self).__name__
        if len(shape) == 2:
            return (1, *shape), "chw"
        if len(shape) == 3:
            layout = _decide_layout(shape, None, name)
            return shape, "hwc" if layout == "nhwc" else "chw"
        try:
            side = row_image_shape(int(np.prod(shape)), None, name)
        except ValueError:
            side = None
        if len(shape) != 1 or side is None:
            raise ValueError(
                f"{name}: augment_shift and augment_rotation need images, but the "
                f"samples have shape {shape}, which is not a square grey image. Pass "
                "images as (n, H, W) or (n, H, W, C), or leave augmentation off."
            )
        return (1, *side), "chw"

    def _build_module(self, input_format):
        return dense_autoencoder_module(
            input_format.network_shape[0],
            tuple(int(u) for u in self.hidden_units),
            self.latent_dim,
            self.activation,
        )
