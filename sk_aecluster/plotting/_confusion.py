"""Clusters against true classes, in the order of the Hungarian matching."""

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support

from ..metrics._clustering import match_clusters_to_classes
from ._utils import class_names


def hungarian_order(y_true, labels):
    """The clusters-by-classes count matrix with matched pairs on the diagonal.

    Returns ``(matrix, clusters, classes, n_matched)``: ``matrix[i, j]`` counts
    the samples of class ``classes[j]`` in cluster ``clusters[i]``; the first
    ``n_matched`` clusters are matched to the first ``n_matched`` classes in
    order (the matching of :func:`~sk_aecluster.clustering_accuracy_score`),
    matched classes in their sorted order; classes left without a cluster
    follow in sorted order, clusters left without a class follow ordered by
    the class they hold most of, largest first.
    """
    classes, clusters, counts, rows, cols = match_clusters_to_classes(y_true, labels)
    pairs = sorted(zip(rows.tolist(), cols.tolist(), strict=True))
    class_order = [r for r, _ in pairs]
    cluster_order = [c for _, c in pairs]
    class_order += [r for r in range(len(classes)) if r not in set(class_order)]
    position = {r: i for i, r in enumerate(class_order)}
    rest = [c for c in range(len(clusters)) if c not in set(cluster_order)]
    rest.sort(key=lambda c: (position[int(np.argmax(counts[:, c]))], -counts[:, c].sum(), c))
    cluster_order += rest
    matrix = counts.T[np.ix_(cluster_order, class_order)]
    return matrix, clusters[cluster_order], classes[class_order], len(pairs)


class ClusterConfusionDisplay:
    """Clusters against true classes: a count matrix in Hungarian order.

    Row ``i`` is a cluster, column ``j`` a true class, the cell the number of
    samples of that class in that cluster. Clusters and classes are ordered
    so that the pairs matched by the Hungarian algorithm (the matching behind
    :func:`~sk_aecluster.clustering_accuracy_score`) lie on the diagonal: a
    good clustering shows a strong diagonal, and the clustering accuracy is
    the diagonal's sum over the total. Unlike a classifier's confusion
    matrix the numbers of rows and columns may differ. Use
    :meth:`from_predictions` or :meth:`from_estimator` to create one.

    Parameters
    ----------
    confusion_matrix : ndarray of shape (n_clusters, n_classes)
        Counts, rows in the order of ``cluster_labels``, columns in the order
        of ``class_labels``.
    cluster_labels : array-like of shape (n_clusters,) or None, default=None
        Name of each row; ``None`` numbers them from 0.
    class_labels : array-like of shape (n_classes,) or None, default=None
        Name of each column; ``None`` numbers them from 0.
    n_matched : int or None, default=None
        How many leading diagonal cells are matched pairs; ``None`` takes
        ``min(n_clusters, n_classes)``.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The matrix.
    text_ : ndarray of matplotlib Text of shape (n_clusters, n_classes) or None
        The count in each cell; None when ``include_values`` is false.
    matched_patches_ : list of matplotlib Rectangle
        The outlines of the matched cells (empty when not highlighted).
    accuracy_ : float
        Samples on the matched cells over all samples: the clustering
        accuracy.
    ax_ : matplotlib Axes
        The Axes holding the matrix.
    figure_ : matplotlib Figure
        The figure holding it.

    See Also
    --------
    ClusterConfusionDisplay.from_predictions : Plot true labels against
        cluster labels.
    ClusterConfusionDisplay.from_estimator : Cluster data with a fitted
        estimator and plot it against the true labels.
    sklearn.metrics.ConfusionMatrixDisplay : The classifier's counterpart.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sk_aecluster.plotting import ClusterConfusionDisplay
    >>> y_true = ["cat", "cat", "cat", "dog", "dog", "owl"]
    >>> labels = [2, 2, 0, 0, 0, 1]
    >>> disp = ClusterConfusionDisplay.from_predictions(y_true, labels)
    >>> disp.cluster_labels.tolist(), disp.class_labels.tolist()
    ([2, 0, 1], ['cat', 'dog', 'owl'])
    >>> disp.confusion_matrix.tolist()
    [[2, 0, 0], [1, 2, 0], [0, 0, 1]]
    >>> round(disp.accuracy_, 3)
    0.833
    """

    def __init__(self, confusion_matrix, *, cluster_labels=None, class_labels=None,
                 n_matched=None):
        self.confusion_matrix = confusion_matrix
        self.cluster_labels = cluster_labels
        self.class_labels = class_labels
        self.n_matched = n_matched

    def plot(self, *, include_values=True, cmap="Blues", values_format=None, ax=None,
             colorbar=True, highlight_matched=True, title=None, im_kw=None, text_kw=None):
        """Draw the matrix.

        Parameters
        ----------
        include_values : bool, default=True
            Write the count in each cell.
        cmap : str or matplotlib Colormap, default="Blues"
            Colormap of the counts.
        values_format : str or None, default=None
            Format of the counts, e.g. ``"d"``; ``None`` uses ``"d"`` for
            integers and ``".2g"`` otherwise.
        ax : matplotlib Axes or None, default=None
            Where to draw; ``None`` creates a figure.
        colorbar : bool, default=True
            Add a colour bar.
        highlight_matched : bool, default=True
            Outline the cells of the matched cluster-class pairs.
        title : str or None, default=None
            Title of the Axes; ``None`` gives one with the accuracy.
        im_kw : dict or None, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.imshow`.
        text_kw : dict or None, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.text`.

        Returns
        -------
        display : ClusterConfusionDisplay
            The object, with the drawn artists stored as attributes.
        """
        check_matplotlib_support("ClusterConfusionDisplay.plot")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle

        cm = np.asarray(self.confusion_matrix)
        if cm.ndim != 2 or cm.size == 0 or cm.dtype.kind not in "biuf":
            raise ValueError(
                "confusion_matrix must be a non-empty 2-D array of counts; got "
                f"shape {cm.shape} and dtype {cm.dtype}."
            )
        n_rows, n_cols = cm.shape
        rows = np.arange(n_rows) if self.cluster_labels is None else np.asarray(self.cluster_labels)
        cols = np.arange(n_cols) if self.class_labels is None else np.asarray(self.class_labels)
        if len(rows) != n_rows or len(cols) != n_cols:
            raise ValueError(
                f"cluster_labels ({len(rows)}) and class_labels ({len(cols)}) must "
                f"match the matrix shape {cm.shape}."
            )
        n_matched = min(cm.shape) if self.n_matched is None else int(self.n_matched)
        if not 0 <= n_matched <= min(cm.shape):
            raise ValueError(f"n_matched must lie in 0..{min(cm.shape)}; got {n_matched}.")

        if ax is None:
            fig, ax = plt.subplots(
                figsize=(max(4.0, 0.55 * n_cols + 2.5), max(3.5, 0.45 * n_rows + 1.8)),
                layout="constrained",
            )
        else:
            fig = ax.figure
        kw = {"interpolation": "nearest", "cmap": cmap, "aspect": "auto"}
        kw.update(im_kw or {})
        self.im_ = ax.imshow(cm, **kw)
        self.text_ = None
        if include_values:
            self.text_ = np.empty(cm.shape, dtype=object)
            low, high = self.im_.cmap(0.0), self.im_.cmap(1.0)
            thresh = (cm.max() + cm.min()) / 2.0
            fmt = values_format or ("d" if cm.dtype.kind in "biu" else ".2g")
            for i in range(n_rows):
                for j in range(n_cols):
                    tkw = {"ha": "center", "va": "center", "fontsize": 8,
                           "color": high if cm[i, j] < thresh else low}
                    tkw.update(text_kw or {})
                    self.text_[i, j] = ax.text(j, i, format(cm[i, j], fmt), **tkw)
        self.matched_patches_ = []
        if highlight_matched:
            for k in range(n_matched):
                patch = Rectangle((k - 0.5, k - 0.5), 1, 1, fill=False,
                                  edgecolor="#d62728", linewidth=1.5)
                ax.add_patch(patch)
                self.matched_patches_.append(patch)
        if colorbar:
            fig.colorbar(self.im_, ax=ax)
        total = cm.sum()
        self.accuracy_ = float(np.trace(cm[:n_matched, :n_matched]) / total) if total else 0.0
        ax.set(
            xticks=np.arange(n_cols), yticks=np.arange(n_rows),
            xticklabels=[str(c) for c in cols], yticklabels=[str(r) for r in rows],
            xlabel="true class", ylabel="cluster",
        )
        ax.set_ylim((n_rows - 0.5, -0.5))
        if n_cols > 6 and max(len(str(c)) for c in cols) > 2:
            plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
        if title is None:
            title = f"Clusters by classes (accuracy {self.accuracy_:.3f})"
        ax.set_title(title)
        self.ax_ = ax
        self.figure_ = fig
        return self

    @classmethod
    def from_predictions(cls, y_true, labels, *, target_names=None, include_values=True,
                         cmap="Blues", values_format=None, ax=None, colorbar=True,
                         highlight_matched=True, title=None, im_kw=None, text_kw=None):
        """Plot true labels against cluster labels.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        labels : array-like of shape (n_samples,)
            Cluster labels.
        target_names : array-like or None, default=None
            Names of the classes when ``y_true`` holds their indices
            ``0..n_classes-1``.
        include_values, cmap, values_format, ax, colorbar, highlight_matched, \
title, im_kw, text_kw
            See :meth:`plot`.

        Returns
        -------
        display : ClusterConfusionDisplay
        """
        check_matplotlib_support("ClusterConfusionDisplay.from_predictions")
        if len(y_true) != len(labels):
            raise ValueError(
                f"y_true has {len(y_true)} labels but labels has {len(labels)}; "
                "they must match."
            )
        matrix, clusters, classes, n_matched = hungarian_order(y_true, labels)
        disp = cls(
            matrix, cluster_labels=clusters,
            class_labels=np.asarray(class_names(classes, target_names))
            if target_names is not None else classes,
            n_matched=n_matched,
        )
        return disp.plot(
            include_values=include_values, cmap=cmap, values_format=values_format, ax=ax,
            colorbar=colorbar, highlight_matched=highlight_matched, title=title,
            im_kw=im_kw, text_kw=text_kw,
        )

    @classmethod
    def from_estimator(cls, estimator, X, y_true, *, target_names=None, include_values=True,
                       cmap="Blues", values_format=None, ax=None, colorbar=True,
                       highlight_matched=True, title=None, im_kw=None, text_kw=None):
        """Cluster ``X`` with a fitted estimator's ``predict`` and plot it.

        Parameters
        ----------
        estimator : estimator
            A fitted clusterer or clustering pipeline with ``predict``.
        X : array-like of shape (n_samples, ...)
            Data in the format the estimator was fitted on.
        y_true : array-like of shape (n_samples,)
            True labels of ``X``.
        target_names : array-like or None, default=None
            Names of the classes indexed by ``y_true``.
        include_values, cmap, values_format, ax, colorbar, highlight_matched, \
title, im_kw, text_kw
            See :meth:`plot`.

        Returns
        -------
        display : ClusterConfusionDisplay
        """
        check_matplotlib_support("ClusterConfusionDisplay.from_estimator")
        if not hasattr(estimator, "predict"):
            raise TypeError(
                f"{type(estimator).__name__} has no predict: use "
                "ClusterConfusionDisplay.from_predictions with its labels_."
            )
        return cls.from_predictions(
            y_true, estimator.predict(X), target_names=target_names,
            include_values=include_values, cmap=cmap, values_format=values_format, ax=ax,
            colorbar=colorbar, highlight_matched=highlight_matched, title=title,
            im_kw=im_kw, text_kw=text_kw,
        )
