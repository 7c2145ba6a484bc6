"""t-SNE with a ``transform`` for new points, through openTSNE."""

import logging
import numbers
import warnings

import joblib
import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data


def _refuse_text(X, estimator):
    """Refuse arrays of strings, which NumPy would silently parse as numbers."""
    dtype = getattr(X, "dtype", None)
    if dtype is None and not hasattr(X, "iloc"):
        dtype = np.asarray(X).dtype
    if dtype is not None and getattr(dtype, "kind", None) in ("U", "S"):
        raise TypeError(
            f"{type(estimator).__name__} expects numeric data; got an array of "
            f"dtype {dtype}."
        )
    return X


class TSNETransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """t-SNE as a pipeline step that can also embed new points.

    scikit-learn's :class:`~sklearn.manifold.TSNE` has no ``transform`` and
    so cannot sit in the middle of a :class:`~sklearn.pipeline.Pipeline`.
    This step wraps `openTSNE <https://opentsne.readthedocs.io>`_: ``fit``
    computes the embedding of the training data, and ``transform`` of new
    points optimises their positions in that fixed embedding (openTSNE's
    ``TSNEEmbedding.transform``), so ``pipe.predict(X_new)`` works.

    ``transform`` of the training data itself returns the stored training
    embedding (training samples are recognised row by row, by their exact
    values), so ``fit(X).transform(X)`` equals ``fit_transform(X)``, also for
    subsets and permutations of ``X``, and a pipeline's ``predict(X_train)``
    agrees with its ``fit_predict(X_train)``. New points are placed in the
    frame of ``embedding_``; ``transform`` never modifies the estimator.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the embedding. More than 2 needs
        ``negative_gradient_method="bh"`` (chosen by ``"auto"``).
    perplexity : float, default=30.0
        Effective number of neighbours. Lowered, with a warning, to
        ``(n_samples - 1) / 3`` for small data sets.
    learning_rate : float or "auto", default="auto"
        Step size of the optimisation.
    n_iter : int, default=500
        Iterations after the early exaggeration phase.
    early_exaggeration_iter : int, default=250
        Iterations of the early exaggeration phase.
    early_exaggeration : float or "auto", default="auto"
        Exaggeration during the early phase.
    exaggeration : float or None, default=None
        Exaggeration during the main phase (> 1 gives tighter clusters).
    metric : str, default="euclidean"
        Distance between input points.
    initialization : {"pca", "random", "spectral"}, default="pca"
        How the embedding starts.
    negative_gradient_method : {"auto", "fft", "bh"}, default="auto"
        Approximation of the repulsive forces; ``"auto"`` uses FFT
        interpolation for 1-2 components and at least 10,000 points, and
        Barnes-Hut otherwise (faster on small data, any dimension).
    transform_params : dict or None, default=None
        Keyword arguments of openTSNE's ``TSNEEmbedding.transform`` for new
        points (``perplexity``, ``n_iter``, ``learning_rate``, ...).
    n_jobs : int, default=1
        Threads used by openTSNE. Results are reproducible for a fixed
        ``random_state`` and ``n_jobs``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation and the neighbour search.
    verbose : bool, default=False
        Print openTSNE's progress.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
        The embedding of the training data.
    tsne_embedding_ : openTSNE.TSNEEmbedding
        The openTSNE object that places new points.
    perplexity_ : float
        The perplexity actually used.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    sklearn.manifold.TSNE : The transductive t-SNE of scikit-learn.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sk_aecluster import TSNETransformer
    >>> X, _ = load_digits(return_X_y=True)
    >>> tsne = TSNETransformer(random_state=0).fit(X[:300])
    >>> tsne.transform(X[300:310]).shape
    (10, 2)
    """

    _parameter_constraints = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "perplexity": [Interval(numbers.Real, 0, None, closed="neither")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "n_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "early_exaggeration_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "early_exaggeration": [
            Interval(numbers.Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "exaggeration": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "metric": [str, callable],
        "initialization": [StrOptions({"pca", "random", "spectral"})],
        "negative_gradient_method": [StrOptions({"auto", "fft", "bh"})],
        "transform_params": [dict, None],
        "n_jobs": [numbers.Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=2,
        perplexity=30.0,
        learning_rate="auto",
        n_iter=500,
        early_exaggeration_iter=250,
        early_exaggeration="auto",
        exaggeration=None,
        metric="euclidean",
        initialization="pca",
        negative_gradient_method="auto",
        transform_params=None,
        n_jobs=1,
        random_state=None,
        verbose=False,
    ):
        self.n_components = n_components
        self.perplexity = perplexity
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.early_exaggeration_iter = early_exaggeration_iter
        self.early_exaggeration = early_exaggeration
        self.exaggeration = exaggeration
        self.metric = metric
        self.initialization = initialization
        self.negative_gradient_method = negative_gradient_method
        self.transform_params = transform_params
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the t-SNE embedding of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : object
        """
        X = validate_data(self, _refuse_text(X, self), dtype=np.float64, ensure_min_samples=2)
        n = X.shape[0]
        self.perplexity_ = float(self.perplexity)
        limit = (n - 1) / 3.0
        if self.perplexity_ > limit:
            warnings.warn(
                f"perplexity={self.perplexity} is too large for {n} samples; "
                f"using {limit:.3g} instead.",
                UserWarning,
                stacklevel=2,
            )
            self.perplexity_ = limit
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        tsne = self._opentsne(seed, *X.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.tsne_embedding_ = tsne.fit(X)
        self.embedding_ = np.array(self.tsne_embedding_, dtype=np.float64)
        self._n_features_out = self.n_components
        self._train_key = (X.shape, joblib.hash(X))
        self._seed = seed
        # the knn index of the affinities holds X already: no extra memory
        self._fit_X = X
        return self

    def _opentsne(self, seed, n_samples, n_features):
        """The ``openTSNE.TSNE`` that ``fit`` runs, for a given integer seed."""
        import openTSNE

        method = self.negative_gradient_method
        if method == "auto":
            # openTSNE's own rule (Barnes-Hut below 10,000 points, where it is
            # faster), except that FFT interpolation only exists for 1-2 dims
            method = "fft" if self.n_components <= 2 and n_samples >= 10_000 else "bh"
        initialization = self.initialization
        if initialization == "pca" and n_features < self.n_components:
            initialization = "random"
        return openTSNE.TSNE(
            n_components=self.n_components,
            perplexity=max(self.perplexity_, 1e-3),
            learning_rate=self.learning_rate,
            n_iter=self.n_iter,
            early_exaggeration_iter=self.early_exaggeration_iter,
            early_exaggeration=self.early_exaggeration,
            exaggeration=self.exaggeration,
            metric=self.metric,
            initialization=initialization,
            negative_gradient_method=method,
            n_jobs=self.n_jobs,
            random_state=seed,
            verbose=bool(self.verbose),
        )

    def _restore_embedding(self, X, positions):
        """Rebuild ``tsne_embedding_`` from the training data and positions.

        Used by :func:`sk_aecluster.load_model`: openTSNE's embedding object
        cannot be stored without pickle, but everything it needs to place new
        points (the affinities, a function of ``X`` and the parameters, and the
        point positions) can be recomputed exactly.
        """
        tsne = self._opentsne(self._seed, *X.shape)
        logger = logging.getLogger("openTSNE")
        level = logger.level
        logger.setLevel(logging.ERROR)  # not a fresh start: no variance warning
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                # an array as initialisation: only the affinities are computed
                self.tsne_embedding_ = tsne.prepare_initial(X, initialization=positions)
        finally:
            logger.setLevel(level)
        self._fit_X = X

    def fit_transform(self, X, y=None):
        """Fit and return the embedding of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        embedding : ndarray of shape (n_samples, n_components)
        """
        return self.fit(X).embedding_.copy()

    def transform(self, X):
        """Embed points into the fitted embedding.

        Rows equal to a training sample get that sample's stored coordinates
        (so ``transform`` of the training data, or of any subset or
        permutation of it, agrees with ``fit_transform``); the other points
        are placed by optimising their positions against the fixed training
        points, each independently of the others up to the shared
        interpolation grid. New points come back in the coordinate frame of
        ``embedding_``, and repeated calls give the same result.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        embedding : ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        X = validate_data(self, _refuse_text(X, self), dtype=np.float64, reset=False)
        if X.shape == self._train_key[0] and joblib.hash(X) == self._train_key[1]:
            return self.embedding_.copy()
        rows = self._training_rows(X)
        known = rows >= 0
        out = np.empty((X.shape[0], self.n_components), dtype=np.float64)
        out[known] = self.embedding_[rows[known]]
        if not known.all():
            out[~known] = self._place(X[~known])
        return out

    def _training_rows(self, X):
        """Index of the training sample equal to each row of ``X``, or -1."""
        train = np.ascontiguousarray(self._fit_X)
        table = {}
        for i in range(train.shape[0]):
            table.setdefault(hash(train[i].tobytes()), i)
        X = np.ascontiguousarray(X)
        rows = np.full(X.shape[0], -1, dtype=np.intp)
        for j in range(X.shape[0]):
            i = table.get(hash(X[j].tobytes()))
            if i is not None and np.array_equal(train[i], X[j]):
                rows[j] = i
        return rows

    def _place(self, X):
        """Optimise the positions of new points against the training embedding."""
        from openTSNE import TSNEEmbedding

        ref = self.tsne_embedding_
        # openTSNE's transform re-centres the reference embedding in place.
        # Work on a fresh copy of the training positions so that calls do not
        # change the estimator, and shift the result back by the same centre
        # so new points share the frame of embedding_ (which KMeans and the
        # like were fitted on).
        fresh = TSNEEmbedding(
            self.embedding_,
            ref.affinities,
            random_state=ref.random_state,
            **ref.gradient_descent_params,
        )
        center = (self.embedding_.max(axis=0) + self.embedding_.min(axis=0)) / 2
        params = dict(self.transform_params or {})
        with np.errstate(divide="ignore", invalid="ignore"):
            new = fresh.transform(X, **params)
        return np.asarray(new, dtype=np.float64) + center

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
