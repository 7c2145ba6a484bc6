"""Tests of the Display-API figures in sk_aecluster.plotting (Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from sk_aecluster import AE1Encoder  # noqa: E402
from sk_aecluster.plotting import EmbeddingDisplay, ReconstructionDisplay  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def small_images():
    rng = np.random.RandomState(0)
    return rng.randint(0, 256, (12, 8, 8)).astype(np.uint8)


@pytest.fixture(scope="module")
def fitted_ae(small_images):
    return AE1Encoder(latent_channels=2, max_epochs=1, random_state=0).fit(small_images)


# -- ReconstructionDisplay --------------------------------------------------------------
def test_reconstruction_grey_layout_and_artists(small_images):
    X = small_images
    rec = np.clip(X.astype(int) + 10, 0, 255).astype(np.uint8)
    disp = ReconstructionDisplay.from_predictions(X, rec, n_images=4)
    assert isinstance(disp.figure_, Figure)
    assert disp.axes_.shape == (2, 4) and disp.images_.shape == (2, 4)
    assert all(isinstance(im, AxesImage) for im in disp.images_.flat)
    assert disp.bounding_ax_ is None
    np.testing.assert_array_equal(disp.indices, [0, 4, 7, 11])  # spread over the data
    # pixels shown on the [0, 1] scale, originals on top
    np.testing.assert_allclose(disp.images_[0, 1].get_array(), X[4] / 255.0)
    np.testing.assert_allclose(disp.images_[1, 1].get_array(), rec[4] / 255.0)
    assert disp.axes_[0, 0].get_ylabel() == "original"
    assert disp.axes_[1, 0].get_ylabel() == "reconstruction"
    assert disp.axes_[0, 1].get_title() == "#4"
    assert disp.figure_.get_suptitle()
    assert disp.errors_.shape == (4,) and np.all(disp.errors_ > 0)


def test_reconstruction_identical_images_have_zero_error(small_images):
    disp = ReconstructionDisplay.from_predictions(small_images, small_images, indices=[2, -1])
    np.testing.assert_array_equal(disp.indices, [2, 11])
    np.testing.assert_array_equal(disp.errors_, 0.0)


@pytest.mark.parametrize(
    "shape, kwargs, shown",
    [
        ((5, 6, 4, 3), {}, (6, 4, 3)),  # channels last RGB
        ((5, 3, 6, 7), {}, (6, 7, 3)),  # channels first RGB
        ((5, 6, 4, 4), {}, (6, 4, 3)),  # RGBA: alpha dropped
        ((5, 1, 6, 7), {}, (6, 7)),  # one channel first
        ((5, 6, 4, 1), {}, (6, 4)),  # one channel last
        ((5, 16), {}, (4, 4)),  # flat square grey
        ((5, 72), {"image_shape": (6, 4, 3)}, (6, 4, 3)),  # flat RGB
        ((5, 3, 6, 3), {"data_format": "channels_first"}, (6, 3, 3)),
    ],
)
def test_reconstruction_layouts(shape, kwargs, shown):
    X = np.random.RandomState(0).rand(*shape).astype(np.float32)
    disp = ReconstructionDisplay.from_predictions(X, X * 0.5, n_images=3, **kwargs)
    arr = disp.images_[0, 0].get_array()
    assert arr.shape == shown
    if len(shown) == 2:
        assert disp.images_[0, 0].get_cmap().name == "gray"


def test_reconstruction_float_outside_unit_range_scaled_by_originals():
    X = np.linspace(-5, 5, 2 * 16).reshape(2, 4, 4)
    disp = ReconstructionDisplay.from_predictions(X, X * 10, n_images=2)
    shown = disp.images_[0, 0].get_array()
    assert shown.min() == 0.0 and disp.images_[0, 1].get_array().max() == 1.0
    assert disp.images_[1, 1].get_array().max() == 1.0  # clipped to the originals' range


def test_reconstruction_on_given_axes(small_images):
    fig, ax = plt.subplots()
    disp = ReconstructionDisplay.from_predictions(small_images, small_images, n_images=3, ax=ax)
    assert disp.bounding_ax_ is ax and not ax.axison
    assert disp.figure_ is fig and disp.axes_.shape == (2, 3)
    assert ax.get_title()
    fig, axes = plt.subplots(2, 3)
    disp = ReconstructionDisplay.from_predictions(small_images, small_images, n_images=3, ax=axes)
    assert disp.axes_[1, 2] is axes[1, 2]
    fig, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="6 Axes"):
        ReconstructionDisplay.from_predictions(small_images, small_images, n_images=3, ax=axes)


def test_reconstruction_bad_input(small_images):
    with pytest.raises(ValueError, match="same shape"):
        ReconstructionDisplay(small_images[:2], small_images[:2, :4]).plot()
    with pytest.raises(ValueError, match="must match"):
        ReconstructionDisplay.from_predictions(small_images, small_images[:3])
    with pytest.raises(ValueError, match="indices"):
        ReconstructionDisplay.from_predictions(small_images, small_images, indices=[12])
    with pytest.raises(ValueError, match="n_images"):
        ReconstructionDisplay.from_predictions(small_images, small_images, n_images=0)
    with pytest.raises(ValueError, match="square"):
        ReconstructionDisplay.from_predictions(np.zeros((2, 10)), np.zeros((2, 10)))
    with pytest.raises(ValueError, match="channel axis"):
        ReconstructionDisplay.from_predictions(np.zeros((2, 6, 6, 6)), np.zeros((2, 6, 6, 6)))
    with pytest.raises(TypeError, match="numbers"):
        ReconstructionDisplay.from_predictions(np.array([["a"]]), np.array([["a"]]))


def test_reconstruction_from_autoencoder_and_pipeline(small_images, fitted_ae):
    disp = ReconstructionDisplay.from_estimator(fitted_ae, small_images, n_images=5)
    assert disp.axes_.shape == (2, 5)
    expected = fitted_ae.reconstruct(small_images[disp.indices])
    np.testing.assert_allclose(disp.images_[1, 0].get_array(), expected[0] / 255.0)
    pipe = Pipeline([("ae", fitted_ae), ("km", KMeans(2, n_init=1, random_state=0))])
    pipe.fit(small_images)
    disp2 = ReconstructionDisplay.from_estimator(pipe, small_images, n_images=5)
    np.testing.assert_allclose(
        disp2.images_[1, 0].get_array(), disp.images_[1, 0].get_array()
    )


def test_reconstruction_from_channels_first_autoencoder():
    X = np.random.RandomState(0).randint(0, 256, (6, 3, 8, 6)).astype(np.uint8)
    ae = AE1Encoder(latent_channels=2, max_epochs=1, random_state=0).fit(X)
    disp = ReconstructionDisplay.from_estimator(ae, X, n_images=2)
    assert disp.data_format == "channels_first"
    assert disp.images_[0, 0].get_array().shape == (8, 6, 3)


def test_reconstruction_from_pca_and_refusal(small_images):
    flat = small_images.reshape(12, -1).astype(float)
    pca = PCA(3).fit(flat)
    disp = ReconstructionDisplay.from_estimator(pca, flat, n_images=2)
    assert disp.images_[0, 0].get_array().shape == (8, 8)
    with pytest.raises(TypeError, match="cannot reconstruct"):
        ReconstructionDisplay.from_estimator(KMeans(2).fit(flat), flat)


# -- EmbeddingDisplay -----------------------------------------------------------------
@pytest.fixture(scope="module")
def blobs():
    rng = np.random.RandomState(0)
    Z = np.concatenate([rng.normal(0, 1, (15, 6)), rng.normal(5, 1, (15, 6))])
    y = np.repeat([0, 1], 15)
    return Z, y


def test_embedding_two_panels_with_matched_colours(blobs):
    Z, y = blobs
    clusters = 1 - y  # the same partition, other names
    disp = EmbeddingDisplay.from_embedding(Z, clusters, y_true=y, target_names=["a", "b"])
    assert len(disp.axes_) == 2 and disp.ax_ is disp.axes_[0]
    assert all(isinstance(s, PathCollection) for s in disp.scatters_)
    assert disp.ax_.get_xlabel() == "PC 1" and disp.ax_.get_ylabel() == "PC 2"
    assert "cluster" in disp.axes_[0].get_title() and "true" in disp.axes_[1].get_title()
    assert disp.figure_.get_suptitle()
    # each cluster is drawn in the colour of the class it matches
    np.testing.assert_allclose(
        disp.scatters_[0].get_facecolors(), disp.scatters_[1].get_facecolors()
    )
    texts = [t.get_text() for t in disp.legends_[1].get_texts()]
    assert texts == ["a", "b"]
    assert [t.get_text() for t in disp.legends_[0].get_texts()] == ["cluster 0", "cluster 1"]
    offsets = disp.scatters_[0].get_offsets()
    np.testing.assert_allclose(offsets, PCA(2, random_state=0).fit_transform(Z))


def test_embedding_2d_kept_and_single_panels(blobs):
    Z, y = blobs
    disp = EmbeddingDisplay.from_embedding(Z[:, :2], y)
    assert len(disp.axes_) == 1 and disp.ax_.get_xlabel() == "dimension 1"
    np.testing.assert_allclose(disp.scatters_[0].get_offsets(), Z[:, :2])
    only_truth = EmbeddingDisplay.from_embedding(Z[:, :2], y_true=y, axis_label="t-SNE")
    assert "true" in only_truth.ax_.get_title() and only_truth.ax_.get_xlabel() == "t-SNE 1"
    plain = EmbeddingDisplay.from_embedding(Z[:, 0])
    assert plain.legends_ == [None] and plain.scatters_[0].get_offsets().shape == (30, 2)


def test_embedding_many_labels_no_legend():
    Z = np.random.RandomState(0).rand(50, 2)
    disp = EmbeddingDisplay.from_embedding(Z, np.arange(50) % 25)
    assert disp.legends_ == [None]
    assert len(np.unique(disp.scatters_[0].get_facecolors(), axis=0)) == 25


def test_embedding_more_clusters_than_classes(blobs):
    Z, y = blobs
    clusters = np.arange(30) % 3
    disp = EmbeddingDisplay.from_embedding(Z, clusters, y_true=y)
    assert len(disp.legends_[0].get_texts()) == 3


def test_embedding_on_given_axes(blobs):
    Z, y = blobs
    fig, ax = plt.subplots()
    disp = EmbeddingDisplay.from_embedding(Z, y, y_true=y, ax=ax)
    assert disp.bounding_ax_ is ax and len(disp.axes_) == 2
    fig, ax = plt.subplots()
    disp = EmbeddingDisplay.from_embedding(Z, y, ax=ax)
    assert disp.ax_ is ax and disp.bounding_ax_ is None


def test_embedding_bad_input(blobs):
    Z, y = blobs
    with pytest.raises(ValueError, match="labels has 29"):
        EmbeddingDisplay.from_embedding(Z, y[:-1])
    with pytest.raises(ValueError, match="y_true has 29"):
        EmbeddingDisplay.from_embedding(Z, y, y_true=y[:-1])
    with pytest.raises(ValueError, match="NaN"):
        EmbeddingDisplay.from_embedding(np.full((3, 2), np.nan))
    with pytest.raises(ValueError, match="from_embedding"):
        EmbeddingDisplay(Z).plot()


def test_embedding_from_clustering_pipeline_and_transformer(blobs):
    Z, y = blobs
    pipe = Pipeline([("pca", PCA(3)), ("km", KMeans(2, n_init=2, random_state=0))]).fit(Z)
    disp = EmbeddingDisplay.from_estimator(pipe, Z, y_true=y)
    assert len(disp.axes_) == 2
    assert "2 clusters" in disp.axes_[0].get_title()
    pca = PCA(2).fit(Z)
    disp = EmbeddingDisplay.from_estimator(pca, Z, labels=y)
    np.testing.assert_allclose(disp.scatters_[0].get_offsets(), pca.transform(Z))
    with pytest.raises(TypeError, match="no transform"):
        EmbeddingDisplay.from_estimator(object(), Z)


def test_embedding_from_autoencoder(small_images, fitted_ae):
    disp = EmbeddingDisplay.from_estimator(fitted_ae, small_images)
    assert disp.ax_.get_xlabel() == "PC 1"
    assert disp.scatters_[0].get_offsets().shape == (12, 2)
