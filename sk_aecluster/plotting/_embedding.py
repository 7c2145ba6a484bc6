"""The data in two dimensions, coloured by cluster and by true label: question 3."""

import numpy as np
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.utils._optional_dependencies import check_matplotlib_support

from ..metrics._clustering import match_clusters_to_classes
from ._utils import class_names, grid_axes

_MAX_LEGEND = 20


def _colors(n):
    """``n`` distinct colours: tab10, tab20, then a sampled continuous map."""
    import matplotlib as mpl

    if n <= 10:
        return [mpl.colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [mpl.colormaps["tab20"](i) for i in range(n)]
    cmap = mpl.colormaps["turbo"]
    return [cmap(v) for v in np.linspace(0.05, 0.95, n)]


def _match_colors(clusters, classes):
    """Colour index of each cluster: the index of its best-matching class.

    Clusters are matched one-to-one to classes (Hungarian algorithm, as in
    the clustering accuracy) so that both panels use the same colour for a
    cluster and its class; clusters left over get the next free colours.
    """
    _, _, counts, rows, cols = match_clusters_to_classes(classes, clusters)
    n_classes, n_clusters = counts.shape
    color_of = np.full(n_clusters, -1, dtype=np.intp)
    color_of[cols] = rows
    free = iter(range(n_classes, n_classes + n_clusters))
    for k in range(n_clusters):
        if color_of[k] < 0:
            color_of[k] = next(free)
    return color_of


class EmbeddingDisplay:
    """A 2-D scatter of the data coloured by cluster and by true label.

    The study's question 3: the encoded (and reduced) data in the plane, one
    panel coloured by the clustering and, when the true labels are known, a
    second panel coloured by them. When both are given, each cluster takes
    the colour of the class it matches best (the matching of
    :func:`~sk_aecluster.clustering_accuracy_score`), so the panels can be
    compared at a glance. Use :meth:`from_estimator` or
    :meth:`from_embedding` to create one; embeddings with more than two
    dimensions are projected on their first two principal components.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2) or (n_samples, 1)
        Coordinates of the points (one dimension is drawn on a line).
    labels : array-like of shape (n_samples,) or None, default=None
        Cluster labels.
    y_true : array-like of shape (n_samples,) or None, default=None
        True labels; adds a second panel.
    target_names : array-like or None, default=None
        Names of the true classes when ``y_true`` holds their indices
        ``0..n_classes-1`` (as :func:`~sk_aecluster.datasets.load_image_folder`
        returns them).
    axis_labels : tuple of (str, str), default=("dimension 1", "dimension 2")
        Labels of the x and y axes.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The first panel (coloured by cluster, or by true label when there are
        no cluster labels).
    axes_ : ndarray of matplotlib Axes of shape (n_panels,)
        All panels.
    scatters_ : list of matplotlib PathCollection
        The scatter of each panel.
    legends_ : list of matplotlib Legend or None
        The legend of each panel (None for panels with more than 20 colours).
    bounding_ax_ : matplotlib Axes or None
        The Axes passed as ``ax`` and divided into panels (hidden), if any.
    figure_ : matplotlib Figure
        The figure holding the panels.

    See Also
    --------
    EmbeddingDisplay.from_estimator : Embed data with a fitted pipeline and
        plot it.
    EmbeddingDisplay.from_embedding : Plot given coordinates.
    ReconstructionDisplay : Originals above their reconstructions.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sk_aecluster.plotting import EmbeddingDisplay
    >>> rng = np.random.RandomState(0)
    >>> Z = np.concatenate([rng.normal(0, 1, (20, 5)), rng.normal(4, 1, (20, 5))])
    >>> y = np.repeat([0, 1], 20)
    >>> disp = EmbeddingDisplay.from_embedding(Z, y, y_true=y)
    >>> len(disp.axes_), disp.ax_.get_xlabel()
    (2, 'PC 1')
    """

    def __init__(
        self,
        embedding,
        labels=None,
        *,
        y_true=None,
        target_names=None,
        axis_labels=("dimension 1", "dimension 2"),
    ):
        self.embedding = embedding
        self.labels = labels
        self.y_true = y_true
        self.target_names = target_names
        self.axis_labels = axis_labels

    def _points(self):
        Z = np.asarray(self.embedding, dtype=np.float64)
        if Z.ndim == 1:
            Z = Z[:, None]
        if Z.ndim != 2 or Z.shape[1] not in (1, 2) or len(Z) == 0:
            raise ValueError(
                "embedding must have shape (n_samples, 2) or (n_samples, 1) with "
                f"n_samples >= 1; got {np.shape(self.embedding)}. Use "
                "EmbeddingDisplay.from_embedding to project more dimensions."
            )
        if Z.shape[1] == 1:
            Z = np.column_stack([Z[:, 0], np.zeros(len(Z))])
        for name in ("labels", "y_true"):
            value = getattr(self, name)
            if value is not None and len(value) != len(Z):
                raise ValueError(
                    f"{name} has {len(value)} entries but the embedding has "
                    f"{len(Z)} points."
                )
        return Z

    def _class_names(self, classes):
        return class_names(classes, self.target_names)

    def plot(self, *, ax=None, title=None, scatter_kw=None, legend=True):
        """Draw the scatter plot(s).

        Parameters
        ----------
        ax : matplotlib Axes, array of Axes or None, default=None
            ``None`` creates a figure. With two panels a single Axes is hidden
            and divided in two; an array must hold one Axes per panel.
        title : str or None, default=None
            Title of the figure; ``None`` gives a default one.
        scatter_kw : dict or None, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.scatter`.
        legend : bool, default=True
            Add a legend to panels with at most 20 colours.

        Returns
        -------
        display : EmbeddingDisplay
            The object, with the drawn artists stored as attributes.
        """
        check_matplotlib_support("EmbeddingDisplay.plot")
        from matplotlib.lines import Line2D

        Z = self._points()
        n = len(Z)
        panels = []  # (codes, names, color index of each code, title)
        cluster_colors = None
        if self.labels is not None and self.y_true is not None:
            clusters, ccodes = np.unique(np.asarray(self.labels), return_inverse=True)
            classes, ycodes = np.unique(np.asarray(self.y_true), return_inverse=True)
            cluster_colors = _match_colors(ccodes, ycodes)
        if self.labels is not None:
            clusters, ccodes = np.unique(np.asarray(self.labels), return_inverse=True)
            if cluster_colors is None:
                cluster_colors = np.arange(len(clusters))
            panels.append((
                ccodes,
                [f"cluster {c}" for c in clusters],
                cluster_colors,
                f"Coloured by cluster ({len(clusters)} clusters)",
            ))
        if self.y_true is not None:
            classes, ycodes = np.unique(np.asarray(self.y_true), return_inverse=True)
            panels.append((
                ycodes,
                self._class_names(classes),
                np.arange(len(classes)),
                f"Coloured by true label ({len(classes)} classes)",
            ))
        if not panels:
            panels.append((np.zeros(n, dtype=np.intp), None, np.zeros(1, np.intp), "Points"))

        fig, axes, bounding = grid_axes(ax, 1, len(panels), figsize=(5.6 * len(panels), 5.0))
        axes = axes.reshape(-1)
        size = float(np.clip(20000.0 / n, 3.0, 30.0))
        scatters, legends = [], []
        for a, (codes, names, color_index, panel_title) in zip(axes, panels, strict=True):
            palette = np.array(_colors(int(color_index.max()) + 1))
            kw = {"s": size, "linewidths": 0, "alpha": 0.85}
            kw.update(scatter_kw or {})
            if "c" not in kw and "color" not in kw:
                kw["c"] = palette[color_index[codes]]
            scatters.append(a.scatter(Z[:, 0], Z[:, 1], **kw))
            a.set_xlabel(self.axis_labels[0])
            a.set_ylabel(self.axis_labels[1])
            a.set_title(panel_title)
            leg = None
            if legend and names is not None and len(names) <= _MAX_LEGEND:
                handles = [
                    Line2D([], [], linestyle="", marker="o", markersize=6,
                           color=palette[color_index[k]], label=name)
                    for k, name in enumerate(names)
                ]
                leg = a.legend(
                    handles=handles, fontsize=8, loc="upper left",
                    bbox_to_anchor=(1.0, 1.0), frameon=False,
                )
            legends.append(leg)
        if title is None:
            title = f"2-D embedding of {n} samples"
        if bounding is not None:
            bounding.set_title(title)
        else:
            fig.suptitle(title)
        self.ax_ = axes[0]
        self.axes_ = axes
        self.scatters_ = scatters
        self.legends_ = legends
        self.bounding_ax_ = bounding
        self.figure_ = fig
        return self

    @classmethod
    def from_embedding(
        cls,
        embedding,
        labels=None,
        *,
        y_true=None,
        target_names=None,
        axis_label=None,
        random_state=0,
        ax=None,
        title=None,
        scatter_kw=None,
        legend=True,
    ):
        """Plot coordinates, projected on two principal components if needed.

        Parameters
        ----------
        embedding : array-like of shape (n_samples, n_dims)
            The points. With ``n_dims > 2`` they are projected on their first
            two principal components (:class:`~sklearn.decomposition.PCA`).
        labels : array-like of shape (n_samples,) or None, default=None
            Cluster labels.
        y_true : array-like of shape (n_samples,) or None, default=None
            True labels; adds a second panel.
        target_names : array-like or None, default=None
            Names of the classes indexed by ``y_true``.
        axis_label : str or None, default=None
            Axis names are ``"<axis_label> 1"`` and ``"<axis_label> 2"``;
            ``None`` uses ``"PC"`` after a projection and ``"dimension"``
            otherwise.
        random_state : int, RandomState instance or None, default=0
            Seeds the PCA solver of the projection.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw; see :meth:`plot`.
        title : str or None, default=None
            Title of the figure.
        scatter_kw : dict or None, default=None
            Extra keyword arguments for ``scatter``.
        legend : bool, default=True
            Add legends to panels with at most 20 colours.

        Returns
        -------
        display : EmbeddingDisplay
        """
        check_matplotlib_support("EmbeddingDisplay.from_embedding")
        Z = np.asarray(embedding, dtype=np.float64)
        if Z.ndim == 1:
            Z = Z[:, None]
        if Z.ndim != 2 or len(Z) == 0:
            raise ValueError(
                "embedding must have shape (n_samples, n_dims) with n_samples >= 1; "
                f"got {np.shape(embedding)}."
            )
        if not np.isfinite(Z).all():
            raise ValueError("embedding contains NaN or infinity.")
        projected = Z.shape[1] > 2
        if projected:
            if len(Z) < 2:
                Z = Z[:, :2]
            else:
                Z = PCA(2, random_state=random_state).fit_transform(Z)
        if axis_label is None:
            axis_label = "PC" if projected else "dimension"
        disp = cls(
            Z,
            labels,
            y_true=y_true,
            target_names=target_names,
            axis_labels=(f"{axis_label} 1", f"{axis_label} 2"),
        )
        return disp.plot(ax=ax, title=title, scatter_kw=scatter_kw, legend=legend)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        labels=None,
        y_true=None,
        target_names=None,
        axis_label=None,
        random_state=0,
        ax=None,
        title=None,
        scatter_kw=None,
        legend=True,
    ):
        """Embed ``X`` with a fitted pipeline or transformer and plot it.

        Parameters
        ----------
        estimator : estimator
            Either a fitted clustering :class:`~sklearn.pipeline.Pipeline`
            (transformers then a final step with ``predict``, e.g.
            autoencoder -> PCA -> KMeans): the points are the output of the
            steps before the last one, coloured by the final step's
            ``predict``; or a fitted transformer (an autoencoder, a pipeline of
            transformers): the points are its ``transform`` output.
        X : array-like of shape (n_samples, ...)
            Data in the format the estimator was fitted on.
        labels : array-like of shape (n_samples,) or None, default=None
            Cluster labels; ``None`` uses the clustering pipeline's
            ``predict(X)`` (no cluster panel for a plain transformer).
        y_true : array-like of shape (n_samples,) or None, default=None
            True labels; adds a second panel.
        target_names : array-like or None, default=None
            Names of the classes indexed by ``y_true``.
        axis_label : str or None, default=None
            Axis name prefix; see :meth:`from_embedding`.
        random_state : int, RandomState instance or None, default=0
            Seeds the PCA projection of embeddings with more than 2 dimensions.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw; see :meth:`plot`.
        title : str or None, default=None
            Title of the figure.
        scatter_kw : dict or None, default=None
            Extra keyword arguments for ``scatter``.
        legend : bool, default=True
            Add legends to panels with at most 20 colours.

        Returns
        -------
        display : EmbeddingDisplay
        """
        check_matplotlib_support("EmbeddingDisplay.from_estimator")
        final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else None
        if final is not None and hasattr(final, "predict"):
            Z = estimator[:-1].transform(X) if len(estimator) > 1 else np.asarray(X)
            if labels is None:
                labels = final.predict(Z)
        elif hasattr(estimator, "transform"):
            Z = estimator.transform(X)
        else:
            raise TypeError(
                f"{type(estimator).__name__} has no transform: pass a fitted "
                "Pipeline ending in a clusterer, or a fitted transformer."
            )
        Z = np.asarray(Z)
        if Z.ndim > 2:
            Z = Z.reshape(len(Z), -1)
        return cls.from_embedding(
            Z,
            labels,
            y_true=y_true,
            target_names=target_names,
            axis_label=axis_label,
            random_state=random_state,
            ax=ax,
            title=title,
            scatter_kw=scatter_kw,
            legend=legend,
        )
