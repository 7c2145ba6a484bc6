"""Reading the command's inputs: images, true labels, and checks of paths and devices."""

import csv
import io
import zipfile
import zlib
from pathlib import Path

from ._common import InputError, one_line


def read_labels(path):
    """True labels from ``.npy``, ``.npz`` (key y/labels) or a text/CSV file."""
    import numpy as np

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labels file not found: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix in (".npy", ".npz"):
        try:
            if suffix == ".npy":
                labels = np.asarray(np.load(path, allow_pickle=False))
            else:
                with np.load(path, allow_pickle=False) as loaded:
                    keys = [k for k in ("y", "labels") if k in loaded.files]
                    if not keys and len(loaded.files) == 1:
                        keys = loaded.files
                    if not keys:
                        raise InputError(
                            f"labels file {str(path)!r} holds {sorted(loaded.files)}; "
                            "store the labels under 'y' or 'labels'."
                        )
                    labels = loaded[keys[0]]
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise InputError(f"cannot read labels file {str(path)!r}: {one_line(exc)}") from exc
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read labels file {str(path)!r}: {one_line(exc)}") from exc
        rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
        header = [c.strip().lower() for c in rows[0]] if rows else []
        if "label" in header:
            col = header.index("label")
            try:
                values = [r[col].strip() for r in rows[1:]]
            except IndexError:
                raise InputError(f"labels file {str(path)!r} has a row without a label.") from None
        else:
            if any(len(r) != 1 for r in rows):
                raise InputError(
                    f"labels file {str(path)!r} must hold one label per line, or a "
                    "CSV with a 'label' column."
                )
            values = [r[0].strip() for r in rows]
        try:
            labels = np.array([int(v) for v in values])
        except ValueError:
            labels = np.array(values)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1:
        raise InputError(
            f"labels file {str(path)!r} holds an array of shape {labels.shape}; "
            "expected one label per image (a 1-D array)."
        )
    return labels


def load_input(args, color_mode="auto"):
    """Return a dict with images, optional labels/target names/paths and a description."""
    from ..datasets import load_digits_images, load_image_array, load_image_folder

    info = {"target_names": None, "paths": None, "color_mode": None, "resize": None}
    if args.input is None:
        if args.labels_from_folders:
            raise InputError("--labels-from-folders needs a folder INPUT.")
        if args.resize is not None:
            raise InputError("--resize applies to a folder INPUT only.")
        data = load_digits_images()
        info.update(
            images=data.images, labels=data.target, kind="digits",
            path=None, source="scikit-learn's bundled digits (embedded default)",
        )
        info["target_names"] = data.target_names
    else:
        path = Path(args.input)
        if not path.exists():
            raise FileNotFoundError(f"INPUT not found: {str(path)!r}")
        if path.is_dir():
            try:
                data = load_image_folder(
                    path,
                    labels_from_folders=args.labels_from_folders,
                    resize=args.resize,
                    color_mode=color_mode,
                )
            except ValueError as exc:  # name the option, not the keyword argument
                text = str(exc).replace("Pass resize=(height, width)", "Pass --resize HxW")
                raise InputError(text) from exc
            info.update(
                images=data.images, labels=data.target, kind="folder",
                path=str(path), source=f"folder {str(path)!r}",
            )
            info["target_names"] = data.target_names
            info["paths"] = data.paths
            info["color_mode"] = "grey" if data.images.ndim == 3 else "rgb"
            info["resize"] = list(args.resize) if args.resize else None
        else:
            if args.labels_from_folders:
                raise InputError("--labels-from-folders needs a folder INPUT, not a file.")
            if args.resize is not None:
                raise InputError(
                    "--resize applies to a folder INPUT only; resize the array "
                    "before saving it."
                )
            data = load_image_array(path)
            info.update(
                images=data.images, labels=data.target, kind="array",
                path=str(path), source=f"array file {str(path)!r}",
            )
    if args.labels is not None:
        info["labels"] = read_labels(args.labels)
        info["target_names"] = None
    images = info["images"]
    labels = info["labels"]
    if labels is not None and len(labels) != len(images):
        where = f"--labels {args.labels!r}" if args.labels else "the labels stored with INPUT"
        raise InputError(
            f"{where} has {len(labels)} labels but INPUT has {len(images)} images; "
            "expected one label per image."
        )
    if images.dtype.kind not in "biuf":
        raise InputError(f"INPUT holds an array of dtype {images.dtype}; images must be numbers.")
    return info


def describe(images):
    shape = images.shape[1:]
    return f"{len(images)} images of shape {'x'.join(str(s) for s in shape)} ({images.dtype})"


def check_device(device):
    """The library's device check, as a command-line error."""
    from .._training.seeding import check_device as check

    try:
        return str(check(device, "--device"))
    except ValueError as exc:
        raise InputError(str(exc)) from None


def check_out_vs_input(out, input_path):
    if input_path is None:
        return
    out, src = Path(out).resolve(), Path(input_path).resolve()
    if src.is_dir() and (out == src or src in out.parents):
        raise InputError(
            f"--out {str(out)!r} lies inside INPUT {str(src)!r}; choose a folder "
            "outside it (its figures would be read as images next time)."
        )
