"""Helpers shared by the displays: axes grids and images ready for ``imshow``."""

import numpy as np


def grid_axes(ax, n_rows, n_cols, *, figsize, sharex=False, sharey=False,
              width_ratios=None):
    """Return ``(figure, axes, bounding_ax)`` for a grid of panels.

    ``ax`` is None (a new figure with constrained layout), a single Axes
    (hidden; the grid fills its place, like scikit-learn's
    ``PartialDependenceDisplay``) or an array-like of ``n_rows * n_cols``
    Axes used as they are. ``width_ratios`` sets the relative column widths
    of a new grid.
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        fig, axes = plt.subplots(
            n_rows, n_cols, figsize=figsize, squeeze=False, layout="constrained",
            width_ratios=width_ratios,
        )
        return fig, axes, None
    if isinstance(ax, Axes):
        fig = ax.figure
        if n_rows * n_cols == 1:
            return fig, np.array([[ax]], dtype=object), None
        spec = ax.get_subplotspec()
        if spec is None:
            raise ValueError(
                "ax must be an Axes created as a subplot (it is divided into a "
                f"{n_rows}x{n_cols} grid), or an array of {n_rows * n_cols} Axes."
            )
        ax.set_axis_off()
        sub = spec.subgridspec(n_rows, n_cols, width_ratios=width_ratios)
        axes = np.empty((n_rows, n_cols), dtype=object)
        for i in range(n_rows):
            for j in range(n_cols):
                axes[i, j] = fig.add_subplot(sub[i, j])
        return fig, axes, ax
    axes = np.asarray(ax, dtype=object)
    if axes.size != n_rows * n_cols or not all(isinstance(a, Axes) for a in axes.flat):
        raise ValueError(
            f"ax must be None, one Axes or {n_rows * n_cols} Axes "
            f"({n_rows} rows x {n_cols} columns); got {axes.size} objects."
        )
    axes = axes.reshape(n_rows, n_cols)
    return axes[0, 0].figure, axes, None


def _channel_axis(shape, data_format):
    """'first' or 'last': the autoencoders' rule for 4-D images."""
    from .._training.input import _decide_layout

    return "first" if _decide_layout(shape, data_format, "The image grid") == "nchw" else "last"


def as_display_images(X, *, data_format="auto", image_shape=None):
    """Return images as ``(n, H, W)`` grey or ``(n, H, W, 3)`` RGB, unscaled.

    Accepts ``(n, H, W)``, ``(n, H, W, C)``, ``(n, C, H, W)`` with ``C`` in
    1..4 (alpha dropped, two channels read as grey + alpha), and flat
    ``(n, d)`` rows reshaped to ``image_shape`` or to square grey images.
    """
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"Images must be numbers; got an array of dtype {X.dtype}.")
    if X.dtype.kind == "b":
        X = X.astype(np.float32)
    if X.ndim == 2:
        from .._training.input import row_image_shape

        image_shape = row_image_shape(X.shape[1], image_shape, "The image grid")
        X = X.reshape(len(X), *image_shape)
    if X.ndim == 4:
        if _channel_axis(X.shape[1:], data_format) == "first":
            X = np.moveaxis(X, 1, -1)
        c = X.shape[-1]
        if c > 4:
            raise ValueError(f"Images with {c} channels cannot be shown; expected 1 to 4.")
        X = X[..., 0] if c <= 2 else X[..., :3]
    if not (X.ndim == 3 or (X.ndim == 4 and X.shape[-1] == 3)):
        raise ValueError(
            "Images must be (n, H, W), (n, H, W, C), (n, C, H, W) or flat (n, d); "
            f"got an array of shape {X.shape}."
        )
    return X


def value_range(X):
    """The ``(low, high)`` pixel range used to show ``X`` (and its reconstructions)."""
    if X.size == 0:
        return 0.0, 1.0
    if X.dtype.kind in "iu" and X.min() >= 0 and X.max() <= 255:
        return 0.0, 255.0
    lo, hi = float(np.min(X)), float(np.max(X))
    if X.dtype.kind == "f" and lo >= 0.0 and hi <= 1.0:
        return 0.0, 1.0
    if hi <= lo:
        hi = lo + 1.0
    return lo, hi


def scale_to_unit(X, low, high):
    """Map ``[low, high]`` to ``[0, 1]`` as float, clipping."""
    return np.clip((np.asarray(X, dtype=np.float64) - low) / (high - low), 0.0, 1.0)


def class_names(classes, target_names):
    """Display names of ``classes``: ``target_names[c]`` for class indices, else ``str(c)``."""
    if target_names is None:
        return [str(c) for c in classes]
    names = np.asarray(target_names)
    out = []
    for c in classes:
        if np.issubdtype(type(c), np.integer) and 0 <= int(c) < len(names):
            out.append(str(names[int(c)]))
        else:
            out.append(str(c))
    return out
