"""Loaders returning images as uint8 arrays, in scikit-learn's ``Bunch`` style."""

import zipfile
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._files import (
    _as_rgb,
    _check_color_mode,
    _check_resize,
    _folder_files,
    _folder_labels,
    _read_image,
    _size_mismatch,
)

_IMAGE_KEYS = ("X", "images")
_LABEL_KEYS = ("y", "labels")


def load_digits_images(*, return_X_y=False):
    """Load scikit-learn's bundled handwritten digits as 8x8 uint8 images.

    The 1,797 images of :func:`sklearn.datasets.load_digits` hold values
    0..16; they are scaled to pixel values ``round(x * 255 / 16)`` in
    0..255 so that they are read like any 8-bit grey image (the
    convolutional autoencoders map integer images to ``[-1, 1]`` as
    ``x / 127.5 - 1``). It is the library's embedded default data set: it
    needs no download.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        images : ndarray of shape (1797, 8, 8), dtype uint8
            The grey images, pixel values 0..255.
        target : ndarray of shape (1797,), dtype int
            The digit shown in each image.
        target_names : ndarray of shape (10,)
            The digits 0..9.
        DESCR : str
            Description of the data set.

    (images, target) : tuple
        When ``return_X_y`` is True.

    See Also
    --------
    sklearn.datasets.load_digits : The same data as 0..16 feature vectors.

    Examples
    --------
    >>> from sk_aecluster.datasets import load_digits_images
    >>> digits = load_digits_images()
    >>> digits.images.shape, digits.images.dtype, int(digits.images.max())
    ((1797, 8, 8), dtype('uint8'), 255)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.rint(digits.images * (255.0 / 16.0)).astype(np.uint8)
    target = np.asarray(digits.target)
    if return_X_y:
        return images, target
    descr = (
        "Handwritten digits from scikit-learn (sklearn.datasets.load_digits) "
        "as 8x8 uint8 images: the original 0..16 values are scaled to "
        "round(x * 255 / 16).\n\n" + digits.DESCR
    )
    return Bunch(
        images=images,
        target=target,
        target_names=np.asarray(digits.target_names),
        DESCR=descr,
    )


def load_image_folder(
    path,
    *,
    labels_from_folders=False,
    resize=None,
    color_mode="auto",
    extensions=None,
    return_X_y=False,
):
    """Load every image file under a folder into one uint8 array.

    Files are found recursively (hidden files and folders are skipped) and
    read with Pillow, in a deterministic order: sorted by their path
    relative to ``path``, sub-folder by sub-folder. Multi-frame files (GIF,
    TIFF) contribute their first frame; alpha channels are dropped.

    Parameters
    ----------
    path : str or path-like
        The folder.
    labels_from_folders : bool, default=False
        Use the name of the first-level sub-folder holding each image as its
        true label (``path/cat/001.png`` has label ``"cat"``, as in
        :func:`sklearn.datasets.load_files`). Images directly inside ``path``
        then raise a ``ValueError``.
    resize : tuple of (int, int) or None, default=None
        ``(height, width)`` every image is resized to (Pillow's bicubic
        filter, with antialiasing when shrinking). ``None`` requires all
        images to have the same size.
    color_mode : {"auto", "grey", "rgb"}, default="auto"
        ``"auto"`` returns grey images when every file is grey (or
        black-and-white) and RGB images otherwise; grey files among colour
        ones get three equal channels. ``"grey"`` and ``"rgb"`` convert every
        image.
    extensions : iterable of str or None, default=None
        File name endings to read (case-insensitive, with the dot). ``None``
        means :data:`IMAGE_EXTENSIONS`. Other files are ignored.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        images : ndarray of shape (n_images, height, width, 3) or \
(n_images, height, width), dtype uint8
            RGB images, or grey images.
        paths : ndarray of str of shape (n_images,)
            Path of each file relative to ``path``, with ``/`` separators.
        filenames : ndarray of str of shape (n_images,)
            Full path of each file.
        target : ndarray of int of shape (n_images,) or None
            Index into ``target_names`` of each image's sub-folder, when
            ``labels_from_folders`` is True.
        target_names : ndarray of str or None
            The sorted sub-folder names, when ``labels_from_folders`` is True.

    (images, target) : tuple
        When ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When ``path`` is not a folder or holds no image file, when a file
        cannot be read as an image (the message names the file), or when
        images differ in size and ``resize`` is None (the message names two
        files of different sizes).

    See Also
    --------
    load_image_array : Images stored in a ``.npy`` / ``.npz`` file.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from PIL import Image
    >>> from sk_aecluster.datasets import load_image_folder
    >>> root = tempfile.mkdtemp()
    >>> for label in ("dark", "light"):
    ...     os.makedirs(os.path.join(root, label))
    ...     value = 30 if label == "dark" else 220
    ...     for i in range(2):
    ...         img = np.full((6, 4, 3), value, dtype=np.uint8)
    ...         Image.fromarray(img).save(os.path.join(root, label, f"{i}.png"))
    >>> data = load_image_folder(root, labels_from_folders=True)
    >>> data.images.shape, data.paths[:2].tolist(), data.target.tolist()
    ((4, 6, 4, 3), ['dark/0.png', 'dark/1.png'], [0, 0, 1, 1])
    """
    _check_color_mode(color_mode)
    size = _check_resize(resize)
    files = _folder_files(path, extensions)
    arrays, first = [], None
    for _, full in files:
        arr = _read_image(full, color_mode, size)
        if first is None:
            first = (full, arr.shape[:2])
        elif arr.shape[:2] != first[1]:
            raise _size_mismatch(first[0], first[1], full, arr.shape[:2])
        arrays.append(arr)

    if any(a.ndim == 3 for a in arrays):
        arrays = [_as_rgb(a) for a in arrays]
    images = np.stack(arrays)
    del arrays
    paths = np.array(["/".join(parts) for parts, _ in files])
    filenames = np.array([str(full) for _, full in files])

    target = target_names = None
    if labels_from_folders:
        target, target_names = _folder_labels(files, path)
    if return_X_y:
        return images, target
    return Bunch(
        images=images,
        paths=paths,
        filenames=filenames,
        target=target,
        target_names=target_names,
    )


def _pick_key(keys, wanted, what, path, exclude=()):
    for key in wanted:
        if key in keys:
            return key
    rest = [k for k in keys if k not in exclude]
    if what == "images" and len(rest) == 1:
        return rest[0]
    if what == "images":
        raise ValueError(
            f"{str(path)!r} holds the arrays {sorted(keys)}; store the images "
            "under the key 'X' or 'images' (or as the only array)."
        )
    return None


def load_image_array(path, *, mmap_mode=None, return_X_y=False):
    """Load images (and optionally labels) from a ``.npy`` or ``.npz`` file.

    Files are opened with ``allow_pickle=False``: object arrays are refused
    and reading never executes code from the file. A ``.npz`` archive holds
    the images under the key ``"X"`` or ``"images"`` (or as its only array)
    and optionally the true labels under ``"y"`` or ``"labels"``.

    The images are returned as stored, in any layout the autoencoders accept:
    ``(n, H, W)`` grey, ``(n, H, W, C)`` channels-last (the study's
    ``trainX.npy``), ``(n, C, H, W)`` channels-first or ``(n, d)`` flat;
    uint8 pixel values or floats.

    Parameters
    ----------
    path : str or path-like
        A ``.npy`` or ``.npz`` file.
    mmap_mode : {None, "r", "r+", "c"}, default=None
        Memory-map a ``.npy`` file instead of reading it (see
        :func:`numpy.load`); ignored for ``.npz``.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        images : ndarray of shape (n_images, ...)
            The images.
        target : ndarray of shape (n_images,) or None
            The labels stored in a ``.npz`` file, if any.
        filename : str
            The path read.

    (images, target) : tuple
        When ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file is not a ``.npy`` / ``.npz`` array file, holds pickled
        objects, has no recognisable image array, the images do not have 2 to
        4 dimensions or no sample, or the labels are not one per image.
    TypeError
        When the images are not numbers (strings, complex numbers, records).

    See Also
    --------
    load_image_folder : A folder of image files.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sk_aecluster.datasets import load_image_array
    >>> path = os.path.join(tempfile.mkdtemp(), "train.npz")
    >>> np.savez(path, X=np.zeros((5, 8, 8, 3), np.uint8), y=np.arange(5))
    >>> data = load_image_array(path)
    >>> data.images.shape, data.target.tolist()
    ((5, 8, 8, 3), [0, 1, 2, 3, 4])
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such file: {str(path)!r}.")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a folder, not a .npy or .npz file.")
    suffix = path.suffix.lower()
    if suffix not in (".npy", ".npz"):
        raise ValueError(
            f"{str(path)!r} is not a .npy or .npz file; image arrays are read from "
            "those (use load_image_folder for image files)."
        )
    target = None
    try:
        if suffix == ".npy":
            images = np.load(path, allow_pickle=False, mmap_mode=mmap_mode)
            if not isinstance(images, np.ndarray):
                raise ValueError("it is a .npz archive, not a .npy array")
        else:
            with np.load(path, allow_pickle=False) as npz:
                keys = list(npz.files)
                label_key = _pick_key(keys, _LABEL_KEYS, "labels", path)
                image_key = _pick_key(
                    keys, _IMAGE_KEYS, "images", path, exclude=_LABEL_KEYS
                )
                images = npz[image_key]
                if label_key is not None:
                    target = npz[label_key]
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"Cannot read {str(path)!r} as a {suffix} array: {exc}") from exc

    if images.dtype.kind not in "biuf":
        raise TypeError(
            f"{str(path)!r} holds an array of dtype {images.dtype}; images must "
            "be numbers (uint8 pixel values or floats)."
        )
    if images.ndim not in (2, 3, 4) or images.shape[0] == 0:
        raise ValueError(
            f"{str(path)!r} holds an array of shape {images.shape}; images must be "
            "(n, H, W), (n, H, W, C), (n, C, H, W) or flat (n, d) with n >= 1."
        )
    if target is not None:
        target = np.asarray(target)
        if target.ndim == 2 and target.shape[1] == 1:
            target = target.ravel()
        if target.ndim != 1 or len(target) != len(images):
            raise ValueError(
                f"{str(path)!r}: the labels have shape {target.shape} but there "
                f"are {len(images)} images; expected one label per image."
            )
    if return_X_y:
        return images, target
    return Bunch(images=images, target=target, filename=str(path))
