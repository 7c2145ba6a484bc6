"""ContrastiveEncoder: hyper-parameters, input format and network weights.

Stored as the autoencoders are (:mod:`._network`): the backbone's and the
projection head's weights (checked against the network the hyper-parameters
describe, built on the ``meta`` device first), the input format, feature
names, the device, ``n_epochs_`` and ``fit_time_``. Not stored: the
``callbacks`` (``None`` after loading, ``"disable"`` kept), the
``accelerator`` (``None``) and the training history.
"""

from ._network import network_kind


def _classes():
    from ..contrastive import ContrastiveEncoder

    return {"sk_aecluster.ContrastiveEncoder": ContrastiveEncoder}


def _probe(meta, batch):
    """The features' shape of the meta network, whose head must take them."""
    meta.eval()  # batch norm of the head takes a batch of one in evaluation mode
    features = meta.encode(batch)
    projection = meta.head(features)
    if features.ndim != 2 or projection.ndim != 2:
        raise ValueError("the network does not output one vector per image")
    return tuple(features.shape[1:])


def _check(est):
    est._augmentation()  # crop_scale and crop_ratio: checked in fit, not by _validate_params


KIND = network_kind("contrastive", _classes, "a contrastive encoder", _probe, _check)
