"""Originals above their reconstructions: the study's question 2."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils._optional_dependencies import check_matplotlib_support

from ._utils import as_display_images, grid_axes, scale_to_unit, value_range


def _pick_indices(n_samples, n_images, indices):
    if indices is not None:
        indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        if len(indices) == 0:
            raise ValueError("indices must name at least one image.")
        if indices.min() < -n_samples or indices.max() >= n_samples:
            raise ValueError(
                f"indices must lie in 0..{n_samples - 1} for {n_samples} images; "
                f"got {indices.min()}..{indices.max()}."
            )
        return np.where(indices < 0, indices + n_samples, indices)
    if int(n_images) < 1:
        raise ValueError(f"n_images must be at least 1; got {n_images}.")
    if n_samples == 0:
        raise ValueError("There are no images to show.")
    n = min(int(n_images), n_samples)
    return np.unique(np.linspace(0, n_samples - 1, n).round().astype(np.intp))


def _reconstruct(estimator, X):
    """``X`` encoded and decoded by an autoencoder, or a pipeline starting with one."""
    if hasattr(estimator, "reconstruct"):
        return estimator.reconstruct(X)
    if isinstance(estimator, Pipeline):
        first = estimator.steps[0][1]
        if hasattr(first, "reconstruct"):
            return first.reconstruct(X)
    if hasattr(estimator, "transform") and hasattr(estimator, "inverse_transform"):
        return estimator.inverse_transform(estimator.transform(X))
    raise TypeError(
        f"{type(estimator).__name__} cannot reconstruct images: pass an autoencoder "
        "(with a reconstruct method), a Pipeline whose first step is one, or a "
        "transformer with transform and inverse_transform."
    )


def _format_of(estimator):
    """``(data_format, image_shape)`` an autoencoder learnt in ``fit``, if any."""
    if isinstance(estimator, Pipeline):
        estimator = estimator.steps[0][1]
    fmt = getattr(estimator, "input_format_", None)
    if fmt is None:
        return "auto", None
    data_format = {"nhwc": "channels_last", "nchw": "channels_first"}.get(fmt.layout, "auto")
    return data_format, fmt.reshape_to if fmt.layout != "flat" else None


class ReconstructionDisplay:
    """Original images above their autoencoder reconstructions.

    The study's question 2: a row of originals and, below each, what the
    autoencoder makes of it. Use :meth:`from_estimator` (a fitted
    autoencoder and data) or :meth:`from_predictions` (originals and
    reconstructions) to create one; all parameters are stored as attributes.

    Images may be grey ``(n, H, W)``, channels-last ``(n, H, W, C)``,
    channels-first ``(n, C, H, W)`` (``C`` from 1 to 4; alpha is not shown)
    or flat ``(n, d)`` rows of square grey images (or of ``image_shape``).
    Integer images in 0..255 are shown as 8-bit pixels; float images in
    ``[0, 1]`` as they are; anything else is scaled by the originals'
    minimum and maximum. Reconstructions use the originals' scale, clipped.

    Parameters
    ----------
    originals : ndarray of shape (n_images, ...)
        The images to show in the top row.
    reconstructions : ndarray of shape (n_images, ...)
        Their reconstructions, same shape, shown in the bottom row.
    indices : array-like of int of shape (n_images,) or None, default=None
        Position of each image in the data set, shown above it.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Where the channel axis of 4-D images is; ``"auto"`` takes the last
        axis when it has at most 4 values, else the first.
    image_shape : tuple of int or None, default=None
        Shape that rows of flat 2-D input are reshaped to.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (2, n_images)
        Top row originals, bottom row reconstructions.
    images_ : ndarray of matplotlib AxesImage of shape (2, n_images)
        The drawn images, in the layout of ``axes_``.
    errors_ : ndarray of shape (n_images,)
        Mean squared error of each reconstruction, on the ``[0, 1]`` display
        scale.
    bounding_ax_ : matplotlib Axes or None
        The Axes passed as ``ax`` and divided into the grid (hidden), if any.
    figure_ : matplotlib Figure
        The figure holding the grid.

    See Also
    --------
    ReconstructionDisplay.from_estimator : Reconstruct images with a fitted
        autoencoder and plot them.
    ReconstructionDisplay.from_predictions : Plot given reconstructions.
    EmbeddingDisplay : The encoded data in two dimensions.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sk_aecluster import AE2Encoder
    >>> from sk_aecluster.datasets import load_digits_images
    >>> from sk_aecluster.plotting import ReconstructionDisplay
    >>> X = load_digits_images().images[:200]
    >>> ae = AE2Encoder(latent_channels=16, max_epochs=1, random_state=0).fit(X)
    >>> disp = ReconstructionDisplay.from_estimator(ae, X, n_images=4)
    >>> disp.axes_.shape
    (2, 4)
    """

    def __init__(
        self,
        originals,
        reconstructions,
        *,
        indices=None,
        data_format="auto",
        image_shape=None,
    ):
        self.originals = originals
        self.reconstructions = reconstructions
        self.indices = indices
        self.data_format = data_format
        self.image_shape = image_shape

    def plot(self, *, ax=None, cmap="gray", title=None, imshow_kw=None):
        """Plot the originals above their reconstructions.

        Parameters
        ----------
        ax : matplotlib Axes, array of Axes or None, default=None
            ``None`` creates a figure. A single Axes is hidden and divided into
            the ``2 x n_images`` grid; an array must hold ``2 * n_images``
            Axes (originals first).
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey images (ignored for RGB).
        title : str or None, default=None
            Title of the figure; ``None`` gives a default one.
        imshow_kw : dict or None, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.imshow`.

        Returns
        -------
        display : ReconstructionDisplay
            The object, with the drawn artists stored as attributes.
        """
        check_matplotlib_support("ReconstructionDisplay.plot")
        orig = as_display_images(
            self.originals, data_format=self.data_format, image_shape=self.image_shape
        )
        rec = as_display_images(
            self.reconstructions, data_format=self.data_format, image_shape=self.image_shape
        )
        if orig.shape != rec.shape:
            raise ValueError(
                f"originals {np.shape(self.originals)} and reconstructions "
                f"{np.shape(self.reconstructions)} must have the same shape."
            )
        n = len(orig)
        if n == 0:
            raise ValueError("There are no images to show.")
        low, high = value_range(orig)
        orig, rec = scale_to_unit(orig, low, high), scale_to_unit(rec, low, high)
        self.errors_ = ((orig - rec) ** 2).reshape(n, -1).mean(axis=1)
        indices = np.arange(n) if self.indices is None else np.asarray(self.indices)

        h, w = orig.shape[1:3]
        col = 1.3 * max(w / h, 0.5)
        fig, axes, bounding = grid_axes(
            ax, 2, n, figsize=(max(col * n + 0.9, 4.0), 3.4)
        )
        kw = {"interpolation": "nearest", "vmin": 0.0, "vmax": 1.0}
        if orig.ndim == 3:
            kw["cmap"] = cmap
        kw.update(imshow_kw or {})
        images = np.empty((2, n), dtype=object)
        for j in range(n):
            for i, data in enumerate((orig, rec)):
                a = axes[i, j]
                images[i, j] = a.imshow(data[j], **kw)
                a.set_xticks([])
                a.set_yticks([])
            axes[0, j].set_title(f"#{indices[j]}", fontsize=9)
            axes[1, j].set_xlabel(f"MSE {self.errors_[j]:.3f}", fontsize=8)
        axes[0, 0].set_ylabel("original")
        axes[1, 0].set_ylabel("reconstruction")
        if title is None:
            title = "Originals (top) and their reconstructions (bottom)"
        if bounding is not None:
            bounding.set_title(title)
        else:
            fig.suptitle(title)
        self.axes_ = axes
        self.images_ = images
        self.bounding_ax_ = bounding
        self.figure_ = fig
        return self

    @classmethod
    def from_predictions(
        cls,
        X,
        X_rec,
        *,
        n_images=8,
        indices=None,
        data_format="auto",
        image_shape=None,
        ax=None,
        cmap="gray",
        title=None,
        imshow_kw=None,
    ):
        """Plot images and their given reconstructions.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Original images.
        X_rec : array-like of shape (n_samples, ...)
            Reconstructions of ``X``, same shape.
        n_images : int, default=8
            Number of images shown when ``indices`` is None, spread evenly
            over the data set (first and last included).
        indices : array-like of int or None, default=None
            Which images to show.
        data_format : {"auto", "channels_last", "channels_first"}, default="auto"
            Where the channel axis of 4-D images is.
        image_shape : tuple of int or None, default=None
            Shape that rows of flat 2-D input are reshaped to.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw; see :meth:`plot`.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey images.
        title : str or None, default=None
            Title of the figure.
        imshow_kw : dict or None, default=None
            Extra keyword arguments for ``imshow``.

        Returns
        -------
        display : ReconstructionDisplay
        """
        check_matplotlib_support("ReconstructionDisplay.from_predictions")
        X = X if hasattr(X, "shape") else np.asarray(X)
        X_rec = X_rec if hasattr(X_rec, "shape") else np.asarray(X_rec)
        if len(X) != len(X_rec):
            raise ValueError(
                f"X has {len(X)} images but X_rec has {len(X_rec)}; they must match."
            )
        idx = _pick_indices(len(X), n_images, indices)
        disp = cls(
            np.asarray(X[idx]),
            np.asarray(X_rec[idx]),
            indices=idx,
            data_format=data_format,
            image_shape=image_shape,
        )
        return disp.plot(ax=ax, cmap=cmap, title=title, imshow_kw=imshow_kw)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        n_images=8,
        indices=None,
        data_format=None,
        image_shape=None,
        ax=None,
        cmap="gray",
        title=None,
        imshow_kw=None,
    ):
        """Reconstruct some images with a fitted autoencoder and plot them.

        Parameters
        ----------
        estimator : estimator
            A fitted autoencoder of this library (its ``reconstruct`` is used),
            a fitted :class:`~sklearn.pipeline.Pipeline` whose first step is
            one, or any fitted transformer with ``transform`` and
            ``inverse_transform`` (e.g. :class:`~sklearn.decomposition.PCA`).
        X : array-like of shape (n_samples, ...)
            Images in the format the estimator was fitted on. Only the shown
            images are reconstructed.
        n_images : int, default=8
            Number of images shown when ``indices`` is None, spread evenly
            over the data set (first and last included).
        indices : array-like of int or None, default=None
            Which images to show.
        data_format : {"auto", "channels_last", "channels_first"} or None, \
default=None
            Where the channel axis of 4-D images is; ``None`` takes the layout
            the autoencoder found in ``fit`` (``"auto"`` for other estimators).
        image_shape : tuple of int or None, default=None
            Shape that rows of flat 2-D input are reshaped to; ``None`` takes
            the autoencoder's ``image_shape`` when it has one.
        ax : matplotlib Axes, array of Axes or None, default=None
            Where to draw; see :meth:`plot`.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grey images.
        title : str or None, default=None
            Title of the figure.
        imshow_kw : dict or None, default=None
            Extra keyword arguments for ``imshow``.

        Returns
        -------
        display : ReconstructionDisplay
        """
        check_matplotlib_support("ReconstructionDisplay.from_estimator")
        X = X if hasattr(X, "shape") else np.asarray(X)
        idx = _pick_indices(len(X), n_images, indices)
        X_sel = np.asarray(X[idx])
        X_rec = np.asarray(_reconstruct(estimator, X_sel))
        learnt_format, learnt_shape = _format_of(estimator)
        disp = cls(
            X_sel,
            X_rec,
            indices=idx,
            data_format=learnt_format if data_format is None else data_format,
            image_shape=learnt_shape if image_shape is None else image_shape,
        )
        return disp.plot(ax=ax, cmap=cmap, title=title, imshow_kw=imshow_kw)
