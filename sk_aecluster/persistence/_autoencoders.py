"""The library's autoencoders: hyper-parameters, input format and network weights
(stored as every trained network is, see :mod:`._network`)."""

from ._network import network_kind


def _classes():
    from ..autoencoder import AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder

    return {
        f"sk_aecluster.{c.__name__}": c
        for c in (AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder)
    }


def _probe(meta, batch):
    """The latent shape of the meta network; it must reconstruct its input's shape."""
    latent = meta.encode(batch)
    out = meta.decode(latent)
    if tuple(out.shape) != tuple(batch.shape):
        raise ValueError("the network does not reconstruct its input shape")
    return tuple(latent.shape[1:])


KIND = network_kind("autoencoder", _classes, "an sk_aecluster autoencoder", _probe)
