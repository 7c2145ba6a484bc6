"""Ready-made clustering pipelines: the recommended recipe and the study's."""

from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline

from .autoencoder import AE1Encoder, AE2Encoder, DenseAutoEncoder
from .manifold import TSNETransformer


def make_recommended_pipeline(
    n_clusters,
    *,
    max_epochs=100,
    batch_size=64,
    lr=1e-3,
    device="cpu",
    random_state=None,
    n_jobs=1,
    verbose=0,
):
    """The library's recommended recipe: dense autoencoder, t-SNE, k-means.

    ``DenseAutoEncoder`` (``d-500-500-2000-10``, ReLU, Adam) trained long
    enough to converge, then :class:`TSNETransformer` to two dimensions, then
    :class:`~sklearn.cluster.KMeans`. Images of any shape are flattened by the
    autoencoder. It is the N2D idea (autoencoder, manifold learner, simple
    clusterer) with t-SNE, a dependency of the library, in place of UMAP; see
    ``benchmarks/RESULTS.md`` for how it compares with the peers.

    Parameters
    ----------
    n_clusters : int
        Number of clusters.
    max_epochs : int, default=100
        Autoencoder training epochs.
    batch_size : int, default=64
        Autoencoder mini-batch size.
    lr : float, default=1e-3
        Adam learning rate.
    device : str, default="cpu"
        Device for the autoencoder (``"cuda"`` on a GPU).
    random_state : int or None, default=None
        Seeds every step.
    n_jobs : int, default=1
        Threads for t-SNE.
    verbose : int, default=0
        ``1`` prints the autoencoder's epoch table.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``"ae"``, ``"tsne"`` and ``"cluster"``; use ``fit_predict``.

    Examples
    --------
    >>> from sk_aecluster import make_recommended_pipeline
    >>> pipe = make_recommended_pipeline(10, random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['ae', 'tsne', 'cluster']
    """
    return Pipeline([
        ("ae", DenseAutoEncoder(max_epochs=max_epochs, batch_size=batch_size, lr=lr,
                                device=device, random_state=random_state, verbose=verbose)),
        ("tsne", TSNETransformer(random_state=random_state, n_jobs=n_jobs)),
        ("cluster", KMeans(n_clusters, n_init=10, random_state=random_state)),
    ])


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
