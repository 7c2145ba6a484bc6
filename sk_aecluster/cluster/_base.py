"""The scikit-learn side shared by DEC and IDEC."""

import inspect
import math
import numbers
import time
import warnings

import numpy as np
import torch
from sklearn.base import (
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import HasMethods, Interval

from .._training.data import IndexedDataset, IntervalLoader
from .._training.estimator import BaseNetEstimator
from .._training.input import check_samples
from ._module import DECModule
from ._net import DECNet
from ._predict import MostProbableClusterMixin
from ._start import check_encoder, initial_centers, pretrained_encoder


def with_parameter(init, name, default):
    """The signature of ``init`` with a keyword-only parameter ``name=default`` added last."""
    signature = inspect.signature(init)
    added = inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
    return signature.replace(parameters=[*signature.parameters.values(), added])


class BaseDEC(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin,
              MostProbableClusterMixin, BaseNetEstimator):
    """Base class of :class:`DEC` and :class:`IDEC` (``_uses_decoder`` tells them apart)."""

    _parameter_constraints = {
        **{k: v for k, v in BaseNetEstimator._parameter_constraints.items()
           if k != "max_epochs"},
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "encoder": [HasMethods(["fit", "transform"]), None],
        "init": [HasMethods(["fit_predict"]), None],
        "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
        "update_interval": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, 1, closed="both")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "memory": [None, str, HasMethods(["cache"])],
    }

    _net_class = DECNet
    _uses_decoder = False

    def __init__(
        self,
        n_clusters=8,
        *,
        encoder=None,
        init=None,
        alpha=1.0,
        update_interval=140,
        tol=0.001,
        max_iter=20000,
        memory=None,
        lr=1e-3,
        batch_size=256,
        optimizer=torch.optim.Adam,
        optimizer_params=None,
        device="cpu",
        callbacks=None,
        verbose=0,
        random_state=None,
        net_params=None,
        accelerator=None,
    ):
        self.n_clusters = n_clusters
        self.encoder = encoder
        self.init = init
        self.alpha = alpha
        self.update_interval = update_interval
        self.tol = tol
        self.max_iter = max_iter
        self.memory = memory
        self.lr = lr
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state
        self.net_params = net_params
        self.accelerator = accelerator

    # -- BaseNetEstimator hooks -------------------------------------------------
    def _input_format(self, X):
        return self.encoder_.input_format_

    def _build_module(self, input_format):
        return DECModule(self.encoder_.net_.module_, self._start_centers, self.alpha,
                         self.encoder_.latent_shape_, decode=self._uses_decoder)

    def _net_max_epochs(self):
        return math.ceil(self.max_iter / self.update_interval)

    def _gamma(self):
        return None

    def _net_extra_kwargs(self, device):
        return {
            "criterion": torch.nn.KLDivLoss,
            "criterion__reduction": "batchmean",
            "iterator_train": IntervalLoader,
            "iterator_train__n_batches": self.update_interval,
            "iterator_train__max_batches": self.max_iter,
            "gamma": self._gamma(),
            "tol": self.tol,
        }

    def _check_first_batch(self, dataset, device):
        self.latent_shape_ = (int(self._start_centers.shape[1]),)
        self._n_features_out = int(self._start_centers.shape[1])

    def _dataset(self, X):
        return IndexedDataset(X, self.input_format_)

    def _train_net(self, dataset, accelerator, seed):
        """Train with the parameters the loss does not reach frozen (DEC's decoder).

        ``DistributedDataParallel`` needs a gradient for every trainable
        parameter in every step; the frozen ones are trainable again after.
        """
        xb, _ = dataset[slice(0, 1)]
        frozen = self.net_.module_.unused_parameters(xb.to(self.net_.device))
        for param in frozen:
            param.requires_grad_(False)
        try:
            super()._train_net(dataset, accelerator, seed)
        finally:
            for param in frozen:
                param.requires_grad_(True)

    # -- scikit-learn API -------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Pre-train the encoder if needed, start the centres with ``init``, fine-tune.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training samples, in a format the encoder takes (see
            :ref:`input`).
        y : Ignored
            Not used; accepted so the estimator works in pipelines and grid
            searches.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        name = type(self).__name__
        encoder = check_encoder(self.encoder, name, needs_decoder=self._uses_decoder)
        X = check_samples(self, X, reset=True)
        device, accelerator = self._fit_device()
        random_state = self.random_state
        if accelerator is not None and random_state is None:
            # one seed for every process: pre-training, init and the batches
            random_state = self._fit_seed(accelerator)
        start = time.perf_counter()
        self.encoder_ = pretrained_encoder(encoder, X, random_state, self.memory)
        self.pretrain_time_ = time.perf_counter() - start
        Z = self.encoder_.transform(X)
        self._start_centers = initial_centers(self.init, Z, self.n_clusters,
                                              random_state, name)
        self.input_format_ = self._input_format(X)
        self._train_fresh_net(self._dataset(X), device, accelerator,
                              self._fit_seed(accelerator, random_state))
        self._sync_encoder_device()
        del self._start_centers
        history = self.net_.history
        self.n_iter_ = int(sum(row.get("train_batch_count", 0) for row in history))
        self.converged_ = bool(self.net_.converged_)
        self.labels_ = self._soft(X).argmax(1).astype(np.intp)
        self.cluster_centers_ = self.net_.module_.centers.detach().cpu().numpy().copy()
        if not self.converged_ and self.n_iter_ < self.max_iter:
            warnings.warn(
                f"{name}: training stopped after {self.n_iter_} of {self.max_iter} "
                "iterations (interrupted or stopped by a callback); the estimator keeps "
                "the weights it had then.", RuntimeWarning, stacklevel=2)
        return self

    def _sync_encoder_device(self):
        """Keep ``encoder_`` usable on its own: its net on the device its module is on."""
        device = str(self.net_.device)
        if str(self.encoder_.net_.device) != device:
            self.encoder_.net_.device = device
            self.encoder_.set_params(device=device)

    def _soft(self, X):
        return self.net_.soft_assignments(self._dataset(X))

    def predict_proba(self, X):
        """Soft assignments ``q`` of ``X`` (Student's t kernel around the centres).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples in the format seen in ``fit``.

        Returns
        -------
        q : ndarray of shape (n_samples, n_clusters), dtype float32
            Each row sums to 1.
        """
        return self._soft(self._checked(X))

    def transform(self, X):
        """Codes of ``X`` from the fine-tuned encoder (the space of ``cluster_centers_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples in the format seen in ``fit``.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_latent), dtype float32
        """
        return self._encode(self._checked(X))

    def __sklearn_is_fitted__(self):
        return hasattr(self, "labels_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.three_d_array = True
        return tags
