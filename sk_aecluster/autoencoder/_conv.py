"""Convolutional autoencoders: the general one and the study's AE1 and AE2."""

import numbers

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._training.input import image_format
from ._base import BaseAutoEncoder
from ._docs import fill_doc
from ._modules import ACTIVATIONS, conv_autoencoder_module

_IMAGE_PARAMS = {
    "image_shape": [tuple, list, None],
    "data_format": [StrOptions({"auto", "channels_last", "channels_first"})],
    "pad_images": ["boolean"],
}


class _ConvBase(BaseAutoEncoder):
    """Shared input handling of the convolutional autoencoders."""

    def _architecture(self):
        """Return the keyword arguments of :func:`conv_autoencoder_module`."""
        raise NotImplementedError

    def _input_format(self, X):
        arch = self._architecture()
        return image_format(
            X,
            image_shape=self.image_shape,
            data_format=self.data_format,
            size_multiple=2 ** (len(arch["hidden_channels"]) + 1),
            pad_images=self.pad_images,
            name=type(self).__name__,
        )

    def _build_module(self, input_format):
        return conv_autoencoder_module(input_format.network_shape[0], **self._architecture())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


@fill_doc(max_epochs=20, lr=1e-3)
class ConvAutoEncoder(_ConvBase):
    """Convolutional autoencoder as a scikit-learn transformer.

    The encoder has ``len(hidden_channels) + 1`` blocks, each of which halves
    the image height and width; ``transform`` returns the output of the last
    block (``latent_channels`` feature maps) flattened. The decoder mirrors it
    with stride-2 transposed convolutions and ends in ``Tanh``. The study's
    two networks are presets: :class:`AE1Encoder` and :class:`AE2Encoder`.

    Parameters
    ----------
    hidden_channels : tuple of int, default=(64, 128)
        Widths of the encoder blocks before the latent block.
    latent_channels : int, default=256
        Width of the last encoder block: the latent feature maps.
    kernel_size : int, default=3
        Odd kernel size of the encoder convolutions ("same" padding).
    downsampling : {{"pool", "stride"}}, default="pool"
        Halve the resolution with ``MaxPool2d(2)`` after each block, or with
        stride-2 convolutions.
    activation : {{"relu", "leaky_relu", "elu", "gelu", "tanh"}} or None, \
default="relu"
        Non-linearity after each convolution except the output one.
    batch_norm : bool, default=True
        ``BatchNorm2d`` after each encoder activation.
    image_shape : tuple of int or None, default=None
        Shape each row of 2-D input is reshaped to: ``(H, W)``,
        ``(H, W, C)`` or ``(C, H, W)``. ``None`` assumes square grey images.
    data_format : {{"auto", "channels_last", "channels_first"}}, default="auto"
        Where the channel axis of 4-D input is; ``"auto"`` takes the last axis
        when it has at most 4 values, else the first.
    pad_images : bool, default=False
        Pad images whose height or width is not a multiple of
        ``2 ** (len(hidden_channels) + 1)`` (e.g. 28x28 MNIST for a depth of
        3) instead of raising; reconstructions are cropped back.
    {training_params}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    AE1Encoder, AE2Encoder : The study's two architectures.
    DenseAutoEncoder : For flat feature vectors.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_aecluster import ConvAutoEncoder
    >>> X = np.random.RandomState(0).randint(0, 256, (20, 8, 8, 3), dtype=np.uint8)
    >>> ae = ConvAutoEncoder(hidden_channels=(4,), latent_channels=2,
    ...                      max_epochs=1, random_state=0).fit(X)
    >>> ae.transform(X).shape  # 2 latent channels x 2 x 2 after two poolings
    (20, 8)
    """

    _parameter_constraints = {
        **BaseAutoEncoder._parameter_constraints,
        **_IMAGE_PARAMS,
        "hidden_channels": [tuple, list],
        "latent_channels": [Interval(numbers.Integral, 1, None, closed="left")],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "downsampling": [StrOptions({"pool", "stride"})],
        "activation": [StrOptions({k for k in ACTIVATIONS if k}), None],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        hidden_channels=(64, 128),
        latent_channels=256,
        kernel_size=3,
        downsampling="pool",
        activation="relu",
        batch_norm=True,
        image_shape=None,
        data_format="auto",
        pad_images=False,
        max_epochs=20,
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
        self.hidden_channels = hidden_channels
        self.latent_channels = latent_channels
        self.kernel_size = kernel_size
        self.downsampling = downsampling
        self.activation = activation
        self.batch_norm = batch_norm
        self.image_shape = image_shape
        self.data_format = data_format
        self.pad_images = pad_images
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

    def _architecture(self):
        if self.kernel_size % 2 == 0:
            raise ValueError(
                f"kernel_size must be odd to keep the image size; got {self.kernel_size}."
            )
        return {
            "hidden_channels": tuple(int(c) for c in self.hidden_channels),
            "latent_channels": self.latent_channels,
            "kernel_size": self.kernel_size,
            "downsampling": self.downsampling,
            "activation": self.activation,
            "batch_norm": self.batch_norm,
        }


@fill_doc(max_epochs=20, lr=1e-3)
class AE1Encoder(_ConvBase):
    """The study's AE1: one stride-2 convolution, one transposed convolution.

    Encoder ``Conv2d(C, latent_channels, 3, stride=2, padding=1)``; decoder
    ``ConvTranspose2d(latent_channels, C, 2, stride=2)`` then ``Tanh`` (report,
    question 1), with ``C`` the number of channels of the data. On 32x32x3
    images the latent code has ``8 * 16 * 16 = 2048`` values. Images need even
    height and width.

    Parameters
    ----------
    latent_channels : int, default=8
        Channels of the encoder's output.
    image_shape : tuple of int or None, default=None
        Shape each row of 2-D input is reshaped to; see
        :class:`ConvAutoEncoder`.
    data_format : {{"auto", "channels_last", "channels_first"}}, default="auto"
        Where the channel axis of 4-D input is.
    pad_images : bool, default=False
        Pad odd image sizes to even ones instead of raising.
    {training_params}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    AE2Encoder : The study's deeper autoencoder.
    ConvAutoEncoder : The general form of both.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_aecluster import AE1Encoder
    >>> X = np.random.RandomState(0).randint(0, 256, (20, 32, 32, 3), dtype=np.uint8)
    >>> AE1Encoder(max_epochs=1, random_state=0).fit_transform(X).shape
    (20, 2048)
    """

    _parameter_constraints = {
        **BaseAutoEncoder._parameter_constraints,
        **_IMAGE_PARAMS,
        "latent_channels": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        latent_channels=8,
        image_shape=None,
        data_format="auto",
        pad_images=False,
        max_epochs=20,
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
        self.latent_channels = latent_channels
        self.image_shape = image_shape
        self.data_format = data_format
        self.pad_images = pad_images
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

    def _architecture(self):
        return {
            "hidden_channels": (),
            "latent_channels": self.latent_channels,
            "kernel_size": 3,
            "downsampling": "stride",
            "activation": None,
            "batch_norm": False,
        }


@fill_doc(max_epochs=20, lr=1e-3)
class AE2Encoder(_ConvBase):
    """The study's AE2: three conv-ReLU-BatchNorm-MaxPool blocks and a mirror.

    Encoder ``Conv2d(C, 64, 3, 1, 1), ReLU, BatchNorm2d, MaxPool2d(2)``, then the
    same with 128 and ``latent_channels`` (256) channels; decoder
    ``ConvTranspose2d(256, 128, 2, 2), ReLU, ConvTranspose2d(128, 64, 2, 2),
    ReLU, ConvTranspose2d(64, C, 2, 2), Tanh`` (report, question 1). On
    32x32x3 images the latent code has ``256 * 4 * 4 = 4096`` values. Images
    need height and width divisible by 8 (pass ``pad_images=True`` for 28x28).

    Parameters
    ----------
    latent_channels : int, default=256
        Channels of the last encoder block.
    image_shape : tuple of int or None, default=None
        Shape each row of 2-D input is reshaped to; see
        :class:`ConvAutoEncoder`.
    data_format : {{"auto", "channels_last", "channels_first"}}, default="auto"
        Where the channel axis of 4-D input is.
    pad_images : bool, default=False
        Pad images to the next multiple of 8 instead of raising.
    {training_params}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    AE1Encoder : The study's shallow autoencoder.
    ConvAutoEncoder : The general form of both.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_aecluster import AE2Encoder
    >>> X = np.random.RandomState(0).randint(0, 256, (20, 32, 32, 3), dtype=np.uint8)
    >>> AE2Encoder(latent_channels=16, max_epochs=1, random_state=0).fit_transform(X).shape
    (20, 256)
    """

    _parameter_constraints = {
        **BaseAutoEncoder._parameter_constraints,
        **_IMAGE_PARAMS,
        "latent_channels": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        latent_channels=256,
        image_shape=None,
        data_format="auto",
        pad_images=False,
        max_epochs=20,
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
        self.latent_channels = latent_channels
        self.image_shape = image_shape
        self.data_format = data_format
        self.pad_images = pad_images
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

    def _architecture(self):
        return {
            "hidden_channels": (64, 128),
            "latent_channels": self.latent_channels,
            "kernel_size": 3,
            "downsampling": "pool",
            "activation": "relu",
            "batch_norm": True,
        }
