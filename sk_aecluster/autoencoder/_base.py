"""The scikit-learn estimator shared by every autoencoder of the library."""

import numbers

import numpy as np
import torch
from sklearn.base import (
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._training.estimator import BaseNetEstimator
from .._training.input import check_latent
from ._augment import RandomAffine
from ._net import AutoEncoderNet, reconstruction_error


class BaseAutoEncoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNetEstimator):
    """Base class: an autoencoder trained by skorch, used as a transformer.

    Subclasses define ``_input_format(X)`` (how samples map to the network's
    input) and ``_build_module(input_format)`` (the ``torch.nn.Module``).

    Attributes
    ----------
    net_ : AutoEncoderNet
        The trained skorch net (``net_.module_`` is the torch module and
        ``net_.history`` the training history).
    input_format_ : InputFormat
        The sample layout and scaling found in ``fit``.
    latent_shape_ : tuple of int
        Shape of one sample's latent code before flattening.
    n_features_in_ : int
        Number of values in one input sample.
    """

    _parameter_constraints = {
        **BaseNetEstimator._parameter_constraints,
        "augment_shift": [Interval(numbers.Real, 0, None, closed="left")],
        "augment_rotation": [Interval(numbers.Real, 0, 180, closed="both")],
    }

    _net_class = AutoEncoderNet

    # -- hooks for subclasses -------------------------------------------------
    def _augmentation_layout(self):
        """``(image_shape, layout)`` of one network input seen as an image.

        ``layout`` is ``"chw"`` or ``"hwc"`` (the order of a flat sample's
        values). Conv networks take images already; the dense network
        overrides this.
        """
        return self.input_format_.network_shape, "chw"

    # -- helpers ----------------------------------------------------------------
    def _augmentation(self):
        """The training-batch augmentation, or None when it is switched off."""
        if not (self.augment_shift or self.augment_rotation):
            return None
        shape, layout = self._augmentation_layout()
        return RandomAffine(shape, self.augment_shift, self.augment_rotation, layout=layout)

    def _net_extra_kwargs(self, device):
        return {"criterion": torch.nn.MSELoss, "augmentation": self._augmentation()}

    # -- scikit-learn API -------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training samples; see :ref:`input` in the user guide for the
            accepted layouts and how they are scaled.
        y : Ignored
            Not used: the loss compares the reconstruction with ``X`` only.
            Accepted so the estimator works inside pipelines and grid searches.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_net(X)

    def _check_first_batch(self, dataset, device):
        """Run one sample through the network once to learn the latent shape."""
        module = self.net_.module_
        was_training = module.training
        module.eval()
        with torch.inference_mode():
            xb, _ = dataset[slice(0, 1)]
            z = module.encode(xb.to(device))
            recon = module.decode(z)
        module.train(was_training)
        if recon.shape != xb.shape:
            raise RuntimeError(
                f"the network maps input of shape {tuple(xb.shape[1:])} to "
                f"{tuple(recon.shape[1:])}"
            )
        self.latent_shape_ = tuple(z.shape[1:])
        self._n_features_out = int(np.prod(self.latent_shape_))

    def transform(self, X):
        """Encode ``X`` into flattened latent codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples in the format seen in ``fit``.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_latent), dtype float32
            The latent codes, computed in batches of ``batch_size``.
        """
        return self._encode(self._checked(X))

    def inverse_transform(self, X):
        """Decode latent codes back into samples in the input's format.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_latent)
            Latent codes, as returned by ``transform``.

        Returns
        -------
        X_rec : ndarray of shape (n_samples, ...)
            Reconstructions with the layout and dtype of the training data
            (uint8 images come back as uint8, rounded and clipped).
        """
        check_is_fitted(self)
        Z = check_latent(X, self._n_features_out, type(self).__name__)
        module = self.net_.module_
        module.eval()
        fmt = self.input_format_
        out = np.empty((len(Z), *fmt.sample_shape), dtype=fmt.dtype)
        with torch.inference_mode():
            for start in range(0, len(Z), self.batch_size):
                zb = torch.as_tensor(
                    Z[start : start + self.batch_size], dtype=torch.float32
                ).reshape(-1, *self.latent_shape_)
                out[start : start + len(zb)] = fmt.from_tensor(
                    module.decode(zb.to(self.net_.device))
                )
        return out

    def reconstruct(self, X):
        """Encode and decode ``X``: ``inverse_transform(transform(X))``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)

        Returns
        -------
        X_rec : ndarray with the shape and dtype of ``X``
        """
        return self.inverse_transform(self.transform(X))

    def score(self, X, y=None):
        """Negative mean squared reconstruction error (higher is better).

        The error is measured on the network's scale (inputs mapped to
        ``[-1, 1]``), so scores are comparable between data sets.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        y : Ignored

        Returns
        -------
        score : float
        """
        X = self._checked(X)
        return -reconstruction_error(
            self.net_.module_, self._dataset(X), self.batch_size, self.net_.device
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
