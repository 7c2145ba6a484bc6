"""Where DEC and IDEC start: the pre-trained encoder (cached) and the initial centres."""

import copy
import numbers

import numpy as np
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted, check_memory

from .._training.estimator import BaseNetEstimator
from .._training.seeding import seed_of

_ENCODERS = "DenseAutoEncoder, ConvAutoEncoder, AE1Encoder, AE2Encoder or ContrastiveEncoder"


def _fit_encoder(encoder, X):
    """Fit ``encoder`` on ``X`` (module-level so that joblib can cache it)."""
    return encoder.fit(X)


def is_fitted(estimator):
    """Whether ``estimator`` is fitted (scikit-learn's test)."""
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def check_encoder(encoder, name, *, needs_decoder):
    """The encoder to start from (a default ``DenseAutoEncoder`` for ``None``), checked."""
    if encoder is None:
        from ..autoencoder import DenseAutoEncoder

        encoder = DenseAutoEncoder()
    if not isinstance(encoder, BaseNetEstimator):
        raise TypeError(
            f"{name}: encoder must be one of the library's encoders ({_ENCODERS}); "
            f"got {type(encoder).__name__}."
        )
    if needs_decoder and not hasattr(encoder, "inverse_transform"):
        raise ValueError(
            f"{name} needs an encoder with a decoder (it keeps the reconstruction loss), "
            f"but {type(encoder).__name__} has none. Use DEC with this encoder, or an "
            "autoencoder (DenseAutoEncoder, ConvAutoEncoder, AE1Encoder, AE2Encoder)."
        )
    return encoder


def pretrained_encoder(encoder, X, random_state, memory):
    """A fitted copy of ``encoder``: a deep copy if fitted, else trained on ``X``.

    An unfitted encoder is cloned (the caller's object is never changed),
    given ``random_state`` when its own is ``None``, and fitted through
    ``memory`` (a :class:`joblib.Memory` or a path, as for a
    :class:`~sklearn.pipeline.Pipeline`): fits of equal encoders on equal
    data are then loaded from the cache instead of trained again.
    """
    if is_fitted(encoder):
        return copy.deepcopy(encoder)
    encoder = clone(encoder)
    if encoder.get_params().get("random_state", 0) is None and random_state is not None:
        seed = random_state if isinstance(random_state, numbers.Integral) else seed_of(
            random_state)
        encoder.set_params(random_state=int(seed))
    fit = check_memory(memory).cache(_fit_encoder)
    return fit(encoder, X)


def initial_centers(init, Z, n_clusters, random_state, name):
    """The starting centres: means of the codes ``Z`` over ``init``'s labels.

    ``init`` is any clusterer (or pipeline ending in one) with
    ``fit_predict``, cloned before use; ``None`` is
    ``KMeans(n_clusters, n_init=20)`` seeded with ``random_state``. Samples
    labelled ``-1`` (noise, for DBSCAN and the like) are left out of the
    means.
    """
    if init is None:
        init = KMeans(n_clusters, n_init=20, random_state=random_state)
    labels = np.asarray(clone(init).fit_predict(Z)).reshape(-1)
    if labels.shape != (len(Z),):
        raise ValueError(
            f"{name}: init.fit_predict returned {labels.shape[0]} labels for "
            f"{len(Z)} samples."
        )
    found = np.unique(labels[labels != -1])
    if len(found) != n_clusters:
        raise ValueError(
            f"{name}: init ({type(init).__name__}) found {len(found)} clusters, but "
            f"n_clusters={n_clusters}; give init the same number of clusters."
        )
    return np.stack([Z[labels == c].mean(0) for c in found]).astype(np.float32)
