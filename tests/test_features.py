"""HOGFeatures: values against a plain reference, invariances, layouts, errors."""

import math
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_aecluster import HOGFeatures, clustering_accuracy_score


def reference_hog(image, cell, block, n_bins, signed=False):
    """Pixel-by-pixel HOG of one grey float image in [0, 1]: the definition."""
    h, w = image.shape
    period = 2 * math.pi if signed else math.pi
    cells_down, cells_across = h // cell, w // cell
    hist = np.zeros((cells_down, cells_across, n_bins))
    for i in range(cells_down * cell):
        for j in range(cells_across * cell):
            gx = image[i, j + 1] - image[i, j - 1] if 0 < j < w - 1 else 0.0
            gy = image[i + 1, j] - image[i - 1, j] if 0 < i < h - 1 else 0.0
            mag = math.hypot(gx, gy)
            pos = (math.atan2(gy, gx) % period) / period * n_bins - 0.5
            low = math.floor(pos)
            share = pos - low
            hist[i // cell, j // cell, low % n_bins] += mag * (1 - share)
            hist[i // cell, j // cell, (low + 1) % n_bins] += mag * share
    out = []
    for bi in range(cells_down - block + 1):
        for bj in range(cells_across - block + 1):
            v = hist[bi : bi + block, bj : bj + block].ravel()
            out.append(v / (np.linalg.norm(v) + 1e-3))
    return np.concatenate(out)


def grey_images(n=6, size=12, seed=0):
    return np.random.RandomState(seed).randint(0, 256, (n, size, size)).astype(np.uint8)


@pytest.mark.parametrize("cell, block, n_bins, signed", [
    (4, 2, 9, False), (3, 1, 6, True), (2, 3, 4, False), (5, 2, 9, False),
])
def test_features_equal_the_pixel_by_pixel_definition(cell, block, n_bins, signed):
    X = grey_images()
    hog = HOGFeatures(cell_size=cell, block_size=block, n_bins=n_bins, signed=signed)
    F = hog.fit_transform(X)
    expected = np.stack([reference_hog(x / 255.0, cell, block, n_bins, signed) for x in X])
    assert F.dtype == np.float32 and F.shape == expected.shape
    assert F.shape[1] == math.prod(hog.feature_shape_)
    np.testing.assert_allclose(F, expected, atol=2e-5)


def test_a_vertical_ramp_puts_all_gradient_in_the_90_degree_bin():
    ramp = np.repeat(np.arange(0, 160, 10, dtype=np.uint8)[:, None], 16, axis=1)
    F = HOGFeatures(cell_size=8, block_size=1).fit_transform(ramp[None])
    cells = F.reshape(2, 2, 9)
    # 90 degrees is the centre of bin 4 of 9 over 0..180 degrees
    np.testing.assert_allclose(cells[..., 4], 1.0, atol=1e-3)
    np.testing.assert_array_equal(np.delete(cells, 4, axis=-1), 0.0)


def test_features_ignore_brightness_and_contrast():
    X = grey_images(size=16).astype(np.float32) * 0.5 + 40  # values 40..168
    hog = HOGFeatures(cell_size=4).fit(X)
    F = hog.transform(X)
    brighter = hog.transform(X * 1.5 + 10)  # more contrast and brighter
    assert np.abs(F).max() > 0.3
    np.testing.assert_allclose(F, brighter, atol=0.01)


def test_colour_images_are_turned_grey_with_luma_weights():
    grey = grey_images(size=16)
    rgb = np.repeat(grey[..., None], 3, axis=-1)
    np.testing.assert_allclose(HOGFeatures(cell_size=8, block_size=2).fit_transform(rgb),
                               HOGFeatures(cell_size=8, block_size=2).fit_transform(grey),
                               atol=1e-6)
    # inverting the red channel alone changes the grey image by its luma share
    red = rgb.copy()
    red[..., 0] = 255 - red[..., 0]
    luma = 0.299 * red[..., 0] + 0.587 * grey + 0.114 * grey
    expected = np.stack([reference_hog(g / 255.0, 8, 2, 9) for g in luma])
    np.testing.assert_allclose(HOGFeatures(cell_size=8, block_size=2).fit_transform(red),
                               expected, atol=2e-5)


def test_every_layout_gives_the_same_features():
    rgb = np.random.RandomState(1).randint(0, 256, (5, 16, 16, 3)).astype(np.uint8)
    ref = HOGFeatures(cell_size=4).fit_transform(rgb)
    nchw = rgb.transpose(0, 3, 1, 2)
    np.testing.assert_array_equal(HOGFeatures(cell_size=4).fit_transform(nchw), ref)
    flat = rgb.reshape(5, -1)
    np.testing.assert_array_equal(
        HOGFeatures(cell_size=4, image_shape=(16, 16, 3)).fit_transform(flat), ref)
    grey = rgb[..., 0]
    np.testing.assert_array_equal(
        HOGFeatures(cell_size=4).fit_transform(grey.reshape(5, -1)),
        HOGFeatures(cell_size=4).fit_transform(grey))


def test_caller_array_is_not_modified_and_large_sets_are_chunked():
    X = np.random.RandomState(2).randint(0, 256, (600, 16, 16)).astype(np.uint8)
    before = X.copy()
    hog = HOGFeatures(cell_size=8, block_size=2).fit(X)
    F = hog.transform(X)
    np.testing.assert_array_equal(X, before)
    # 600 images span three chunks; each row is computed as if alone
    np.testing.assert_allclose(F[300:302], hog.transform(X[300:302]), atol=1e-6)
    np.testing.assert_allclose(F[-1], reference_hog(X[-1] / 255.0, 8, 2, 9), atol=2e-5)


def test_hog_pipeline_tells_stripes_from_rings():
    """Orientation, not brightness, separates the two groups."""
    rng = np.random.RandomState(0)
    yy, xx = np.mgrid[:32, :32]
    X, y = [], []
    for i in range(40):
        phase, period, level = rng.uniform(0, 6.3), rng.uniform(4, 8), rng.uniform(60, 190)
        if i % 2:
            img = np.sin(2 * np.pi * xx / period + phase)  # vertical stripes
        else:
            img = np.sin(2 * np.pi * np.hypot(xx - 16, yy - 16) / period + phase)  # rings
        X.append(np.clip(level + 60 * img + rng.normal(0, 5, img.shape), 0, 255))
        y.append(i % 2)
    X, y = np.array(X).astype(np.uint8), np.array(y)
    pipe = Pipeline([("hog", HOGFeatures(cell_size=8, block_size=2)), ("scale", StandardScaler()),
                     ("km", KMeans(2, n_init=10, random_state=0))])
    assert clustering_accuracy_score(y, pipe.fit_predict(X)) == 1.0
    flat = X.reshape(len(X), -1).astype(float)
    assert clustering_accuracy_score(
        y, KMeans(2, n_init=10, random_state=0).fit_predict(flat)) < 0.8


@pytest.mark.parametrize("size, cell, shape", [
    ((8, 8), 1, (6, 6, 3, 3, 9)),
    ((16, 16), 2, (6, 6, 3, 3, 9)),
    ((28, 28), 3, (7, 7, 3, 3, 9)),
    ((32, 40, 3), 4, (6, 8, 3, 3, 9)),
    ((5, 64), 1, (3, 62, 3, 3, 9)),
])
def test_default_cells_are_an_eighth_of_the_shorter_side(size, cell, shape):
    X = np.random.RandomState(0).randint(0, 256, (3, *size)).astype(np.uint8)
    hog = HOGFeatures().fit(X)
    assert hog.cell_size is None and hog.cell_size_ == cell and hog.feature_shape_ == shape
    np.testing.assert_array_equal(
        hog.transform(X), HOGFeatures(cell_size=cell).fit_transform(X))


def test_names_set_output_clone_and_pickle():
    X = grey_images(size=16)
    hog = HOGFeatures(cell_size=4, block_size=3).fit(X)
    assert hog.feature_shape_ == (2, 2, 3, 3, 9)
    names = hog.get_feature_names_out()
    assert len(names) == 324 and names[0] == "hogfeatures0"
    frame = clone(hog).set_output(transform="pandas").fit_transform(X)
    assert list(frame.columns) == list(names)
    again = pickle.loads(pickle.dumps(hog))
    np.testing.assert_array_equal(again.transform(X), hog.transform(X))
    assert clone(hog).get_params() == hog.get_params()


def test_bad_input_and_parameters_are_named():
    X = grey_images(size=12)
    with pytest.raises(ValueError, match=r"at least 16x16 pixels for cell_size=8 and "
                                         r"block_size=2; got 12x12"):
        HOGFeatures(cell_size=8, block_size=2).fit(X)
    with pytest.raises(ValueError, match=r"at least 3x3 pixels for cell_size=1 and "
                                         r"block_size=3; got 2x2"):
        HOGFeatures().fit(X[:, :2, :2])
    with pytest.raises(NotFittedError):
        HOGFeatures().transform(X)
    hog = HOGFeatures(cell_size=4).fit(X)
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(12, 12\)"):
        hog.transform(grey_images(size=16))
    bad = X.astype(np.float32)
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        hog.transform(bad)
    with pytest.raises(ValueError, match=r"X has 64 features, but HOGFeatures is expecting 144"):
        hog.transform(X.reshape(len(X), -1)[:, :64])
    with pytest.raises(ValueError, match="not a square grey image"):
        HOGFeatures().fit(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="cell_size"):
        HOGFeatures(cell_size=0).fit(X)
    with pytest.raises(ValueError, match="n_bins"):
        HOGFeatures(n_bins=1.5).fit(X)
