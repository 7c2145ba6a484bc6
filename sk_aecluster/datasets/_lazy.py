"""Image sets of any size as lazily read, sample-chunked dask arrays.

The readers below are what a dask task holds: a list of file names or the
location of a ``.npy`` file, never pixels. They pickle small (a
``dask.distributed`` worker gets the path, not the data), and a chunk reads
only its own images when it is computed.
"""

import numbers
import uuid
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._files import (
    _as_rgb,
    _check_color_mode,
    _check_resize,
    _folder_files,
    _folder_labels,
    _is_grey_mode,
    _read_image,
    _size_mismatch,
)


def _import_dask_array(what):
    try:
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - dask is in the dev extra
        raise ImportError(
            f"{what} needs dask; install it with "
            '`pip install "sk_aecluster[distributed]"` (or `pip install dask`).'
        ) from exc
    return da


def _check_chunk_size(chunk_size):
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, numbers.Integral)
        or chunk_size < 1
    ):
        raise ValueError(f"chunk_size must be a positive integer; got {chunk_size!r}.")
    return int(chunk_size)


def _sample_rows(key, n):
    """Split an indexing key into the rows it selects and the rest of it."""
    key = key if isinstance(key, tuple) else (key,)
    first = key[0] if key else slice(None)
    return range(n)[first], key[1:]


class ImageFolderReader:
    """Array-like view of image files that decodes only the rows it is asked for.

    ``reader[i:j]`` reads files ``i`` to ``j - 1`` with Pillow (as
    :func:`~sk_aecluster.datasets.load_image_folder` does) and returns them
    as one uint8 array; it is what each chunk of
    :func:`dask_image_folder` calls.

    Parameters
    ----------
    filenames : list of str
        The files, in row order.
    shape : tuple of int
        ``(n, H, W)`` for grey images or ``(n, H, W, 3)`` for RGB ones.
    color_mode : {"auto", "grey", "rgb"}
        How each file is converted (``"auto"``: grey files stay grey, or get
        three equal channels when ``shape`` is RGB).
    resize : tuple of (int, int) or None
        ``(height, width)`` every image is resized to.
    """

    dtype = np.dtype(np.uint8)

    def __init__(self, filenames, shape, color_mode, resize):
        self.filenames = list(filenames)
        self.shape = tuple(shape)
        self.color_mode = color_mode
        self.resize = resize

    @property
    def ndim(self):
        return len(self.shape)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, key):
        rows, rest = _sample_rows(key, self.shape[0])
        out = np.empty((len(rows), *self.shape[1:]), dtype=np.uint8)
        for k, i in enumerate(rows):
            arr = _read_image(self.filenames[i], self.color_mode, self.resize)
            if self.ndim == 4:
                arr = _as_rgb(arr)
            if arr.shape != self.shape[1:]:
                raise _size_mismatch(
                    self.filenames[0], self.shape[1:3], self.filenames[i], arr.shape[:2]
                )
            out[k] = arr
        return out[(slice(None), *rest)]


class NpyFileReader:
    """Array-like view of a ``.npy`` file, memory-mapped where it is read.

    Pickles as the file's path: a dask worker maps the file itself instead of
    receiving the data (a pickled :class:`numpy.memmap` carries all of its
    values). ``reader[i:j]`` returns a read-only memory-mapped slice.

    Parameters
    ----------
    path : str
        The ``.npy`` file.
    """

    def __init__(self, path):
        self.path = str(path)
        array = np.load(self.path, mmap_mode="r", allow_pickle=False)
        self.shape, self.dtype = array.shape, array.dtype
        self._array = array

    @property
    def ndim(self):
        return len(self.shape)

    def __len__(self):
        return self.shape[0]

    def __getstate__(self):
        return {"path": self.path, "shape": self.shape, "dtype": self.dtype}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._array = None

    def __getitem__(self, key):
        if self._array is None:
            self._array = np.load(self.path, mmap_mode="r", allow_pickle=False)
        return self._array[key]


def _from_reader(reader, chunk_size, name):
    da = _import_dask_array(name)
    chunks = (chunk_size, *reader.shape[1:])
    return da.from_array(
        reader, chunks=chunks, asarray=False, fancy=False,
        name=f"{name}-{uuid.uuid4().hex}",
        meta=np.empty((0,) * reader.ndim, dtype=reader.dtype),
    )


def _header(full):
    """``(height, width, grey)`` of an image file, without decoding its pixels."""
    from PIL import Image

    try:
        with Image.open(full) as img:
            return img.size[1], img.size[0], _is_grey_mode(img.mode)
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, ...
        reason = str(exc) or type(exc).__name__
        raise ValueError(f"Cannot read image file {str(full)!r}: {reason}") from exc


def dask_image_folder(
    path,
    *,
    chunk_size=1024,
    labels_from_folders=False,
    resize=None,
    color_mode="auto",
    extensions=None,
):
    """A folder of image files as a lazily read dask array, chunked by images.

    The files, their order, the conversion and the resizing are those of
    :func:`load_image_folder`, and ``dask_image_folder(path).images.compute()``
    equals ``load_image_folder(path).images``; but no pixel is decoded until a
    chunk is computed, and each chunk decodes only its own ``chunk_size``
    files, so a folder of any size streams through
    :func:`~sk_aecluster.dask_transform` in bounded memory. The dask graph
    holds file names, not pixels: on a ``dask.distributed`` cluster every
    worker must see the folder under the same path.

    To learn the array's shape up front, the header (size and colour mode,
    not the pixels) of every file is read once, unless ``resize`` is given
    and ``color_mode`` is ``"grey"`` or ``"rgb"``: then only the first file's.

    Parameters
    ----------
    path : str or path-like
        The folder.
    chunk_size : int, default=1024
        Images per chunk (the last chunk may be smaller).
    labels_from_folders : bool, default=False
        As in :func:`load_image_folder`.
    resize : tuple of (int, int) or None, default=None
        As in :func:`load_image_folder`.
    color_mode : {"auto", "grey", "rgb"}, default="auto"
        As in :func:`load_image_folder`.
    extensions : iterable of str or None, default=None
        As in :func:`load_image_folder`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With the attributes of :func:`load_image_folder`'s result, except that
        ``images`` is a :class:`dask.array.Array` of shape
        ``(n_images, height, width[, 3])``, dtype uint8, with chunks
        ``(chunk_size, height, width[, 3])``.

    Raises
    ------
    ImportError
        When dask is not installed.
    FileNotFoundError, ValueError
        As :func:`load_image_folder`: a file that cannot be read or has another
        size is reported when its header is read, or when its chunk is computed
        if headers were not read.

    See Also
    --------
    load_image_folder : The same images, read into memory at once.
    dask_image_array : A ``.npy`` file as a dask array.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from sk_aecluster.datasets import dask_image_folder
    >>> root = tempfile.mkdtemp()
    >>> for i in range(5):
    ...     Image.fromarray(np.full((6, 4), 40 * i, np.uint8)).save(
    ...         os.path.join(root, f"{i}.png"))
    >>> data = dask_image_folder(root, chunk_size=2)
    >>> data.images.shape, data.images.chunks[0]
    ((5, 6, 4), (2, 2, 1))
    >>> data.images[2:4].compute()[:, 0, 0].tolist()
    [80, 120]
    """
    chunk_size = _check_chunk_size(chunk_size)
    _check_color_mode(color_mode)
    size = _check_resize(resize)
    files = _folder_files(path, extensions)
    filenames = [str(full) for _, full in files]
    if size is not None and color_mode != "auto":
        _header(filenames[0])  # a readable first file, at least
        shape = (*size, 3) if color_mode == "rgb" else size
    else:
        any_colour, first = False, None
        for full in filenames:
            h, w, grey = _header(full)
            if size is None and first is None:
                first = (full, (h, w))
            elif size is None and (h, w) != first[1]:
                raise _size_mismatch(first[0], first[1], full, (h, w))
            any_colour = any_colour or not grey
        hw = size if size is not None else first[1]
        rgb = color_mode == "rgb" or (color_mode == "auto" and any_colour)
        shape = (*hw, 3) if rgb else tuple(hw)
    reader = ImageFolderReader(filenames, (len(filenames), *shape), color_mode, size)
    images = _from_reader(reader, chunk_size, "image-folder")
    target = target_names = None
    if labels_from_folders:
        target, target_names = _folder_labels(files, path)
    return Bunch(
        images=images,
        paths=np.array(["/".join(parts) for parts, _ in files]),
        filenames=np.array(filenames),
        target=target,
        target_names=target_names,
    )


def dask_image_array(path, *, chunk_size=1024):
    """A ``.npy`` image file as a memory-mapped, sample-chunked dask array.

    Equivalent to ``da.from_array(np.load(path, mmap_mode="r"), chunks=...)``
    on one machine, but the graph holds the file's path instead of the
    memory map, so that a ``dask.distributed`` worker maps the file itself
    (pickling a :class:`numpy.memmap` sends all of its data). Each chunk is
    a memory-mapped slice: nothing is read before a chunk is computed and
    only its pages then. Every worker must see the file under the same path.

    Parameters
    ----------
    path : str or path-like
        A ``.npy`` file holding images in any layout the estimators accept
        (``(n, H, W)``, ``(n, H, W, C)``, ``(n, C, H, W)`` or ``(n, d)``).
    chunk_size : int, default=1024
        Samples per chunk (the last chunk may be smaller).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        images : :class:`dask.array.Array`
            The images, chunked only along the first axis.
        filename : str
            The path read.

    Raises
    ------
    ImportError
        When dask is not installed.
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file is not a ``.npy`` file (a ``.npz`` archive cannot be
        memory-mapped: save the images with :func:`numpy.save`), holds pickled
        objects or not 2 to 4 dimensions.
    TypeError
        When the values are not numbers.

    See Also
    --------
    load_image_array : The same file, read into memory or memory-mapped.
    dask_image_folder : A folder of image files as a dask array.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sk_aecluster.datasets import dask_image_array
    >>> path = os.path.join(tempfile.mkdtemp(), "images.npy")
    >>> np.save(path, np.zeros((10, 8, 8, 3), np.uint8))
    >>> dask_image_array(path, chunk_size=4).images.chunks[0]
    (4, 4, 2)
    """
    from ._loaders import load_image_array

    chunk_size = _check_chunk_size(chunk_size)
    path = Path(path)
    if path.suffix.lower() == ".npz":
        raise ValueError(
            f"{str(path)!r} is a .npz archive, whose arrays cannot be memory-mapped; "
            "save the images as a .npy file with numpy.save, or read the archive "
            "with load_image_array."
        )
    load_image_array(path, mmap_mode="r")  # the loader's checks and messages
    reader = NpyFileReader(path)
    return Bunch(images=_from_reader(reader, chunk_size, "image-array"), filename=str(path))
