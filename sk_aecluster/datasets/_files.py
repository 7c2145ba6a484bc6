"""Finding and reading image files: the pieces shared by the folder loaders."""

import os
from pathlib import Path

import numpy as np

IMAGE_EXTENSIONS = (
    ".bmp",
    ".gif",
    ".jfif",
    ".jpe",
    ".jpeg",
    ".jpg",
    ".pbm",
    ".pgm",
    ".png",
    ".pnm",
    ".ppm",
    ".tga",
    ".tif",
    ".tiff",
    ".webp",
)
"""File name endings :func:`load_image_folder` reads by default (any case)."""

# Pillow modes without colour: read as one grey channel.
_GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}


def _check_resize(resize):
    if resize is None:
        return None
    try:
        h, w = (int(v) for v in resize)
    except (TypeError, ValueError):
        raise ValueError(
            f"resize must be a pair (height, width) of positive integers; got {resize!r}."
        ) from None
    if h < 1 or w < 1 or (h, w) != tuple(resize):
        raise ValueError(
            f"resize must be a pair (height, width) of positive integers; got {resize!r}."
        )
    return h, w


def _image_files(root, extensions):
    """Image files under ``root``, recursively, in a fixed sorted order."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() in extensions:
                full = Path(dirpath, name)
                found.append((full.relative_to(root).parts, full))
    found.sort(key=lambda item: item[0])
    return found


def _check_color_mode(color_mode):
    if color_mode not in ("auto", "grey", "rgb"):
        raise ValueError(
            f"color_mode must be 'auto', 'grey' or 'rgb'; got {color_mode!r}."
        )


def _folder_files(path, extensions):
    """The sorted ``(parts, full path)`` of the image files under ``path``."""
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"No such folder: {str(root)!r}.")
    if not root.is_dir():
        raise ValueError(f"{str(root)!r} is not a folder.")
    if extensions is None:
        extensions = IMAGE_EXTENSIONS
    elif isinstance(extensions, str):
        extensions = (extensions,)
    extensions = {e.lower() if e.startswith(".") else "." + e.lower() for e in extensions}
    files = _image_files(root, extensions)
    if not files:
        raise ValueError(
            f"No image files found in {str(root)!r} or its sub-folders (looked for "
            f"{', '.join(sorted(extensions))})."
        )
    return files


def _is_grey_mode(mode):
    return mode in _GREY_MODES


def _read_image(full, color_mode, size):
    """One file as a uint8 array: ``(H, W)`` grey or ``(H, W, 3)`` RGB.

    ``color_mode="auto"`` keeps a grey file grey (:func:`_as_rgb` widens it
    when colour files are among it).
    """
    from PIL import Image

    try:
        with Image.open(full) as img:
            img.load()
            grey = _is_grey_mode(img.mode)
            if color_mode == "grey" or (color_mode == "auto" and grey):
                img = img.convert("L")
            else:
                img = img.convert("RGB")
            if size is not None and img.size != (size[1], size[0]):
                img = img.resize((size[1], size[0]), Image.Resampling.BICUBIC)
            return np.asarray(img, dtype=np.uint8)
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, ...
        reason = str(exc) or type(exc).__name__
        raise ValueError(f"Cannot read image file {str(full)!r}: {reason}") from exc


def _as_rgb(arr):
    """A grey ``(H, W)`` image as three equal channels; RGB unchanged."""
    return arr if arr.ndim == 3 else np.repeat(arr[:, :, None], 3, axis=2)


def _size_mismatch(first, first_hw, other, other_hw):
    (h0, w0), (h1, w1) = first_hw, other_hw
    return ValueError(
        f"Images have different sizes: {str(first)!r} is {h0}x{w0} "
        f"(height x width) but {str(other)!r} is {h1}x{w1}. Pass "
        "resize=(height, width) to resize them all."
    )


def _folder_labels(files, root):
    """``(target, target_names)`` from the first-level sub-folders."""
    flat = [str(full) for parts, full in files if len(parts) < 2]
    if flat:
        raise ValueError(
            "labels_from_folders=True needs every image inside a sub-folder "
            f"named after its class, but {flat[0]!r} lies directly in {str(root)!r}."
        )
    folders = [parts[0] for parts, _ in files]
    target_names, target = np.unique(np.array(folders), return_inverse=True)
    return target.astype(np.intp), target_names
