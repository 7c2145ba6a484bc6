"""Ready-made clustering pipelines: the recommended recipe and the study's."""

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline

from .autoencoder import AE1Encoder, AE2Encoder, DenseAutoEncoder
from .cluster import SCAN
from .contrastive import ContrastiveEncoder
from .features import HOGFeatures
from .manifold import TSNETransformer

_FEATURES = ("autoencoder", "hog", "contrastive")
# the training defaults of each kind of learnt features (max_epochs, lr)
_TRAINING_DEFAULTS = {"autoencoder": (250, 1e-3), "contrastive": (30, 1e-3)}


def make_recommended_pipeline(
    n_clusters,
    *,
    features="autoencoder",
    manifold="umap",
    clusterer="kmeans",
    max_epochs=None,
    batch_size=256,
    lr=None,
    augment_shift=1.0,
    augment_rotation=5.0,
    n_neighbors=20,
    features_params=None,
    device="cpu",
    random_state=None,
    n_jobs=1,
    verbose=0,
):
    """The library's recommended recipe: features, UMAP, k-means.

    A :class:`DenseAutoEncoder` (``d-500-500-2000-10``, LeakyReLU, Adam,
    batch 256, 250 epochs) trained on randomly shifted and rotated copies of
    the images, then UMAP to two dimensions (``n_neighbors=20``,
    ``min_dist=0``: tight, well separated groups), then
    :class:`~sklearn.cluster.KMeans`. It is the N2D idea (autoencoder,
    manifold learner, simple clusterer) with the training choices that made
    the difference in ``benchmarks/RESULTS.md``: LeakyReLU, augmentation and
    a 2-D UMAP with k-means instead of an ``n_clusters``-dimensional one with
    a Gaussian mixture, which split or merged classes depending on the seed.

    For colour photographs and for small images pass ``features="hog"``:
    :class:`HOGFeatures` (gradient orientation histograms, 8x8 cells per
    image) take the autoencoder's place. An autoencoder trained to
    reconstruct pixels mostly learns colour and layout; the orientation
    histograms describe shape, which is what tells vehicles from animals in
    CIFAR-10, and they need no training. In ``benchmarks/RESULTS.md`` HOG
    features won on CIFAR-2 and on the bundled 8x8 digits, the autoencoder
    on USPS and MNIST.

    ``features="contrastive"`` learns the features instead: a
    :class:`ContrastiveEncoder` (SimCLR: a small conv network trained,
    without labels, to map two random crops, flips and colour distortions
    of one image close together) takes the first step. It costs training
    time (about 17 s per epoch of 10,000 32x32 colour images on two CPU
    cores) and is the choice for colour photographs when that time is
    available (``benchmarks/RESULTS.md``).

    Which arguments apply to which ``features``:

    ============================  ============  =====  ===========
    argument                      autoencoder   hog    contrastive
    ============================  ============  =====  ===========
    ``max_epochs``, ``lr``        yes           --     yes
    ``batch_size``, ``device``    yes           --     yes
    ``verbose``                   yes           --     yes
    ``augment_shift``,            yes           --     --
    ``augment_rotation``
    ``features_params``           yes           yes    yes
    ============================  ============  =====  ===========

    ``clusterer="scan"`` replaces the 2-D embedding and k-means with
    :class:`SCAN` on the features themselves: clustering heads trained so
    that each image agrees with its nearest neighbours in feature space.
    It suits features whose neighbours share a class, such as the
    contrastive encoder's: on the bundled digits it clustered the same
    contrastive features at 0.909-0.927 (3 seeds) where UMAP and k-means
    reached 0.790-0.859; on CIFAR-10 the two were level, and on USPS,
    whose classes differ in size, SCAN lost (``benchmarks/RESULTS.md``).

    Without labels to tell which recipe suits the images, ``features="auto"``
    returns a :class:`~sk_aecluster.StabilityRecipeSelector` that fits all
    three and keeps the one with the best
    :func:`~sk_aecluster.clustering_stability_score`; ``n_clusters="auto"``
    chooses the number of clusters by the same score (see
    :ref:`choosing_without_labels`).

    Parameters
    ----------
    n_clusters : int or "auto"
        Number of clusters; ``"auto"``: chosen among 2 to 12 by the
        stability score (the result is then a selector).
    features : {"autoencoder", "hog", "contrastive", "auto"}, default="autoencoder"
        What the embedding is computed from: the codes of the dense
        autoencoder (grey images of 16x16 pixels and more, such as scanned
        digits), HOG features (colour photographs and small images, no
        training), or the features of a :class:`ContrastiveEncoder`
        (colour photographs, trained on the images themselves); ``"auto"``:
        all three, the most stable kept.
    manifold : {"umap", "tsne"}, default="umap"
        The 2-D embedding: UMAP (needs the ``umap`` extra, ``pip install
        "sk-aecluster[umap]"``) or :class:`TSNETransformer`. UMAP was the
        more stable of the two on USPS and MNIST; t-SNE did better on the
        small digits set. Not used with ``clusterer="scan"``.
    clusterer : {"kmeans", "scan"}, default="kmeans"
        The clustering step: ``"kmeans"``, the 2-D embedding of
        ``manifold`` followed by :class:`~sklearn.cluster.KMeans`;
        ``"scan"``, :class:`SCAN` (``n_neighbors=20``, 10 heads, 100
        epochs, on ``device``) directly on the features, with no embedding
        step.
    max_epochs : int or None, default=None
        Training epochs of the autoencoder or the contrastive encoder;
        ``None`` takes the recipe's choice: 250 for the autoencoder (rather
        than 100: the accuracy on USPS rose from 0.978 to 0.981 and on MNIST
        from 0.967 to 0.977, about five minutes per fit of 10,000 images on
        two CPU cores), 30 for the contrastive encoder.
    batch_size : int, default=256
        Mini-batch size of the autoencoder or the contrastive encoder.
    lr : float or None, default=None
        Adam learning rate; ``None`` takes the recipe's choice (``1e-3`` for
        both).
    augment_shift : float, default=1.0
        Autoencoder only: largest random shift of a training image, in
        pixels; ``0`` turns shifting off. Samples must be images (or flat
        square grey images) unless both augmentation parameters are ``0``.
    augment_rotation : float, default=5.0
        Autoencoder only: largest random rotation of a training image, in
        degrees.
    n_neighbors : int, default=20
        Neighbourhood size of UMAP (ignored by t-SNE), or the neighbours
        :class:`SCAN` mines per image.
    features_params : dict or None, default=None
        Further keyword arguments of the first step's estimator
        (:class:`DenseAutoEncoder`, :class:`HOGFeatures` or
        :class:`ContrastiveEncoder`), overriding the recipe's choices, e.g.
        ``{"flip": False}`` for a contrastive encoder of digits (their
        mirror images are other shapes) or ``{"width": 64}`` for a wider
        network on a GPU. With ``features="auto"``, a dict of such dicts
        keyed by ``features`` value, e.g. ``{"contrastive": {"flip": False}}``.
    device : str, default="cpu"
        Device for the autoencoder or the contrastive encoder (``"cuda"``
        on a GPU).
    random_state : int or None, default=None
        Seeds every step. UMAP runs single-threaded when seeded.
    n_jobs : int, default=1
        Threads for t-SNE; with ``features="auto"`` or ``n_clusters="auto"``
        also the stability score's parallel refits
        (:class:`StabilityRecipeSelector`'s ``n_jobs``).
    verbose : int, default=0
        ``1`` prints the network's epoch table.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``"ae"``, ``"hog"`` or ``"contrastive"``, then ``"umap"`` or
        ``"tsne"``, and ``"cluster"`` (k-means); with ``clusterer="scan"``,
        the features step and ``"cluster"`` (:class:`SCAN`). Use
        ``fit_predict``. With
        ``features="auto"`` or ``n_clusters="auto"``, a
        :class:`~sk_aecluster.StabilityRecipeSelector` over such pipelines
        (``fit_predict``, ``predict``, ``best_estimator_``, ``scores_``).

    Raises
    ------
    ImportError
        With ``manifold="umap"`` when umap-learn is not installed.

    Examples
    --------
    >>> from sk_aecluster import make_recommended_pipeline
    >>> pipe = make_recommended_pipeline(10, manifold="tsne", random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['ae', 'tsne', 'cluster']
    >>> pipe = make_recommended_pipeline(2, features="hog", manifold="tsne")
    >>> [name for name, _ in pipe.steps]
    ['hog', 'tsne', 'cluster']
    >>> pipe = make_recommended_pipeline(10, features="contrastive", manifold="tsne",
    ...                                  features_params={"flip": False})
    >>> pipe.named_steps["contrastive"].get_params()["flip"]
    False
    >>> pipe = make_recommended_pipeline(10, features="contrastive", clusterer="scan")
    >>> [name for name, _ in pipe.steps]
    ['contrastive', 'cluster']
    >>> make_recommended_pipeline(10, features="auto", manifold="tsne").candidates
    ('autoencoder', 'hog', 'contrastive')
    """
    if features not in (*_FEATURES, "auto"):
        raise ValueError(
            f"features must be 'autoencoder', 'hog', 'contrastive' or 'auto'; got {features!r}."
        )
    if clusterer not in ("kmeans", "scan"):
        raise ValueError(f"clusterer must be 'kmeans' or 'scan'; got {clusterer!r}.")
    if features == "auto" or (isinstance(n_clusters, str) and n_clusters == "auto"):
        from .model_selection import StabilityRecipeSelector

        single = features != "auto"
        params = dict(manifold=manifold, clusterer=clusterer, max_epochs=max_epochs,
                      batch_size=batch_size, lr=lr,
                      augment_shift=augment_shift, augment_rotation=augment_rotation,
                      n_neighbors=n_neighbors, device=device, random_state=random_state,
                      n_jobs=n_jobs, verbose=verbose,
                      features_params={features: features_params} if single else features_params)
        return StabilityRecipeSelector(n_clusters, candidates=(features,) if single else _FEATURES,
                                       recipe_params=params, n_jobs=n_jobs,
                                       random_state=random_state)
    if clusterer == "scan":  # SCAN on the features themselves: no embedding step
        tail = [("cluster", SCAN(n_clusters, n_neighbors=n_neighbors, device=device,
                                 random_state=random_state, verbose=verbose))]
    else:
        tail = [_embedding(manifold, n_neighbors, random_state, n_jobs),
                ("cluster", KMeans(n_clusters, n_init=10, random_state=random_state))]
    extra = dict(features_params or {})
    if features == "hog":
        first = ("hog", HOGFeatures(**extra))
    else:
        default_epochs, default_lr = _TRAINING_DEFAULTS[features]
        training = dict(
            max_epochs=default_epochs if max_epochs is None else max_epochs,
            batch_size=batch_size,
            lr=default_lr if lr is None else lr,
            device=device, random_state=random_state, verbose=verbose,
        )
        if features == "contrastive":
            first = ("contrastive", ContrastiveEncoder(**{**training, **extra}))
        else:
            first = ("ae", DenseAutoEncoder(**{
                "activation": "leaky_relu", "augment_shift": augment_shift,
                "augment_rotation": augment_rotation, **training, **extra,
            }))
    return Pipeline([first, *tail])


def _embedding(manifold, n_neighbors, random_state, n_jobs):
    """The recipe's 2-D embedding step ``(name, estimator)`` for ``manifold``."""
    if manifold == "umap":
        try:
            from umap import UMAP
        except ImportError as exc:
            raise ImportError(
                "make_recommended_pipeline(manifold='umap') needs umap-learn: "
                "pip install 'sk-aecluster[umap]', or pass manifold='tsne'."
            ) from exc
        return ("umap", UMAP(n_components=2, n_neighbors=n_neighbors, min_dist=0.0,
                             random_state=random_state))
    if manifold == "tsne":
        return ("tsne", TSNETransformer(random_state=random_state, n_jobs=n_jobs))
    raise ValueError(f"manifold must be 'umap' or 'tsne'; got {manifold!r}.")


#: Images with a side shorter than this count as small for :func:`recommended_features`.
SMALL_IMAGE_SIDE = 16


def recommended_features(X):
    """The features the recommended recipe should use for these images, by a fixed rule.

    The documented rule of :func:`make_recommended_pipeline`: ``"hog"`` for
    colour images and for small images (a side shorter than
    :data:`SMALL_IMAGE_SIDE` pixels, such as the bundled 8x8 digits),
    ``"autoencoder"`` for larger grey images (USPS, MNIST). The rule comes
    from ``benchmarks/RESULTS.md``, where HOG won on CIFAR-2 and on the
    digits and the autoencoder on USPS and MNIST; it looks only at the
    images' shape, never at their content, so it can be wrong for images
    unlike those (a label-free choice by clustering stability is the
    alternative). ``sk-aecluster cluster --recipe auto`` tries this
    function's recipe first and keeps it when its stability score is high
    enough.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width) or (n_samples, height, width, channels)
        Grey or colour images (channels last). Anything that is not a batch
        of images (a 2-D table of features) gets ``"autoencoder"``: HOG
        needs images.

    Returns
    -------
    features : {"hog", "autoencoder"}
        The ``features`` argument of :func:`make_recommended_pipeline`.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_aecluster import recommended_features
    >>> recommended_features(np.zeros((5, 8, 8)))         # small grey images
    'hog'
    >>> recommended_features(np.zeros((5, 28, 28)))       # larger grey images
    'autoencoder'
    >>> recommended_features(np.zeros((5, 32, 32, 3)))    # colour photographs
    'hog'
    """
    shape = np.shape(X)
    if len(shape) not in (3, 4):
        return "autoencoder"
    colour = len(shape) == 4 and shape[-1] in (3, 4)
    small = min(shape[1], shape[2]) < SMALL_IMAGE_SIDE
    return "hog" if colour or small else "autoencoder"


def make_study_pipeline(n_clusters=2, *, autoencoder="ae2", reducer="pca", n_components=None,
                        max_epochs=20, random_state=None, **autoencoder_params):
    """One of the study's four pipelines: AE1 or AE2, PCA(32) or t-SNE(2), KMeans.

    Parameters
    ----------
    n_clusters : int, default=2
        Number of clusters.
    autoencoder : {"ae1", "ae2"}, default="ae2"
        The study's autoencoder.
    reducer : {"pca", "tsne"}, default="pca"
        PCA to 32 dimensions or t-SNE to 2, as in the study's table.
    n_components : int or None, default=None
        Overrides the reducer's output size (32 for PCA, 2 for t-SNE).
    max_epochs : int, default=20
        Autoencoder training epochs.
    random_state : int or None, default=None
        Seeds every step.
    **autoencoder_params
        Further keyword arguments of the autoencoder (``pad_images=True``, ...).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``"ae"``, ``"pca"`` or ``"tsne"``, and ``"km"``.

    Examples
    --------
    >>> from sk_aecluster import make_study_pipeline
    >>> [name for name, _ in make_study_pipeline(autoencoder="ae1", reducer="tsne").steps]
    ['ae', 'tsne', 'km']
    """
    classes = {"ae1": AE1Encoder, "ae2": AE2Encoder}
    if autoencoder not in classes:
        raise ValueError(f"autoencoder must be 'ae1' or 'ae2'; got {autoencoder!r}.")
    ae_cls = classes[autoencoder]
    ae = ae_cls(max_epochs=max_epochs, random_state=random_state, **autoencoder_params)
    if reducer == "pca":
        red = ("pca", PCA(n_components or 32, random_state=random_state))
    elif reducer == "tsne":
        red = ("tsne", TSNETransformer(n_components=n_components or 2, random_state=random_state))
    else:
        raise ValueError(f"reducer must be 'pca' or 'tsne'; got {reducer!r}.")
    return Pipeline([("ae", ae), red, ("km", KMeans(n_clusters, n_init=10,
                                                    random_state=random_state))])
