"""The scikit-learn estimator shared by every autoencoder of the library."""

import functools
import numbers
import time
import warnings
from abc import abstractmethod

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._augment import RandomAffine
from ._input import check_latent, check_samples
from ._net import (
    ArrayDataset,
    AutoEncoderNet,
    BatchLoader,
    StopOnDivergence,
    encode_batches,
    reconstruction_error,
)


def _check_device(device, name):
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{name}: device={device!r} is not a torch device; use 'cpu', 'cuda' "
            "or 'cuda:N'."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"{name}: device={device!r} was requested but no CUDA GPU is "
            "available (torch.cuda.is_available() is False). Use device='cpu'."
        )
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"{name}: device={device!r} was requested but MPS is unavailable.")
    return dev


def _torch_seed(random_state):
    """The torch seed drawn from ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


# an integer always stands for the same seed: drawn once (a RandomState costs 0.1 ms)
_torch_seed_of_int = functools.lru_cache(maxsize=64)(_torch_seed)


def _manual_seed(seed, device):
    """Seed torch's generator for ``device`` (all of them unless on the CPU).

    :func:`torch.manual_seed` also queues the seed for every accelerator
    backend, which costs more than a training step of a small network when
    there is none; on the CPU only the CPU generator is used.
    """
    if device.type == "cpu":
        torch.default_generator.manual_seed(seed)
    else:
        torch.manual_seed(seed)


class BaseAutoEncoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
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
        "max_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "augment_shift": [Interval(numbers.Real, 0, None, closed="left")],
        "augment_rotation": [Interval(numbers.Real, 0, 180, closed="both")],
        "optimizer": [type, callable],
        "optimizer_params": [dict, None],
        "device": [str, torch.device],
        "callbacks": [list, tuple, StrOptions({"disable"}), None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "net_params": [dict, None],
    }

    # -- hooks for subclasses -------------------------------------------------
    @abstractmethod
    def _input_format(self, X):
        """Return the InputFormat of checked training data ``X``."""

    @abstractmethod
    def _build_module(self, input_format):
        """Return a fresh torch module for ``input_format``."""

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

    def _net_kwargs(self, device):
        kwargs = {
            "criterion": torch.nn.MSELoss,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "iterator_train": BatchLoader,
            "iterator_train__shuffle": True,
            "iterator_valid": BatchLoader,
            "train_split": None,
            "device": device,
            "verbose": int(self.verbose),
            "augmentation": self._augmentation(),
        }
        for key, value in (self.optimizer_params or {}).items():
            kwargs[f"optimizer__{key}"] = value
        if self.callbacks == "disable":
            kwargs["callbacks"] = "disable"
        else:
            kwargs["callbacks"] = [
                ("stop_on_divergence", StopOnDivergence()),
                *list(self.callbacks or []),
            ]
        kwargs.update(self.net_params or {})
        return kwargs

    def _new_net(self, device):
        """A fresh, initialised skorch net for ``self.input_format_``.

        Also used by :func:`sk_aecluster.load_model` before it loads weights.
        """
        module = self._build_module(self.input_format_)
        if len(self.input_format_.network_shape) == 3:
            module = module.to(memory_format=torch.channels_last)
        net = AutoEncoderNet(module, **self._net_kwargs(device))
        return net.initialize()

    def _dataset(self, X):
        return ArrayDataset(X, self.input_format_)

    def _seed(self):
        if isinstance(self.random_state, numbers.Integral):
            return _torch_seed_of_int(int(self.random_state))
        return _torch_seed(self.random_state)

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
        name = type(self).__name__
        X = check_samples(self, X, reset=True)
        device = _check_device(self.device, name)
        self.input_format_ = self._input_format(X)
        dataset = ArrayDataset(X, self.input_format_)
        seed = self._seed()
        devices = [device] if device.type == "cuda" else []
        start = time.perf_counter()
        with torch.random.fork_rng(devices=devices):
            _manual_seed(seed, device)
            self.net_ = self._new_net(device)
            try:
                self._check_first_batch(dataset, device)
            except RuntimeError as exc:  # shapes the network cannot take
                raise ValueError(f"{name} cannot process this input: {exc}") from exc
            self.net_.partial_fit(dataset, None)
        self.fit_time_ = time.perf_counter() - start
        n_done = len(self.net_.history)
        self.n_epochs_ = n_done
        if n_done < self.max_epochs:
            warnings.warn(
                f"{name}: training stopped after {n_done} of {self.max_epochs} "
                "epochs (interrupted or stopped by a callback); the estimator "
                "keeps the weights it had then.",
                RuntimeWarning,
                stacklevel=2,
            )
        return self

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

    def _checked(self, X):
        check_is_fitted(self)
        return check_samples(
            self, X, reset=False, sample_shape=self.input_format_.sample_shape
        )

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
        X = self._checked(X)
        return encode_batches(
            self.net_.module_,
            self._dataset(X),
            self.batch_size,
            self.net_.device,
            self._n_features_out,
        )

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

    @property
    def history_(self):
        """The skorch training history (``net_.history``)."""
        check_is_fitted(self)
        return self.net_.history

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.allow_nan = False
        return tags
