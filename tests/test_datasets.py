"""Tests of sk_aecluster.datasets: digits as images, image folders, array files."""

import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from sk_aecluster.datasets import (
    IMAGE_EXTENSIONS,
    load_digits_images,
    load_image_array,
    load_image_folder,
)

CIFAR_TAR = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10_test"
    / "cifar10_test_jpegs.tar.gz"
)


def _save(path, array, **kwargs):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path, **kwargs)
    return path


# -- load_digits_images ------------------------------------------------------------
def test_digits_images_are_scaled_uint8():
    data = load_digits_images()
    ref = load_digits()
    assert data.images.shape == (1797, 8, 8)
    assert data.images.dtype == np.uint8
    assert data.images.min() == 0 and data.images.max() == 255
    np.testing.assert_array_equal(data.images, np.rint(ref.images * 255 / 16))
    np.testing.assert_array_equal(data.target, ref.target)
    np.testing.assert_array_equal(data.target_names, np.arange(10))
    assert "255 / 16" in data.DESCR


def test_digits_images_return_X_y():
    X, y = load_digits_images(return_X_y=True)
    assert X.shape == (1797, 8, 8) and y.shape == (1797,)


# -- load_image_folder ---------------------------------------------------------------
def test_folder_recursive_sorted_grey(tmp_path):
    rng = np.random.RandomState(0)
    names = ["b/2.png", "a/10.png", "a/1.png", "b/sub/0.png", "c.png"]
    arrays = {}
    for name in names:
        arrays[name] = rng.randint(0, 256, (5, 7))
        _save(tmp_path / name, arrays[name])
    (tmp_path / "notes.txt").write_text("not an image")
    _save(tmp_path / ".hidden.png", np.zeros((5, 7)))
    _save(tmp_path / ".cache" / "x.png", np.zeros((5, 7)))
    data = load_image_folder(tmp_path)
    expected = ["a/1.png", "a/10.png", "b/2.png", "b/sub/0.png", "c.png"]
    assert data.paths.tolist() == expected
    assert data.filenames.tolist() == [str(tmp_path / p) for p in expected]
    assert data.images.shape == (5, 5, 7) and data.images.dtype == np.uint8
    for i, name in enumerate(expected):
        np.testing.assert_array_equal(data.images[i], arrays[name])
    assert data.target is None and data.target_names is None
    # deterministic: a second call gives the same order
    assert load_image_folder(tmp_path).paths.tolist() == expected


def test_folder_labels_from_folders(tmp_path):
    for cls in ("dog", "cat"):
        for i in range(2):
            _save(tmp_path / cls / f"{i}.png", np.full((4, 4, 3), 10 * i))
    _save(tmp_path / "cat" / "kittens" / "k.png", np.full((4, 4, 3), 99))
    data = load_image_folder(tmp_path, labels_from_folders=True)
    assert data.images.shape == (5, 4, 4, 3)
    assert data.target_names.tolist() == ["cat", "dog"]
    assert data.target.tolist() == [0, 0, 0, 1, 1]
    assert data.paths[2] == "cat/kittens/k.png"
    X, y = load_image_folder(tmp_path, labels_from_folders=True, return_X_y=True)
    assert X.shape == (5, 4, 4, 3) and y.tolist() == [0, 0, 0, 1, 1]


def test_folder_labels_need_sub_folders(tmp_path):
    _save(tmp_path / "cat" / "0.png", np.zeros((4, 4)))
    _save(tmp_path / "loose.png", np.zeros((4, 4)))
    with pytest.raises(ValueError, match="loose.png"):
        load_image_folder(tmp_path, labels_from_folders=True)


def test_folder_colour_modes(tmp_path):
    grey = np.arange(12).reshape(3, 4) * 20
    rgba = np.zeros((3, 4, 4))
    rgba[..., 0], rgba[..., 3] = 200, 50
    _save(tmp_path / "a.png", grey)
    _save(tmp_path / "b.png", rgba)
    data = load_image_folder(tmp_path)
    assert data.images.shape == (2, 3, 4, 3)
    for c in range(3):  # grey becomes three equal channels
        np.testing.assert_array_equal(data.images[0, :, :, c], grey)
    np.testing.assert_array_equal(data.images[1, 0, 0], [200, 0, 0])  # alpha dropped
    assert load_image_folder(tmp_path, color_mode="grey").images.shape == (2, 3, 4)
    only_grey = tmp_path / "grey"
    _save(only_grey / "g.png", grey)
    assert load_image_folder(only_grey, color_mode="rgb").images.shape == (1, 3, 4, 3)
    with pytest.raises(ValueError, match="color_mode"):
        load_image_folder(tmp_path, color_mode="cmyk")


def test_folder_jpeg_and_palette(tmp_path):
    _save(tmp_path / "a.jpg", np.full((8, 8, 3), 120), quality=95)
    Image.fromarray(np.full((8, 8, 3), 60, np.uint8)).convert("P").save(tmp_path / "b.gif")
    data = load_image_folder(tmp_path)
    assert data.images.shape == (2, 8, 8, 3)
    assert abs(int(data.images[0].mean()) - 120) <= 2


def test_folder_different_sizes_names_two_files(tmp_path):
    _save(tmp_path / "a.png", np.zeros((8, 8)))
    _save(tmp_path / "b.png", np.zeros((8, 8)))
    _save(tmp_path / "c.png", np.zeros((6, 9)))
    with pytest.raises(ValueError, match="different sizes") as info:
        load_image_folder(tmp_path)
    message = str(info.value)
    assert "a.png" in message and "c.png" in message and "resize" in message
    data = load_image_folder(tmp_path, resize=(4, 5))
    assert data.images.shape == (3, 4, 5)


@pytest.mark.parametrize("resize", [(0, 4), (4,), "4x4", (4.5, 4)])
def test_folder_bad_resize(tmp_path, resize):
    _save(tmp_path / "a.png", np.zeros((8, 8)))
    with pytest.raises(ValueError, match="resize"):
        load_image_folder(tmp_path, resize=resize)


def test_folder_corrupt_image_names_the_file(tmp_path):
    _save(tmp_path / "good.png", np.zeros((8, 8)))
    (tmp_path / "bad.png").write_bytes(b"this is not a png")
    with pytest.raises(ValueError, match="bad.png"):
        load_image_folder(tmp_path)


def test_folder_truncated_image_names_the_file(tmp_path):
    path = _save(tmp_path / "whole.png", np.random.RandomState(0).randint(0, 256, (32, 32)))
    data = path.read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.png"):
        load_image_folder(tmp_path)


def test_folder_empty_missing_and_not_a_folder(tmp_path):
    with pytest.raises(ValueError, match="No image files"):
        load_image_folder(tmp_path)
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(ValueError, match="No image files"):
        load_image_folder(tmp_path)
    with pytest.raises(FileNotFoundError):
        load_image_folder(tmp_path / "missing")
    with pytest.raises(ValueError, match="not a folder"):
        load_image_folder(tmp_path / "readme.txt")


def test_folder_extensions(tmp_path):
    _save(tmp_path / "a.png", np.zeros((4, 4)))
    _save(tmp_path / "b.BMP", np.zeros((4, 4)))
    assert ".png" in IMAGE_EXTENSIONS
    assert load_image_folder(tmp_path).paths.tolist() == ["a.png", "b.BMP"]
    assert load_image_folder(tmp_path, extensions=["bmp"]).paths.tolist() == ["b.BMP"]


@pytest.mark.skipif(not CIFAR_TAR.is_file(), reason="../shared/data CIFAR-10 JPEGs not present")
def test_folder_cifar_jpegs(tmp_path):
    wanted = {"airplane": 0, "cat": 0}
    with tarfile.open(CIFAR_TAR) as tar:
        members = []
        for m in tar:
            parts = Path(m.name).parts
            if m.isfile() and len(parts) >= 2 and parts[-2] in wanted and wanted[parts[-2]] < 6:
                wanted[parts[-2]] += 1
                members.append(m)
            if all(v == 6 for v in wanted.values()):
                break
        tar.extractall(tmp_path, members=members, filter="data")
    root = next(p.parent.parent for p in tmp_path.rglob("*.jpg"))
    data = load_image_folder(root, labels_from_folders=True)
    assert data.images.shape == (12, 32, 32, 3)
    assert data.target_names.tolist() == ["airplane", "cat"]
    assert data.target.tolist() == [0] * 6 + [1] * 6


# -- load_image_array -------------------------------------------------------------------
def test_array_npy(tmp_path):
    X = np.random.RandomState(0).randint(0, 256, (6, 8, 8, 3)).astype(np.uint8)
    np.save(tmp_path / "trainX.npy", X)
    data = load_image_array(tmp_path / "trainX.npy")
    np.testing.assert_array_equal(data.images, X)
    assert data.target is None and data.filename.endswith("trainX.npy")
    mapped = load_image_array(tmp_path / "trainX.npy", mmap_mode="r")
    assert isinstance(mapped.images, np.memmap)


@pytest.mark.parametrize(
    "arrays, labels",
    [
        ({"X": np.zeros((3, 4, 4)), "y": np.arange(3)}, [0, 1, 2]),
        ({"images": np.zeros((3, 4, 4)), "labels": np.arange(3)[:, None]}, [0, 1, 2]),
        ({"arr_0": np.zeros((3, 4, 4))}, None),
        ({"pixels": np.zeros((3, 4, 4)), "y": np.array(["a", "b", "c"])}, ["a", "b", "c"]),
    ],
)
def test_array_npz_keys(tmp_path, arrays, labels):
    np.savez(tmp_path / "d.npz", **arrays)
    images, target = load_image_array(tmp_path / "d.npz", return_X_y=True)
    assert images.shape == (3, 4, 4)
    assert (target is None) if labels is None else target.tolist() == labels


def test_array_npz_ambiguous(tmp_path):
    np.savez(tmp_path / "d.npz", a=np.zeros((3, 4, 4)), b=np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="'X' or 'images'"):
        load_image_array(tmp_path / "d.npz")


def test_array_refuses_pickles(tmp_path):
    obj = np.empty(3, dtype=object)
    obj[:] = [{"a": 1}, None, "x"]
    np.save(tmp_path / "obj.npy", obj, allow_pickle=True)
    with pytest.raises(ValueError, match="obj.npy"):
        load_image_array(tmp_path / "obj.npy")
    np.savez(tmp_path / "obj.npz", X=obj)
    with pytest.raises(ValueError, match="obj.npz"):
        load_image_array(tmp_path / "obj.npz")


@pytest.mark.parametrize(
    "array, error, match",
    [
        (np.zeros(5), ValueError, "shape"),
        (np.zeros((2, 3, 4, 5, 6)), ValueError, "shape"),
        (np.zeros((0, 4, 4)), ValueError, "shape"),
        (np.array([["a", "b"]]), TypeError, "dtype"),
        (np.zeros((2, 4, 4), dtype=complex), TypeError, "dtype"),
    ],
)
def test_array_bad_shape_or_dtype(tmp_path, array, error, match):
    np.save(tmp_path / "x.npy", array)
    with pytest.raises(error, match=match):
        load_image_array(tmp_path / "x.npy")


def test_array_labels_of_wrong_length(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((4, 4, 4)), y=np.arange(3))
    with pytest.raises(ValueError, match="one label per image"):
        load_image_array(tmp_path / "d.npz")


def test_array_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_image_array(tmp_path / "missing.npy")
    (tmp_path / "x.csv").write_text("1,2\n")
    with pytest.raises(ValueError, match=r"\.npy or \.npz"):
        load_image_array(tmp_path / "x.csv")
    (tmp_path / "junk.npy").write_bytes(b"garbage bytes, not numpy")
    with pytest.raises(ValueError, match="junk.npy"):
        load_image_array(tmp_path / "junk.npy")
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 broken zip")
    with pytest.raises(ValueError, match="junk.npz"):
        load_image_array(tmp_path / "junk.npz")
    with pytest.raises(ValueError, match="folder"):
        load_image_array(tmp_path)
