"""PyTorch modules: the networks the autoencoder estimators train.

They live in an importable module (not in ``__main__``) so that fitted
estimators can be unpickled in worker processes.
"""

from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    None: None,
}


def _activation(name):
    """Return a fresh activation layer, or None when ``name`` is None."""
    cls = ACTIVATIONS[name]
    if cls is None:
        return None
    if cls is nn.ReLU:
        return nn.ReLU(inplace=True)
    return cls()


class AutoEncoderModule(nn.Module):
    """An encoder and a decoder; ``forward`` reconstructs, ``encode`` encodes.

    Parameters
    ----------
    encoder, decoder : torch.nn.Module
        The two halves. ``decoder(encoder(x))`` must have the shape of ``x``.
    """

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)


def conv_autoencoder_module(
    in_channels,
    hidden_channels=(64, 128),
    latent_channels=256,
    kernel_size=3,
    downsampling="pool",
    activation="relu",
    batch_norm=True,
):
    """Build the convolutional autoencoder of the study, in general form.

    Each encoder block is ``Conv2d(k, padding=k // 2)``, then the activation,
    then ``BatchNorm2d``, then ``MaxPool2d(2)`` (``downsampling="pool"``); with
    ``downsampling="stride"`` the convolution itself has stride 2 and there is
    no pooling. The decoder mirrors the channel widths with
    ``ConvTranspose2d(kernel_size=2, stride=2)`` layers, each followed by the
    activation except the last, which is followed by ``Tanh``.

    With ``hidden_channels=(64, 128), latent_channels=256`` and the defaults
    this is AE2 of the study layer for layer; with ``hidden_channels=()``,
    ``latent_channels=8``, ``downsampling="stride"``, ``activation=None`` and
    ``batch_norm=False`` it is AE1.

    Returns
    -------
    module : AutoEncoderModule
    """
    widths = [in_channels, *hidden_channels, latent_channels]
    stride = 2 if downsampling == "stride" else 1
    encoder = []
    for c_in, c_out in zip(widths[:-1], widths[1:], strict=True):
        encoder.append(nn.Conv2d(c_in, c_out, kernel_size, stride, kernel_size // 2))
        act = _activation(activation)
        if act is not None:
            encoder.append(act)
        if batch_norm:
            encoder.append(nn.BatchNorm2d(c_out))
        if downsampling == "pool":
            encoder.append(nn.MaxPool2d(2, 2))
    decoder = []
    rev = widths[::-1]
    for i, (c_in, c_out) in enumerate(zip(rev[:-1], rev[1:], strict=True)):
        decoder.append(nn.ConvTranspose2d(c_in, c_out, 2, 2))
        if i == len(rev) - 2:
            decoder.append(nn.Tanh())
        else:
            act = _activation(activation)
            if act is not None:
                decoder.append(act)
    return AutoEncoderModule(_seq(encoder), _seq(decoder))


def _seq(layers):
    # A single layer stays itself so that AE1 prints exactly as in the study.
    return layers[0] if len(layers) == 1 else nn.Sequential(*layers)


def dense_autoencoder_module(
    n_features, hidden_units=(500, 500, 2000), latent_dim=10, activation="relu"
):
    """Build a fully connected autoencoder ``d-500-500-2000-10`` and its mirror.

    The latent layer and the output layer are linear, as in DEC/IDEC/N2D.

    Returns
    -------
    module : AutoEncoderModule
    """
    widths = [n_features, *hidden_units, latent_dim]

    def stack(ws):
        layers = []
        for i, (a, b) in enumerate(zip(ws[:-1], ws[1:], strict=True)):
            layers.append(nn.Linear(a, b))
            if i < len(ws) - 2:
                act = _activation(activation)
                if act is not None:
                    layers.append(act)
        return nn.Sequential(*layers)

    return AutoEncoderModule(stack(widths), stack(widths[::-1]))


def count_parameters(module):
    """Number of trainable parameters of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


__all__ = [
    "AutoEncoderModule",
    "conv_autoencoder_module",
    "dense_autoencoder_module",
    "count_parameters",
]
