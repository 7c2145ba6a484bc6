"""What landed in each cluster: the images nearest its centre and a random sample."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils._optional_dependencies import check_matplotlib_support

from ._montage_picks import distances_to_centres, pick_montage
from ._reconstruction import _format_of
from ._utils import as_display_images, grid_axes, scale_to_unit, value_range

_PANELS = ("closest to the centre", "random sample")


def _tile(images, n_slots, gap):
    """Images side by side in ``n_slots`` slots, transparent gaps and empty slots."""
    h, w = images.shape[1:3]
    width = n_slots * w + (n_slots - 1) * gap
    rgb = images.ndim == 4
    if rgb:
        out = np.zeros((h, width, 4))
    else:
        out = np.ma.masked_all((h, width))
    for i, img in enumerate(images):
        x = i * (w + gap)
        if rgb:
            out[:, x:x + w, :3] = img
            out[:, x:x + w, 3] = 1.0
        else:
            out[:, x:x + w] = img
    return out


class ClusterMontageDisplay:
    """What landed in each cluster: a row of images per cluster.

    Each row shows, for one cluster, the images closest to its centre
    (nearest first) and a random sample of its other images, so that a
    glance tells what the cluster stands for and how mixed it is. Use
    :meth:`from_estimator` (a fitted clustering pipeline and its images) or
    :meth:`from_predictions` (images and their cluster labels) to create one.

    Images may be grey ``(n, H, W)``, channels-last ``(n, H, W, C)``,
    channels-first ``(n, C, H, W)`` or flat ``(n, d)`` rows (of square grey
    images, or of ``image_shape``), integer or float, scaled as in
    :class:`ReconstructionDisplay`: 0..255 integers as 8-bit pixels,
    ``[0, 1]`` floats as they are, anything else by the minimum and maximum
    of the images shown.

    Parameters
    ----------
    images : ndarray of shape (n_samples, ...)
        The data set's images (only the ones indexed are drawn).
    closest_indices : list of array-like of int
        For each shown cluster, the indices of its images nearest its
        centre (may be empty).
    sample_indices : list of array-like of int
        For each shown cluster, the indices of its random sample.
    cluster_labels : array-like of shape (n_shown_clusters,)
        The label of each shown cluster.
    cluster_sizes : array-like of int of shape (n_shown_clusters,) or None, \
default=None
        Number of images in each cluster, shown beside its row.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Where the channel axis of 4-D images is.
    image_shape : tuple of int or None, default=None
        Shape that rows of flat 2-D input are reshaped to.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_shown_clusters, n_panels)
        One row per cluster; the columns are named by ``panels_``.
    images_ : ndarray of shape (n_shown_clusters, n_panels)
        The montage (matplotlib AxesImage) of each cell, None where a
        cluster has no image for it.
    panels_ : tuple of str
        What each column shows: ``"closest to the centre"`` and/or
        ``"random sample"``.
    ax_ : matplotlib Axes
        The first Axes.
    bounding_ax_ : matplotlib Axes or None
        The Axes passed as ``ax`` and divided into the grid (hidden), if any.
    figure_ : matplotlib Figure
        The figure holding the grid.

    See Also
    --------
    ClusterMontageDisplay.from_estimator : Cluster images with a fitted
        pipeline and show each cluster.
    ClusterMontageDisplay.from_predictions : Show each cluster of given labels.
    ClusterConfusionDisplay : Clusters against true classes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.cluster import KMeans
    >>> from sk_aecluster.datasets import load_digits_images
    >>> from sk_aecluster.plotting import ClusterMontageDisplay
    >>> X = load_digits_images().images
    >>> km = KMeans(10, n_init=1, random_state=0).fit(X.reshape(len(X), -1))
    >>> disp = ClusterMontageDisplay.from_predictions(
    ...     X, km.labels_, features=X.reshape(len(X), -1), n_closest=5, n_random=5)
    >>> disp.axes_.shape, disp.panels_
    ((10, 2), ('closest to the centre', 'random sample'))
    """

    def __init__(self, images, closest_indices, sample_indices, *, cluster_labels,
                 cluster_sizes=None, data_format="auto", image_shape=None):
        self.images = images
        self.closest_indices = closest_indices
        self.sample_indices = sample_indices
        self.cluster_labels = cluster_labels
        self.cluster_sizes = cluster_sizes
        self.data_format = data_format
        self.image_shape = image_shape

    def plot(self, *, ax=None, cmap="gray", title=None, imshow_kw=None):
        """Draw one row of montages per cluster.

        Parameters
        ----------
        ax : matplotlib Axes, array of Axes or None, default=None
            ``None`` creates a figure. A single Axes is hidden and divided into
            the ``n_clusters x n_panels`` grid; an array must hold one Axes per
            cell, row by row.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey images (ignored for colour images).
        title : str or None, default=None
            Title of the figure; ``None`` gives a default one.
        imshow_kw : dict or None, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.imshow`.

        Returns
        -------
        display : ClusterMontageDisplay
            The object, with the drawn artists stored as attributes.
        """
        check_matplotlib_support("ClusterMontageDisplay.plot")
        clusters = list(np.asarray(self.cluster_labels).reshape(-1))
        closest = [np.asarray(i, dtype=np.intp).reshape(-1) for i in self.closest_indices]
        sample = [np.asarray(i, dtype=np.intp).reshape(-1) for i in self.sample_indices]
        if not (len(clusters) == len(closest) == len(sample)) or not clusters:
            raise ValueError(
                "closest_indices, sample_indices and cluster_labels must have one entry "
                f"per cluster (at least one); got {len(closest)}, {len(sample)} and "
                f"{len(clusters)}."
            )
        images = self.images if hasattr(self.images, "shape") else np.asarray(self.images)
        n = len(images)
        chosen = np.concatenate(closest + sample)
        if len(chosen) and (chosen.min() < 0 or chosen.max() >= n):
            raise ValueError(
                f"indices must lie in 0..{n - 1} for {n} images; got "
                f"{chosen.min()}..{chosen.max()}."
            )
        panels = [(name, parts) for name, parts in zip(_PANELS, (closest, sample), strict=True)
                  if any(len(p) for p in parts)]
        if not panels:
            raise ValueError("There are no images to show.")
        shown = as_display_images(
            np.asarray(images[chosen]), data_format=self.data_format,
            image_shape=self.image_shape,
        )
        low, high = value_range(shown)
        shown = scale_to_unit(shown, low, high)
        where = {int(i): k for k, i in enumerate(chosen)}

        n_rows, n_cols = len(clusters), len(panels)
        slots = [max(1, max(len(p) for p in parts)) for _, parts in panels]
        h, w = shown.shape[1:3]
        gap = max(1, round(min(h, w) / 8))
        strip = [(s * w + (s - 1) * gap) / h for s in slots]  # width / height
        row_h = 0.9
        fig, axes, bounding = grid_axes(
            ax, n_rows, n_cols,
            figsize=(min(max(row_h * sum(strip) + 1.6, 5.0), 16.0), row_h * n_rows + 0.9),
            width_ratios=strip,
        )
        if bounding is None and ax is None:
            fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0.02, hspace=0.02)
        kw = {"interpolation": "nearest", "vmin": 0.0, "vmax": 1.0}
        if shown.ndim == 3:
            kw["cmap"] = cmap
        kw.update(imshow_kw or {})
        drawn = np.empty((n_rows, n_cols), dtype=object)
        sizes = self.cluster_sizes
        for i, c in enumerate(clusters):
            for j, (name, parts) in enumerate(panels):
                a = axes[i, j]
                a.set_xticks([])
                a.set_yticks([])
                for spine in a.spines.values():
                    spine.set_visible(False)
                idx = parts[i]
                if len(idx):
                    tile = _tile(shown[[where[int(k)] for k in idx]], slots[j], gap)
                    drawn[i, j] = a.imshow(tile, **kw)
                else:
                    a.set_xlim(0, slots[j] * (w + gap))
                    a.set_ylim(h, 0)
                    a.set_aspect("equal")
                    a.text(0.02, 0.5, "(no other images)", transform=a.transAxes,
                           va="center", fontsize=8, color="0.4")
                if i == 0:
                    a.set_title(name, fontsize=10)
            label = f"cluster {c}"
            if sizes is not None:
                label += f"\n{int(np.asarray(sizes).reshape(-1)[i])} images"
            axes[i, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
        if title is None:
            title = f"{n_rows} cluster{'s' if n_rows != 1 else ''}: what landed in each"
        if bounding is not None:
            bounding.set_title(title)
        else:
            fig.suptitle(title)
        self.axes_ = axes
        self.images_ = drawn
        self.panels_ = tuple(name for name, _ in panels)
        self.ax_ = axes[0, 0]
        self.bounding_ax_ = bounding
        self.figure_ = fig
        return self

    @classmethod
    def from_predictions(cls, X_images, labels, *, features=None, distances=None,
                         n_closest=8, n_random=8, clusters=None, random_state=0,
                         data_format="auto", image_shape=None, ax=None, cmap="gray",
                         title=None, imshow_kw=None):
        """Show each cluster of given cluster labels.

        Which images are "closest to the centre" needs a space to measure
        in: pass ``features`` (the centre is then the mean of each cluster's
        rows, the distance Euclidean) or ``distances`` (each image's own
        distance to its cluster's centre, e.g. the minimum of
        ``KMeans.transform``). With neither, only the random sample is shown.

        Parameters
        ----------
        X_images : array-like of shape (n_samples, ...)
            The images.
        labels : array-like of shape (n_samples,)
            Cluster label of each image.
        features : array-like of shape (n_samples, n_features) or None, default=None
            The space the clustering worked in (e.g. the codes it clustered).
        distances : array-like of shape (n_samples,) or None, default=None
            Distance of each image to its cluster's centre; used instead of
            ``features``.
        n_closest : int, default=8
            Images nearest the centre per cluster.
        n_random : int, default=8
            Images of the random sample per cluster (drawn among the others).
        clusters : array-like or None, default=None
            Which clusters to show, in this order; ``None`` shows all, sorted.
        random_state : int, RandomState instance or None, default=0
            Seeds the random samples.
        data_format : {"auto", "channels_last", "channels_first"}, default="auto"
            Where the channel axis of 4-D images is.
        image_shape : tuple of int or None, default=None
            Shape that rows of flat 2-D input are reshaped to.
        ax, cmap, title, imshow_kw
            See :meth:`plot`.

        Returns
        -------
        display : ClusterMontageDisplay
        """
        check_matplotlib_support("ClusterMontageDisplay.from_predictions")
        X_images = X_images if hasattr(X_images, "shape") else np.asarray(X_images)
        labels = np.asarray(labels).reshape(-1) if np.ndim(labels) else np.asarray(labels)
        if len(X_images) != len(labels):
            raise ValueError(
                f"X_images has {len(X_images)} images but labels has {len(labels)}; "
                "they must match."
            )
        if features is not None and distances is not None:
            raise ValueError("Pass features or distances, not both.")
        if features is not None:
            distances = distances_to_centres(features, labels)
        chosen, sizes, closest, sample = pick_montage(
            labels, distances=distances, n_closest=n_closest, n_random=n_random,
            random_state=random_state, clusters=clusters,
        )
        disp = cls(X_images, closest, sample, cluster_labels=chosen, cluster_sizes=sizes,
                   data_format=data_format, image_shape=image_shape)
        return disp.plot(ax=ax, cmap=cmap, title=title, imshow_kw=imshow_kw)

    @classmethod
    def from_estimator(cls, estimator, X, *, labels=None, n_closest=8, n_random=8,
                       clusters=None, random_state=0, data_format=None, image_shape=None,
                       ax=None, cmap="gray", title=None, imshow_kw=None):
        """Cluster images with a fitted estimator and show each cluster.

        Closeness is measured where the clusterer works: for a
        :class:`~sklearn.pipeline.Pipeline`, in the output of the steps
        before the last (``pipeline[:-1].transform(X)``), for a plain
        clusterer in ``X`` itself (flattened). The centres are the final
        step's ``cluster_centers_`` when it has them (KMeans), else the mean
        of each cluster.

        Parameters
        ----------
        estimator : estimator
            A fitted clustering pipeline (e.g. autoencoder -> PCA -> KMeans)
            or a fitted clusterer with ``predict``.
        X : array-like of shape (n_samples, ...)
            Images in the format the estimator was fitted on.
        labels : array-like of shape (n_samples,) or None, default=None
            Cluster labels; ``None`` uses the final step's ``predict``.
        n_closest, n_random, clusters, random_state
            See :meth:`from_predictions`.
        data_format : {"auto", "channels_last", "channels_first"} or None, \
default=None
            Where the channel axis of 4-D images is; ``None`` takes the layout
            the pipeline's autoencoder found in ``fit`` (else ``"auto"``).
        image_shape : tuple of int or None, default=None
            Shape that flat rows are reshaped to; ``None`` takes the
            autoencoder's when it has one.
        ax, cmap, title, imshow_kw
            See :meth:`plot`.

        Returns
        -------
        display : ClusterMontageDisplay
        """
        check_matplotlib_support("ClusterMontageDisplay.from_estimator")
        if isinstance(estimator, Pipeline):
            final = estimator.steps[-1][1]
            Z = estimator[:-1].transform(X) if len(estimator) > 1 else np.asarray(X)
        else:
            final, Z = estimator, np.asarray(X)
        Z = np.asarray(Z)
        Z = Z.reshape(len(Z), -1)
        if labels is None:
            if not hasattr(final, "predict"):
                raise TypeError(
                    f"{type(final).__name__} has no predict: pass labels=, or use "
                    "ClusterMontageDisplay.from_predictions."
                )
            labels = final.predict(Z)
        labels = np.asarray(labels)
        centres = getattr(final, "cluster_centers_", None)
        usable = (
            centres is not None and labels.dtype.kind in "iu" and len(labels)
            and labels.min() >= 0 and labels.max() < len(centres)
            and np.asarray(centres).reshape(len(centres), -1).shape[1] == Z.shape[1]
        )
        distances = distances_to_centres(Z, labels, centres if usable else None)
        learnt_format, learnt_shape = _format_of(estimator)
        return cls.from_predictions(
            X, labels, distances=distances, n_closest=n_closest, n_random=n_random,
            clusters=clusters, random_state=random_state,
            data_format=learnt_format if data_format is None else data_format,
            image_shape=learnt_shape if image_shape is None else image_shape,
            ax=ax, cmap=cmap, title=title, imshow_kw=imshow_kw,
        )
