"""Data sets of the quality benchmark: the bundled digits and ../shared/data.

Each loader returns ``(X, y)`` with ``X`` uint8 images ``(n, H, W)`` or
``(n, H, W, 3)``, or raises :class:`DataNotFound` when the files are absent.
"""

import gzip
import io
import os
import tarfile
from pathlib import Path

import numpy as np

# ../shared/data beside the checkout; SK_AECLUSTER_DATA names another folder
# (a git worktree's checkout is not beside it)
SHARED = Path(os.environ.get("SK_AECLUSTER_DATA")
              or Path(__file__).resolve().parents[1].parent / "shared" / "data")
VEHICLES = {"airplane", "automobile", "ship", "truck"}


class DataNotFound(FileNotFoundError):
    """The data set's files are not on this machine."""


def _need(path):
    if not path.exists():
        raise DataNotFound(f"data not found: {path}")
    return path


def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return np.rint(X.reshape(-1, 8, 8) * 255 / 16).astype(np.uint8), y


def usps():
    import h5py

    with h5py.File(_need(SHARED / "usps" / "usps.h5"), "r") as f:
        X = np.concatenate([f["train/data"][:], f["test/data"][:]])
        y = np.concatenate([f["train/target"][:], f["test/target"][:]])
    return np.rint(X.reshape(-1, 16, 16) * 255).astype(np.uint8), y.astype(int)


def mnist_test():
    folder = SHARED / "mnist_test"
    with gzip.open(_need(folder / "t10k-images-idx3-ubyte.gz")) as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(_need(folder / "t10k-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(int)
    return X, y


def _cifar10_test():
    from PIL import Image

    images, classes = [], []
    with tarfile.open(_need(SHARED / "cifar10_test" / "cifar10_test_jpegs.tar.gz")) as tar:
        members = sorted((m for m in tar.getmembers() if m.name.endswith(".jpg")),
                         key=lambda m: m.name)
        for m in members:
            with Image.open(io.BytesIO(tar.extractfile(m).read())) as im:
                images.append(np.asarray(im.convert("RGB")))
            classes.append(Path(m.name).parent.name)
    return np.stack(images), np.array(classes)


def cifar10():
    X, classes = _cifar10_test()
    names = sorted(set(classes))
    return X, np.array([names.index(c) for c in classes])


def cifar2():
    X, classes = _cifar10_test()
    return X, np.array([int(c in VEHICLES) for c in classes])


LOADERS = {
    "digits": digits,
    "usps": usps,
    "mnist": mnist_test,
    "cifar2": cifar2,
    "cifar10": cifar10,
}


def datasets(names, tiny=False):
    """Yield ``(name, X, y)`` for the comma-separated ``names`` that are here.

    A data set whose files are absent is skipped with a line saying so;
    ``tiny`` keeps the first 300 images (a smoke test).
    """
    for name in names.split(","):
        try:
            X, y = LOADERS[name]()
        except DataNotFound as exc:
            print(f"skipping {name}: {exc}")
            continue
        if tiny:
            X, y = X[:300], y[:300]
        yield name, X, y
