"""SCAN: clustering by agreement with mined nearest neighbours, as a scikit-learn clusterer."""

import numbers

import numpy as np
import torch
from sklearn.base import ClusterMixin, _fit_context
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._training.data import IndexedDataset
from .._training.estimator import BaseNetEstimator
from .._training.input import InputFormat, check_samples
from ._predict import MostProbableClusterMixin
from ._scan_module import ClusteringHeads, SCANLoss
from ._scan_net import SCANNet


def mine_neighbors(X, n_neighbors):
    """Indices ``(n, n_neighbors)`` of each sample's nearest others by cosine similarity.

    A sample is never its own neighbour (duplicates of it may be).
    """
    X = np.asarray(X, dtype=np.float32)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    unit = X / np.maximum(norms, np.float32(1e-12))
    search = NearestNeighbors(n_neighbors=n_neighbors).fit(unit)
    return search.kneighbors(return_distance=False)  # the query point itself left out


class SCAN(ClusterMixin, MostProbableClusterMixin, BaseNetEstimator):
    """Clustering heads trained so that every sample agrees with its nearest neighbours.

    The clustering step of SCAN (Van Gansbeke et al. 2020, "SCAN: Learning
    to classify images without labels") on fixed feature vectors, such as a
    :class:`~sk_aecluster.ContrastiveEncoder`'s: ``fit`` mines the
    ``n_neighbors`` nearest neighbours of every sample (cosine similarity),
    then trains ``n_heads`` small networks that map a feature vector to
    ``n_clusters`` probabilities, with the loss that makes a sample and a
    random one of its neighbours agree (``-log <p_a, p_n>``) while the
    clusters stay in use (minus ``entropy_weight`` times the entropy of the
    batch's mean assignment). The head with the lowest loss is kept (a
    choice made without labels, as in the paper). It needs features whose
    nearest neighbours mostly share a class, as a contrastive encoder's
    do; it asks nothing of the shape of the clusters beyond that.

    What is not done here: the paper also fine-tunes the image encoder
    with the heads and then trains on its own confident predictions
    (self-labelling); this estimator keeps the features fixed, so it is
    cheap (seconds to a minute for 10,000 samples on two CPU cores) and
    works after any encoder, in a pipeline.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    n_neighbors : int, default=20
        Neighbours mined per sample (the paper's ``K``, 20 for CIFAR-10).
    entropy_weight : float, default=5.0
        Weight of the entropy term (the paper's ``lambda``); larger values
        force more evenly sized clusters.
    n_heads : int, default=10
        Heads trained side by side from different initialisations; the one
        with the lowest final loss is kept.
    hidden_size : int, default=256
        Width of each head's hidden layer (``Linear, BatchNorm1d, ReLU,
        Linear`` on unit-length features).
    max_epochs : int, default=100
        Passes over the samples (each sample is an anchor once per epoch).
    batch_size : int, default=256
        Anchors per mini-batch (each step sees ``2 * batch_size`` samples:
        the anchors and one neighbour of each), and samples per batch when
        predicting.
    lr : float, default=1e-3
        Learning rate of the optimizer.
    optimizer : type, default=torch.optim.Adam
        A ``torch.optim.Optimizer`` class.
    optimizer_params : dict or None, default=None
        Extra keyword arguments for the optimizer, e.g.
        ``{"weight_decay": 1e-4}``.
    device : str or torch.device, default="cpu"
        Where to train and predict (``"cuda"``, ...).
    callbacks : list of skorch callbacks, "disable" or None, default=None
        Added to skorch's default callbacks (epoch timer, training loss,
        epoch table), e.g. ``[ProgressBar()]``; ``"disable"`` turns every
        callback off.
    verbose : int, default=0
        ``1`` prints skorch's table of epochs.
    random_state : int, RandomState instance or None, default=None
        Seeds the heads' initialisation, shuffling and the neighbour
        draws: the same integer gives the same clusters on the CPU. The
        global torch random state is left untouched.
    net_params : dict or None, default=None
        Further keyword arguments for the skorch net
        (:class:`~sk_aecluster.cluster.SCANNet`).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training sample (the kept head's ``argmax``).
    best_head_ : int
        The kept head.
    head_losses_ : ndarray of shape (n_heads,)
        Each head's loss in the last epoch (the kept head's is the lowest).
    net_ : SCANNet
        The trained skorch net: ``net_.module_`` holds every head,
        ``net_.history`` the training history (``train_loss``, the mean over
        the heads, and ``head_losses``).
    history_ : skorch.history.History
        Shortcut for ``net_.history``.
    input_format_ : InputFormat
        The shape of the feature vectors seen in ``fit``.
    n_epochs_ : int
        Epochs actually run (fewer than ``max_epochs`` if interrupted).
    fit_time_ : float
        Seconds spent in training (mining the neighbours not included).
    n_features_in_ : int
        Length of one feature vector.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    ContrastiveEncoder : Features whose neighbours share a class, made for
        this clusterer.
    DEC : Clustering that fine-tunes an encoder with k-means-like centres.
    sklearn.cluster.SpectralClustering : Another clustering of a
        neighbourhood graph, without a network (no ``predict``).

    Notes
    -----
    The input must be feature vectors ``(n_samples, n_features)``, not
    images: put an encoder before it, ``Pipeline([("contrastive",
    ContrastiveEncoder()), ("cluster", SCAN(10))])``. Features are compared
    by direction only (cosine similarity), so their scale does not matter.
    It needs more samples than ``n_neighbors``. ``predict`` assigns new
    samples with the kept head; it does not need their neighbours.

    The entropy term favours clusters of equal size: where the classes
    differ much in size (USPS has twice as many zeros as eights) it splits
    the large ones (``benchmarks/RESULTS.md``); a lower ``entropy_weight``
    allows more unequal clusters.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_aecluster import SCAN
    >>> rng = np.random.RandomState(0)
    >>> X = np.concatenate([rng.normal([5, 0], 1, (50, 2)), rng.normal([0, 5], 1, (50, 2))])
    >>> scan = SCAN(2, n_neighbors=5, n_heads=2, hidden_size=16, max_epochs=20,
    ...             batch_size=16, random_state=0).fit(X)
    >>> np.bincount(scan.labels_)
    array([50, 50])
    """

    _parameter_constraints = {
        **BaseNetEstimator._parameter_constraints,
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "entropy_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "n_heads": [Interval(numbers.Integral, 1, None, closed="left")],
        "hidden_size": [Interval(numbers.Integral, 1, None, closed="left")],
    }
    _parameter_constraints.pop("accelerator")

    _net_class = SCANNet

    def __init__(
        self,
        n_clusters=8,
        *,
        n_neighbors=20,
        entropy_weight=5.0,
        n_heads=10,
        hidden_size=256,
        max_epochs=100,
        batch_size=256,
        lr=1e-3,
        optimizer=torch.optim.Adam,
        optimizer_params=None,
        device="cpu",
        callbacks=None,
        verbose=0,
        random_state=None,
        net_params=None,
    ):
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.entropy_weight = entropy_weight
        self.n_heads = n_heads
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state
        self.net_params = net_params

    # -- BaseNetEstimator hooks -------------------------------------------------
    def _input_format(self, X):
        # feature vectors go to the heads as they are (float32, no scaling)
        d = X.shape[1]
        return InputFormat("flat", (d,), None, (d,), X.dtype, -1.0, 1.0)

    def _build_module(self, input_format):
        return ClusteringHeads(input_format.network_shape[0], self.n_clusters,
                               self.n_heads, self.hidden_size)

    def _net_extra_kwargs(self, device):
        return {
            "criterion": SCANLoss,
            "criterion__entropy_weight": self.entropy_weight,
            "neighbors": getattr(self, "_neighbors", None),
        }

    def _check_first_batch(self, dataset, device):
        self.latent_shape_ = (int(self.n_clusters),)
        self._n_features_out = int(self.n_clusters)

    def _dataset(self, X):
        return IndexedDataset(X, self.input_format_)

    # -- scikit-learn API -------------------------------------------------------
    def _check_features(self, X):
        name = type(self).__name__
        if X.ndim != 2:
            raise ValueError(
                f"{name} clusters feature vectors of shape (n_samples, n_features); got "
                f"an array of shape {X.shape}. For images, put an encoder before it: "
                f"Pipeline([('contrastive', ContrastiveEncoder()), ('cluster', {name}(k))])."
            )
        n = X.shape[0]
        if n <= self.n_neighbors:
            raise ValueError(
                f"{name} needs more samples than n_neighbors={self.n_neighbors}; got "
                f"n_samples = {n}. Lower n_neighbors."
            )
        if n < self.n_clusters:
            raise ValueError(
                f"n_samples={n} should be >= n_clusters={self.n_clusters}."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Mine every sample's neighbours and train the clustering heads.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors (an encoder's output).
        y : Ignored
            Not used; accepted so the estimator works in pipelines and grid
            searches.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X = check_samples(self, X, reset=True)
        self._check_features(X)
        self._neighbors = mine_neighbors(X, self.n_neighbors)
        try:
            self._fit_checked(X, stacklevel=4)
        finally:
            del self._neighbors
        history = self.net_.history
        losses = [row["head_losses"] for row in history if "head_losses" in row]
        if losses:
            self.head_losses_ = np.asarray(losses[-1], dtype=np.float64)
        else:  # no epoch ran (max_epochs=0)
            self.head_losses_ = np.full(self.n_heads, np.nan)
        best = int(np.argmin(np.nan_to_num(self.head_losses_, nan=np.inf)))
        self.net_.module_.head.fill_(best)  # what encode, so predict_proba, uses
        self.labels_ = self._encode(X).argmax(1).astype(np.intp)
        return self

    @property
    def best_head_(self):
        """The kept head: the network's ``head`` buffer, which ``predict_proba`` reads."""
        check_is_fitted(self)
        return int(self.net_.module_.head)

    def predict_proba(self, X):
        """Cluster probabilities of ``X`` from the kept head.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors like those seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_clusters), dtype float32
            Each row sums to 1.
        """
        return self._encode(self._checked(X))

    def __sklearn_is_fitted__(self):
        return hasattr(self, "labels_")
