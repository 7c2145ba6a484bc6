"""The scikit-learn estimator shared by every network the library trains through skorch."""

import numbers
import time
import warnings
from abc import abstractmethod

import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .data import ArrayDataset, BatchLoader, encode_batches
from .input import check_samples
from .net import StopOnDivergence
from .seeding import check_device, seed_of, seeded


class BaseNetEstimator(BaseEstimator):
    """Base class: a torch network trained by a skorch net, seen as an estimator.

    It holds what every trained estimator of the library shares: the
    training hyper-parameters and their validation, input checking and
    formats (:mod:`sk_aecluster._training.input`), batch loading
    (:class:`~sk_aecluster._training.data.BatchLoader`), seeding, the device,
    callbacks with the divergence stop, and batch-wise encoding. Subclasses
    define:

    - ``_input_format(X)``: how checked training samples map to the
      network's input (an :class:`~sk_aecluster._training.input.InputFormat`);
    - ``_build_module(input_format)``: a fresh ``torch.nn.Module`` with an
      ``encode`` method;
    - ``_net_class``: the :class:`~sk_aecluster._training.net.LeanNet`
      subclass that trains it, and ``_net_extra_kwargs(device)`` for its own
      arguments (criterion, augmentation, ...);
    - ``_check_first_batch(dataset, device)``: runs one sample through the
      new network and sets ``latent_shape_`` and ``_n_features_out``;
    - an ``accelerator=None`` argument of ``__init__`` (data-parallel
      training through Hugging Face Accelerate), which ``_fit_net`` handles
      (:mod:`sk_aecluster._training.data_parallel`).
    """

    _parameter_constraints = {
        "max_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [type, callable],
        "optimizer_params": [dict, None],
        "device": [str, torch.device],
        "callbacks": [list, tuple, StrOptions({"disable"}), None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "net_params": [dict, None],
        # checked in fit (check_accelerator): the message says whether
        # Accelerate is missing or the object is not an Accelerator
        "accelerator": "no_validation",
    }

    # -- hooks for subclasses -------------------------------------------------
    @abstractmethod
    def _input_format(self, X):
        """Return the InputFormat of checked training data ``X``."""

    @abstractmethod
    def _build_module(self, input_format):
        """Return a fresh torch module for ``input_format``."""

    @abstractmethod
    def _net_extra_kwargs(self, device):
        """The net arguments specific to this kind of estimator (criterion, ...)."""

    @abstractmethod
    def _check_first_batch(self, dataset, device):
        """Run one sample through the new network; set ``latent_shape_``, ``_n_features_out``."""

    def _net_max_epochs(self):
        """The net's ``max_epochs`` (the deep clusterers count batches instead)."""
        return self.max_epochs

    # -- helpers ----------------------------------------------------------------
    def _net_kwargs(self, device):
        kwargs = {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "max_epochs": self._net_max_epochs(),
            "batch_size": self.batch_size,
            "iterator_train": BatchLoader,
            "iterator_train__shuffle": True,
            "iterator_valid": BatchLoader,
            "train_split": None,
            "device": device,
            "verbose": int(self.verbose),
            **self._net_extra_kwargs(device),
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
        net = self._net_class(module, **self._net_kwargs(device))
        return net.initialize()

    def _dataset(self, X):
        return ArrayDataset(X, self.input_format_)

    def _seed(self):
        return seed_of(self.random_state)

    def _fit_accelerator(self):
        """The checked ``accelerator`` parameter, or None (without importing Accelerate)."""
        accelerator = getattr(self, "accelerator", None)
        if accelerator is None:
            return None
        from .data_parallel import check_accelerator, check_optimizer

        name = type(self).__name__
        check_optimizer(self.optimizer, name)
        return check_accelerator(accelerator, name)

    def _train_net(self, dataset, accelerator, seed):
        """Train ``self.net_`` on ``dataset``: itself, or data-parallel through ``accelerator``.

        Called inside ``seeded(seed, ...)`` right after the net is built.
        """
        if accelerator is None:
            self.net_.partial_fit(dataset, None)
        else:
            from .data_parallel import train_data_parallel

            train_data_parallel(self.net_, dataset, accelerator, seed)

    def _fit_device(self):
        """``(device, accelerator)`` of a fit: where it trains and the checked accelerator.

        With an accelerator the device is ``accelerator.device`` (``device``
        is not used); without one, the checked ``device`` parameter.
        """
        device = check_device(self.device, type(self).__name__)
        accelerator = self._fit_accelerator()
        if accelerator is not None:
            device = torch.device(accelerator.device)
        return device, accelerator

    def _fit_seed(self, accelerator, random_state=None):
        """The torch seed of a fit: drawn from ``random_state`` (default: the parameter).

        With an accelerator, the main process's seed on every process
        (:func:`~sk_aecluster._training.data_parallel.common_seed`).
        """
        seed = self._seed() if random_state is None else seed_of(random_state)
        if accelerator is not None:
            from .data_parallel import common_seed

            seed = common_seed(accelerator, seed)
        return seed

    def _train_fresh_net(self, dataset, device, accelerator, seed):
        """Build ``self.net_``, check it on one sample and train it; sets ``fit_time_``."""
        start = time.perf_counter()
        with seeded(seed, device):
            self.net_ = self._new_net(device)
            try:
                self._check_first_batch(dataset, device)
            except RuntimeError as exc:  # shapes the network cannot take
                raise ValueError(
                    f"{type(self).__name__} cannot process this input: {exc}") from exc
            self._train_net(dataset, accelerator, seed)
        self.fit_time_ = time.perf_counter() - start

    def _fit_net(self, X):
        """Check ``X``, build a fresh net and train it: the body of ``fit``."""
        return self._fit_checked(check_samples(self, X, reset=True), stacklevel=5)

    def _fit_checked(self, X, stacklevel=3):
        """Build a fresh net for checked samples ``X`` and train it on ``_dataset(X)``."""
        name = type(self).__name__
        device, accelerator = self._fit_device()
        seed = self._fit_seed(accelerator)
        self.input_format_ = self._input_format(X)
        self._train_fresh_net(self._dataset(X), device, accelerator, seed)
        n_done = len(self.net_.history)
        self.n_epochs_ = n_done
        if n_done < self.max_epochs:
            warnings.warn(
                f"{name}: training stopped after {n_done} of {self.max_epochs} "
                "epochs (interrupted or stopped by a callback); the estimator "
                "keeps the weights it had then.",
                RuntimeWarning,
                stacklevel=stacklevel,
            )
        return self

    def _checked(self, X):
        check_is_fitted(self)
        return check_samples(
            self, X, reset=False, sample_shape=self.input_format_.sample_shape
        )

    def _encode(self, X):
        """Codes of checked samples ``X``, float32, in batches of ``batch_size``."""
        return encode_batches(
            self.net_.module_,
            self._dataset(X),
            self.batch_size,
            self.net_.device,
            self._n_features_out,
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
        tags.input_tags.allow_nan = False
        return tags

