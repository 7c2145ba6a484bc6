"""DEC and IDEC: deep embedded clustering over any encoder of the library."""

import numbers

from sklearn.utils._param_validation import Interval

from ._base import BaseDEC, with_parameter

_COMMON_PARAMS = """\
n_clusters : int, default=8
        Number of clusters.
    encoder : estimator or None, default=None
        The encoder to fine-tune: one of the library's encoders
        ({encoders}). Unfitted, it is pre-trained on ``X`` in ``fit`` (a
        clone; with its own ``random_state`` if it has one, else with this
        estimator's); fitted, a copy of it is used as it is. The object
        passed is never changed. ``None``: ``DenseAutoEncoder()``
        (``d-500-500-2000-10``, 50 epochs), the paper's network.
    init : clusterer or None, default=None
        Gives the starting labels: any scikit-learn clusterer, or a pipeline
        ending in one, with ``fit_predict`` (for instance UMAP followed by
        k-means), fitted (a clone) on the pre-trained codes; the starting
        centres are the means of the codes of each of its clusters. It must
        find ``n_clusters`` clusters (samples labelled ``-1`` are left out).
        ``None``: ``KMeans(n_clusters, n_init=20, random_state=random_state)``.
    alpha : float, default=1.0
        Degrees of freedom of the Student's t kernel of the soft assignments.
    update_interval : int, default=140
        The target distribution is recomputed from **all** samples every
        this many batches (the paper's ``T``; 140 for MNIST). The history
        has one row per interval.
    tol : float, default=0.001
        Training stops when, after a target update, fewer than this fraction
        of the samples changed cluster.
    max_iter : int, default=20000
        Most training batches (optimizer steps) of the clustering phase.
    memory : str, joblib.Memory or None, default=None
        Cache for pre-training, as for a :class:`~sklearn.pipeline.Pipeline`:
        an unfitted encoder's fit is keyed by its parameters and ``X``, so a
        grid search over this estimator's own parameters pre-trains each
        encoder once. ``None``: no caching.
    lr : float, default=1e-3
        Learning rate of the fine-tuning (encoder and centres).
    batch_size : int, default=256
        Samples per batch, in training and when computing assignments.
    optimizer : type, default=torch.optim.Adam
        A ``torch.optim.Optimizer`` class.
    optimizer_params : dict or None, default=None
        Extra keyword arguments for the optimizer, e.g.
        ``{{"momentum": 0.9}}`` for :class:`torch.optim.SGD`.
    device : str or torch.device, default="cpu"
        Where to fine-tune (``"cuda"``, ...); the encoder is pre-trained on
        its own ``device``.
    callbacks : list of skorch callbacks, "disable" or None, default=None
        Added to skorch's default callbacks of the clustering phase; one
        epoch of the history is one update interval.
    verbose : int, default=0
        ``1`` prints skorch's table, one row per update interval (with
        ``delta_label``, the fraction of labels changed).
    random_state : int, RandomState instance or None, default=None
        Seeds the default ``init``, the pre-training of an encoder without
        a ``random_state`` of its own, and the batches of the clustering
        phase. One integer gives bit-identical results on the CPU, in one
        process or across processes; the global torch random state is left
        untouched.
    net_params : dict or None, default=None
        Further keyword arguments for the skorch net
        (:class:`~sk_aecluster.cluster.DECNet`).
    accelerator : accelerate.Accelerator or None, default=None
        Fine-tune data-parallel through Hugging Face Accelerate (``pip
        install "sk_aecluster[accelerate]"``) on the processes, GPUs or
        machines of a launch (``torchrun`` or ``accelerate launch``; see
        :ref:`distributed_training`). The clustering phase then runs on
        ``accelerator.device`` (``device`` is not used), ``batch_size`` and
        ``max_iter`` are per process (every process takes ``max_iter``
        steps on its share of the batches), and every process computes the
        same target from all samples. The encoder is pre-trained as it is
        configured (give it an accelerator of its own to pre-train it
        data-parallel too); with ``random_state=None`` the main process's
        seed is used everywhere. ``None`` trains in this process alone. The
        fitted estimator is an ordinary one: it pickles, saves and predicts
        without Accelerate."""

_FITTED = """\
labels_ : ndarray of shape (n_samples,)
        Cluster of each training sample (``argmax`` of its soft assignment
        after training; equal to ``predict`` of the training samples).
    cluster_centers_ : ndarray of shape (n_clusters, n_latent)
        The learnt centres, in the encoder's latent space.
    encoder_ : estimator
        The fine-tuned encoder (a copy; ``encoder_.transform`` gives the same
        codes as ``transform``).
    n_iter_ : int
        Training batches run in the clustering phase.
    converged_ : bool
        Whether training stopped on ``tol`` (rather than ``max_iter``).
    net_ : DECNet
        The skorch net of the clustering phase (``net_.module_`` holds the
        encoder's network and the centres).
    history_ : skorch.history.History
        The clustering phase's history, one row per update interval, with
        ``train_loss`` and ``delta_label``.
    pretrain_time_, fit_time_ : float
        Seconds spent obtaining the pre-trained encoder (training it, or
        loading it from ``memory``) and in the clustering phase.
    input_format_ : InputFormat
        The encoder's input format.
    n_features_in_ : int
        Number of values in one input sample.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names."""

_ENCODERS = "DenseAutoEncoder, ConvAutoEncoder, AE1Encoder, AE2Encoder, ContrastiveEncoder"


def _fill(cls):
    cls.__doc__ = cls.__doc__.format(
        common_params=_COMMON_PARAMS.format(
            encoders=_ENCODERS if cls.__name__ == "DEC" else _ENCODERS.rsplit(",", 1)[0]),
        fitted=_FITTED)
    return cls


@_fill
class DEC(BaseDEC):
    """Deep Embedded Clustering (Xie et al. 2016) over any encoder of the library.

    ``fit`` pre-trains the encoder (when it is unfitted), starts cluster
    centres in its latent space from the labels of ``init`` (k-means by
    default, or any clusterer), and then fine-tunes the encoder and the
    centres together: the soft assignments ``q`` (a Student's t kernel
    around the centres) are pulled towards the sharpened target
    distribution ``p`` computed from them, by minimising ``KL(p || q)``.
    ``p`` is recomputed from all samples every ``update_interval`` batches
    and training stops when fewer than ``tol`` of the labels change. The
    decoder takes no part in the clustering phase (see :class:`IDEC` for
    the variant that keeps it).

    Training runs through skorch on the library's training machinery
    (:class:`~sk_aecluster.cluster.DECNet`).

    Parameters
    ----------
    {common_params}

    Attributes
    ----------
    {fitted}

    See Also
    --------
    IDEC : DEC with the reconstruction loss kept.
    sklearn.cluster.KMeans : The default ``init``.

    References
    ----------
    J. Xie, R. Girshick, A. Farhadi. Unsupervised deep embedding for
    clustering analysis. ICML 2016.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sk_aecluster import DEC, DenseAutoEncoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = DenseAutoEncoder(hidden_units=(64,), latent_dim=8, max_epochs=5)
    >>> dec = DEC(10, encoder=ae, max_iter=100, random_state=0).fit(X)
    >>> dec.labels_.shape, dec.predict_proba(X[:2]).sum(1).round(3)
    ((1797,), array([1., 1.], dtype=float32))
    """


@_fill
class IDEC(BaseDEC):
    """Improved Deep Embedded Clustering (Guo et al. 2017): DEC that keeps the decoder.

    As :class:`DEC`, but the fine-tuning keeps the autoencoder's
    reconstruction loss, so the latent space is not distorted by the
    clustering term alone: ``L = L_reconstruction + gamma * KL(p || q)``.
    The encoder must therefore have a decoder (one of the autoencoders; a
    :class:`~sk_aecluster.ContrastiveEncoder` is refused with a clear
    error).

    Parameters
    ----------
    {common_params}
    gamma : float, default=0.1
        Weight of the clustering loss (the paper's ``gamma``).

    Attributes
    ----------
    {fitted}

    See Also
    --------
    DEC : Without the reconstruction loss.

    References
    ----------
    X. Guo, L. Gao, X. Liu, J. Yin. Improved deep embedded clustering with
    local structure preservation. IJCAI 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sk_aecluster import IDEC, DenseAutoEncoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = DenseAutoEncoder(hidden_units=(64,), latent_dim=8, max_epochs=5)
    >>> idec = IDEC(10, encoder=ae, max_iter=100, random_state=0).fit(X)
    >>> idec.cluster_centers_.shape
    (10, 8)
    """

    _parameter_constraints = {
        **BaseDEC._parameter_constraints,
        "gamma": [Interval(numbers.Real, 0, None, closed="left")],
    }
    _uses_decoder = True

    def __init__(self, n_clusters=8, *, gamma=0.1, **params):
        super().__init__(n_clusters, **params)
        self.gamma = gamma

    # scikit-learn reads the parameters from the signature: BaseDEC's and gamma
    __init__.__signature__ = with_parameter(BaseDEC.__init__, "gamma", 0.1)

    def _gamma(self):
        return float(self.gamma)
