"""How input arrays are checked, interpreted as images and scaled.

The rules, in order (they are repeated in the user guide):

* The input is converted with :func:`numpy.asarray` (pandas DataFrames and
  lists are accepted) without copying it where that is possible; memory-mapped
  arrays stay memory-mapped.
* Strings, objects that are not numbers, complex numbers and arrays of more
  than four dimensions are refused with a ``TypeError`` / ``ValueError``.
  NaN and infinity are refused with a ``ValueError``.
* Layout of one sample (conv autoencoders):

  - 4-D ``(n, a, b, c)``: with ``data_format="auto"`` the data are
    channels-last ``(n, H, W, C)`` when ``c <= 4``, channels-first
    ``(n, C, H, W)`` when ``a <= 4 < c``; otherwise (no axis of at most 4
    values) an error asks for ``data_format``.
  - 3-D ``(n, H, W)``: one channel.
  - 2-D ``(n, d)``: every row is reshaped to ``image_shape`` (``(H, W)``,
    ``(H, W, C)`` or ``(C, H, W)``, layout decided as for 4-D input; one
    entry may be ``-1`` and is then inferred from ``d``, as in
    :func:`numpy.reshape`, so ``image_shape=(1, -1)`` reads rows of any length
    as grey strips one pixel high); with ``image_shape=None`` a square grey
    image (``d = s * s``) is assumed.

  The dense autoencoder flattens every sample to a vector.
* Scaling to ``[-1, 1]`` (the range of the ``Tanh`` output): integer images
  (conv autoencoders) are pixel values and must lie in ``0..255``; they are
  scaled as ``x / 127.5 - 1``, exactly as in the study. Float data, and any
  data given to the dense autoencoder, are scaled with the minimum and maximum
  seen in ``fit``. ``inverse_transform`` undoes the scaling and returns the
  input's layout and dtype (integers rounded and clipped to their range).
"""

import functools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.validation import validate_data


@functools.lru_cache(maxsize=8)
def _scalar_tensor(value):
    """A 0-d float32 tensor of ``value``, made once (read-only use only)."""
    return torch.tensor(value, dtype=torch.float32)


@dataclass(frozen=True)
class InputFormat:
    """What one sample looks like and how it maps to the network's input.

    Attributes
    ----------
    layout : {"nhwc", "nchw", "nhw", "flat"}
        Layout of one sample after an optional reshape with ``reshape_to``.
    sample_shape : tuple of int
        Shape of one sample as the user passed it.
    reshape_to : tuple of int or None
        Shape rows of a 2-D input are reshaped to before ``layout`` applies.
    network_shape : tuple of int
        Shape of one sample as the network sees it: ``(C, H, W)`` after
        padding, or ``(d,)``.
    dtype : numpy.dtype
        The dtype of the fitted data, restored by ``inverse_transform``.
    low, high : float
        Input values mapped to -1 and 1.
    pad : tuple of int
        ``(top, bottom, left, right)`` rows and columns of padding.
    """

    layout: str
    sample_shape: tuple
    reshape_to: tuple
    network_shape: tuple
    dtype: np.dtype
    low: float
    high: float
    pad: tuple = (0, 0, 0, 0)

    @property
    def n_features(self):
        """Number of values in one input sample."""
        return int(np.prod(self.sample_shape))

    def to_tensor(self, xb, out=None):
        """Scale a batch of raw samples and return the network's input tensor.

        Never writes to ``xb``.

        Parameters
        ----------
        xb : ndarray
            Raw samples.
        out : torch.Tensor or None, default=None
            A float32 tensor from :meth:`empty_batch` (or a leading slice of
            one, ``len(xb)`` rows) to write the result into instead of new
            memory; its padding border is overwritten too.

        Returns
        -------
        t : torch.Tensor
            float32, shape ``(len(xb), *network_shape)``, channels-last for
            images; ``out`` itself when given.
        """
        xb = np.asarray(xb)
        if not xb.flags.writeable:  # torch warns on read-only memory
            xb = xb.copy()
        t = torch.from_numpy(xb)
        n = t.shape[0]
        if self.reshape_to is not None:
            t = t.reshape(n, *self.reshape_to)
        if self.layout == "flat":
            t = t.reshape(n, -1)
        elif self.layout == "nhw":
            t = t.unsqueeze(1)
        elif self.layout == "nhwc":
            t = t.permute(0, 3, 1, 2)
        scale = 2.0 / (self.high - self.low)
        offset = _scalar_tensor(-1.0 - self.low * scale)
        if out is None and not any(self.pad):
            # offset + scale * x in one pass, into a new float32 tensor (the
            # caller's data stay intact); uint8 is promoted by the kernel
            # itself. Letting the kernel allocate is ~6 us a batch faster than
            # ``out=``. Permuted NHWC data are channels-last memory already;
            # make the other layouts agree so every batch reaches the network
            # the same way.
            t = torch.add(offset, t, alpha=scale).to(torch.float32)
            if t.dim() == 4:
                t = t.contiguous(memory_format=torch.channels_last)
            return t
        if out is None:
            out = self.empty_batch(n)
        inner = out
        if any(self.pad):
            top, bottom, left, right = self.pad
            out.fill_(-1.0)
            inner = out[:, :, top : out.shape[2] - bottom, left : out.shape[3] - right]
        # the same kernel as above, written straight into place
        torch.add(offset, t, alpha=scale, out=inner)
        return out

    def empty_batch(self, n):
        """Uninitialised float32 memory for ``n`` network inputs.

        Channels-last for images, like the tensors :meth:`to_tensor` returns.
        """
        shape = (n, *self.network_shape)
        if len(shape) == 4:
            return torch.empty(shape, dtype=torch.float32, memory_format=torch.channels_last)
        return torch.empty(shape, dtype=torch.float32)

    def from_tensor(self, t):
        """Undo ``to_tensor``: network output to samples in the input's format."""
        t = t.detach().to("cpu", torch.float32)
        n = t.shape[0]
        if self.layout != "flat":
            top, bottom, left, right = self.pad
            if any(self.pad):
                t = t[:, :, top : t.shape[2] - bottom, left : t.shape[3] - right]
            if self.layout == "nhw":
                t = t[:, 0]
            elif self.layout == "nhwc":
                t = t.permute(0, 2, 3, 1)
        x = ((t + 1.0) * ((self.high - self.low) / 2.0) + self.low).numpy()
        x = x.reshape(n, *self.sample_shape)
        if np.issubdtype(self.dtype, np.integer):
            info = np.iinfo(self.dtype)
            x = np.clip(np.rint(x), info.min, info.max)
        return x.astype(self.dtype, copy=False)


class ComplexDataError(TypeError, ValueError):
    """Complex input: both a ``TypeError`` (a wrong dtype) and, as scikit-learn's
    estimators raise it, a ``ValueError``."""


def _as_array(X):
    """Convert to an ndarray without copying; keep DataFrames for their names."""
    if hasattr(X, "iloc") or hasattr(X, "__dataframe__"):
        return X
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    return np.asarray(X) if not isinstance(X, np.ndarray) else X


def check_samples(estimator, X, *, reset, sample_shape=None):
    """Validate ``X`` and return it as an ndarray of numbers, uncopied if possible.

    Sets or checks ``n_features_in_`` and ``feature_names_in_`` through
    :func:`sklearn.utils.validation.validate_data` on a flattened view. With
    ``sample_shape`` (the fitted one), samples of another shape are refused.
    """
    name = type(estimator).__name__
    if sp.issparse(X):
        raise TypeError(
            f"{name} does not accept sparse input ({type(X).__name__}); "
            "convert it to a dense array with X.toarray()."
        )
    X = _as_array(X)
    shape = getattr(X, "shape", None)
    if sample_shape is not None and shape is not None and len(shape) >= 2:
        if tuple(shape[1:]) != tuple(sample_shape):
            n_new, n_fit = int(np.prod(shape[1:])), int(np.prod(sample_shape))
            counts = (
                f"X has {n_new} features, but {name} is expecting {n_fit} features "
                "as input: " if n_new != n_fit else ""
            )
            raise ValueError(
                f"{counts}{name} was fitted on samples of shape {tuple(sample_shape)} "
                f"but got samples of shape {tuple(shape[1:])} (array shape {shape})."
            )
    dtype = getattr(X, "dtype", None)
    if dtype is not None and dtype.kind in "USV":
        raise TypeError(
            f"{name} expects numeric data (images as uint8 or float); "
            f"got an array of dtype {dtype}."
        )
    if dtype is not None and dtype.kind == "c":
        raise ComplexDataError(
            f"Complex data not supported: {name} does not accept complex data "
            f"(dtype {dtype})."
        )
    ndim = getattr(X, "ndim", 2)
    if ndim > 4:
        raise ValueError(
            f"{name} expects 2-D (n, d), 3-D (n, H, W) or 4-D image data; "
            f"got an array with {ndim} dimensions, shape {X.shape}."
        )
    if ndim > 2:
        shape = X.shape
        flat = X.reshape(shape[0], int(np.prod(shape[1:])))
    else:
        shape, flat = None, X
    try:
        flat = validate_data(
            estimator, flat, reset=reset, dtype="numeric", ensure_min_samples=1
        )
    except ValueError as exc:
        if "could not convert" in str(exc) or "argument must be" in str(exc):
            raise TypeError(f"{name} expects numeric data: {exc}") from exc
        raise
    except TypeError as exc:
        raise TypeError(f"{name} expects numeric data: {exc}") from exc
    if flat.dtype == bool:
        flat = flat.astype(np.float32)
    if flat.dtype.kind == "c":
        raise ComplexDataError(f"Complex data not supported: {name} does not accept complex data.")
    fmt = None if reset else getattr(estimator, "input_format_", None)
    if (
        fmt is not None
        and fmt.layout != "flat"
        and np.issubdtype(fmt.dtype, np.integer)
        and flat.dtype.kind in "iu"
        and flat.size
    ):
        # fitted on 8-bit pixels: integer input must be pixels too
        _data_range(flat, True, name)
    return flat.reshape(shape) if shape is not None else flat


def _data_range(X, integer_pixels, name):
    """The (low, high) interval mapped to [-1, 1]."""
    if integer_pixels and np.issubdtype(X.dtype, np.integer):
        if X.dtype == np.uint8:  # in range by construction: no pass over the data
            return 0.0, 255.0
        lo, hi = int(X.min()), int(X.max())
        if lo < 0 or hi > 255:
            raise ValueError(
                f"{name} reads integer arrays as 8-bit pixel values, which must "
                f"lie in 0..255; got values from {lo} to {hi}. Pass float data "
                "to have it scaled by its own minimum and maximum instead."
            )
        return 0.0, 255.0
    lo, hi = float(X.min()), float(X.max())
    if hi <= lo:
        hi = lo + 1.0
    return lo, hi


def _decide_layout(shape4, data_format, name):
    """Return 'nhwc' or 'nchw' for a 4-D sample shape ``(a, b, c)``."""
    a, _, c = shape4
    if data_format == "channels_last":
        return "nhwc"
    if data_format == "channels_first":
        return "nchw"
    if c <= 4:
        return "nhwc"
    if a <= 4:
        return "nchw"
    raise ValueError(
        f"{name} cannot tell the channel axis of images of shape {shape4}: "
        "neither the first nor the last axis has at most 4 values. Pass "
        "data_format='channels_last' or 'channels_first'."
    )


def row_image_shape(d, image_shape, name):
    """The shape rows of ``d`` values are read as: ``image_shape`` or a square.

    ``image_shape`` may hold one ``-1``, inferred as in :func:`numpy.reshape`
    (``(1, -1)`` reads rows of any length as 1-pixel-high grey strips); with
    ``None`` the rows must be square grey images.
    """
    if image_shape is None:
        s = int(round(np.sqrt(d)))
        if s * s != d:
            raise ValueError(
                f"{name} got flat samples of {d} features, which is not a "
                "square grey image; pass image_shape=(H, W) or (H, W, C), "
                "or 4-D images (n, H, W, C)."
            )
        return (s, s)
    shape = tuple(int(v) for v in image_shape)
    known = [v for v in shape if v != -1]
    if len(known) == len(shape) - 1 and all(v > 0 for v in known):
        rest = int(np.prod(known))
        if d % rest == 0:
            shape = tuple(d // rest if v == -1 else v for v in shape)
    if int(np.prod(shape)) != d or len(shape) not in (2, 3) or min(shape) < 1:
        raise ValueError(
            f"{name}: image_shape={tuple(image_shape)} does not match "
            f"samples of {d} features."
        )
    return shape


def image_format(X, *, image_shape, data_format, size_multiple, pad_images, name):
    """Decide the :class:`InputFormat` of image data ``X`` (already checked)."""
    sample_shape = tuple(X.shape[1:])
    reshape_to = None
    if X.ndim == 2:
        reshape_to = row_image_shape(X.shape[1], image_shape, name)
        shape = reshape_to
    else:
        shape = sample_shape
    if len(shape) == 2:
        layout, (c, h, w) = "nhw", (1, *shape)
    else:
        layout = _decide_layout(shape, data_format, name)
        if layout == "nhwc":
            h, w, c = shape
        else:
            c, h, w = shape
    m = size_multiple
    pad = (0, 0, 0, 0)
    if h % m or w % m or h < m or w < m:
        if not pad_images:
            ok = ", ".join(str(m * k) for k in range(1, 5))
            raise ValueError(
                f"{name} needs image height and width divisible by {m} "
                f"(e.g. {ok}, ...); got {h}x{w}. Resize the images, or pass "
                "pad_images=True to pad them to the next multiple."
            )
        ph, pw = (-h) % m if h >= m else m - h, (-w) % m if w >= m else m - w
        pad = (ph // 2, ph - ph // 2, pw // 2, pw - pw // 2)
        h, w = h + ph, w + pw
    low, high = _data_range(X, True, name)
    return InputFormat(
        layout, sample_shape, reshape_to, (c, h, w), X.dtype, low, high, pad
    )


def flat_format(X, *, name):
    """The :class:`InputFormat` of data given to a dense autoencoder."""
    sample_shape = tuple(X.shape[1:])
    d = int(np.prod(sample_shape))
    reshape_to = None if X.ndim == 2 else (d,)
    low, high = _data_range(X, False, name)
    return InputFormat("flat", sample_shape, reshape_to, (d,), X.dtype, low, high)


def check_latent(Z, n_latent, name):
    """Validate latent codes passed to ``inverse_transform``."""
    Z = _as_array(Z)
    if hasattr(Z, "iloc"):
        Z = Z.to_numpy()
    Z = np.asarray(Z)
    if Z.dtype.kind not in "fiub":
        raise TypeError(f"{name}.inverse_transform expects numeric codes; got {Z.dtype}.")
    if Z.ndim != 2 or Z.shape[1] != n_latent:
        raise ValueError(
            f"{name}.inverse_transform expects codes of shape (n, {n_latent}); "
            f"got {Z.shape}."
        )
    if not np.isfinite(Z).all():
        raise ValueError(f"{name}.inverse_transform: Input contains NaN or infinity.")
    return Z
