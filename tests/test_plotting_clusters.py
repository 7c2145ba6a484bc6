"""Tests of ClusterMontageDisplay and ClusterConfusionDisplay (Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

import sk_aecluster  # noqa: E402
from sk_aecluster import AE1Encoder, clustering_accuracy_score  # noqa: E402
from sk_aecluster.plotting import ClusterConfusionDisplay, ClusterMontageDisplay  # noqa: E402
from sk_aecluster.plotting._montage_picks import distances_to_centres  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _blobs():
    """Two clusters of 4x4 grey images: pixel value = distance from the cluster's level."""
    values = np.array([10, 12, 14, 16, 18, 100, 101, 103, 106, 110, 115], dtype=np.uint8)
    labels = np.array([0] * 5 + [1] * 6)
    X = np.repeat(values[:, None, None], 4, axis=1).repeat(4, axis=2)
    return X, labels


# -- ClusterMontageDisplay: which images are chosen ---------------------------------------
def test_montage_closest_from_features_and_seeded_sample():
    X, labels = _blobs()
    feats = X.reshape(len(X), -1).astype(float)
    disp = ClusterMontageDisplay.from_predictions(
        X, labels, features=feats, n_closest=2, n_random=2, random_state=0
    )
    # cluster 0 mean is 14 -> nearest are 14 (#2), then 12 / 16 (tie, stable: #1)
    np.testing.assert_array_equal(disp.closest_indices[0], [2, 1])
    # cluster 1 mean is ~105.8 -> 106 (#8), 103 (#7)
    np.testing.assert_array_equal(disp.closest_indices[1], [8, 7])
    for k, members in enumerate((np.arange(5), np.arange(5, 11))):
        sample = disp.sample_indices[k]
        assert len(sample) == 2 and len(set(sample)) == 2
        assert set(sample) <= set(members) - set(disp.closest_indices[k])
    again = ClusterMontageDisplay.from_predictions(
        X, labels, features=feats, n_closest=2, n_random=2, random_state=0
    )
    for a, b in zip(disp.sample_indices, again.sample_indices, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(disp.cluster_sizes, [5, 6])
    assert disp.panels_ == ("closest to the centre", "random sample")
    assert disp.axes_.shape == (2, 2) and disp.ax_ is disp.axes_[0, 0]
    assert all(isinstance(im, AxesImage) for im in disp.images_.flat)
    assert disp.axes_[0, 0].get_title() == "closest to the centre"
    assert disp.axes_[1, 0].get_ylabel() == "cluster 1\n6 images"
    assert disp.figure_.get_suptitle()
    # the drawn strip holds the chosen pixels on the [0, 1] scale, side by side
    strip = disp.images_[0, 0].get_array()
    assert strip.shape == (4, 2 * 4 + 1)
    np.testing.assert_allclose(strip[:, :4], 14 / 255)
    np.testing.assert_allclose(strip[:, 5:], 12 / 255)
    assert strip.mask[:, 4].all()  # the gap is transparent


def test_montage_distances_and_random_only():
    X, labels = _blobs()
    d = np.arange(11)[::-1].astype(float)
    disp = ClusterMontageDisplay.from_predictions(X, labels, distances=d, n_closest=1,
                                                  n_random=0)
    assert disp.panels_ == ("closest to the centre",)
    assert [list(c) for c in disp.closest_indices] == [[4], [10]]
    only = ClusterMontageDisplay.from_predictions(X, labels, n_random=3)
    assert only.panels_ == ("random sample",) and only.axes_.shape == (2, 1)
    assert all(len(c) == 0 for c in only.closest_indices)
    assert [len(s) for s in only.sample_indices] == [3, 3]


def test_montage_clusters_subset_keeps_each_clusters_sample():
    X, labels = _blobs()
    full = ClusterMontageDisplay.from_predictions(X, labels, n_random=3, random_state=1)
    one = ClusterMontageDisplay.from_predictions(X, labels, n_random=3, random_state=1,
                                                 clusters=[1])
    assert one.axes_.shape == (1, 1)
    np.testing.assert_array_equal(one.sample_indices[0], full.sample_indices[1])


def test_montage_small_cluster_and_string_labels():
    X, _ = _blobs()
    labels = np.array(["a"] * 10 + ["b"])
    disp = ClusterMontageDisplay.from_predictions(X, labels, features=X.reshape(11, -1),
                                                  n_closest=2, n_random=2)
    assert list(disp.closest_indices[1]) == [10] and len(disp.sample_indices[1]) == 0
    assert disp.images_[1, 1] is None  # nothing left for the random sample
    assert disp.axes_[1, 0].get_ylabel().startswith("cluster b")


@pytest.mark.parametrize(
    "shape, kwargs, cell",
    [
        ((6, 5, 4, 3), {}, (5, 4, 4)),  # channels-last colour: RGBA strip
        ((6, 3, 5, 6), {}, (5, 6, 4)),  # channels-first colour
        ((6, 25), {}, (5, 5)),  # flat square grey
        ((6, 60), {"image_shape": (5, 4, 3)}, (5, 4, 4)),  # flat colour
    ],
)
def test_montage_layouts(shape, kwargs, cell):
    X = np.random.RandomState(0).rand(*shape).astype(np.float32)
    labels = np.array([0, 0, 0, 1, 1, 1])
    disp = ClusterMontageDisplay.from_predictions(X, labels, n_random=1, **kwargs)
    arr = np.asarray(disp.images_[0, 0].get_array())
    assert arr.shape[0] == cell[0] and arr.shape[2:] == cell[2:]
    if len(cell) == 3:  # colour: pixels as they are, alpha 1
        flat = X.reshape(6, *cell[:2], 3) if X.ndim == 2 else (
            np.moveaxis(X, 1, -1) if shape[1] == 3 else X)
        np.testing.assert_allclose(arr[..., :3], flat[disp.sample_indices[0][0]])
        np.testing.assert_array_equal(arr[..., 3], 1.0)


def test_montage_from_pipeline_uses_kmeans_centres():
    rng = np.random.RandomState(0)
    X = rng.rand(30, 6, 6).astype(np.float32)
    X[15:] += 1.0
    pipe = Pipeline([
        ("flat", PCA(4, random_state=0)),
        ("km", KMeans(2, n_init=2, random_state=0)),
    ]).fit(X.reshape(30, -1))
    flat = X.reshape(30, -1)
    disp = ClusterMontageDisplay.from_estimator(pipe, flat, n_closest=3, n_random=2,
                                                image_shape=(6, 6))
    Z = pipe[:-1].transform(flat)
    labels = pipe.predict(flat)
    d = np.linalg.norm(Z - pipe[-1].cluster_centers_[labels], axis=1)
    for k, c in enumerate(disp.cluster_labels):
        members = np.flatnonzero(labels == c)
        expected = members[np.argsort(d[members], kind="stable")[:3]]
        np.testing.assert_array_equal(disp.closest_indices[k], expected)


def test_montage_from_autoencoder_pipeline_and_gmm():
    X = np.random.RandomState(0).randint(0, 256, (12, 3, 8, 8)).astype(np.uint8)
    pipe = Pipeline([
        ("ae", AE1Encoder(latent_channels=2, max_epochs=1, random_state=0)),
        ("gmm", GaussianMixture(2, random_state=0)),
    ]).fit(X)
    disp = ClusterMontageDisplay.from_estimator(pipe, X, n_closest=2, n_random=1)
    assert disp.data_format == "channels_first"  # learnt by the autoencoder
    Z = pipe[:-1].transform(X)
    labels = pipe.predict(X)
    d = distances_to_centres(Z, labels)  # GMM: the cluster means
    c = disp.cluster_labels[0]
    members = np.flatnonzero(labels == c)
    np.testing.assert_array_equal(
        disp.closest_indices[0], members[np.argsort(d[members], kind="stable")[:2]]
    )
    assert np.asarray(disp.images_[0, 0].get_array()).shape == (8, 8 * 2 + 1, 4)


def test_montage_plain_clusterer_and_given_axes():
    X, labels = _blobs()
    km = KMeans(2, n_init=2, random_state=0).fit(X.reshape(11, -1))
    disp = ClusterMontageDisplay.from_estimator(km, X.reshape(11, -1), n_closest=1,
                                                n_random=1, image_shape=(4, 4))
    assert disp.axes_.shape == (2, 2)
    fig, ax = plt.subplots()
    disp = ClusterMontageDisplay.from_predictions(X, labels, n_random=2, ax=ax)
    assert disp.bounding_ax_ is ax and disp.figure_ is fig and not ax.axison


def test_montage_bad_input():
    X, labels = _blobs()
    with pytest.raises(ValueError, match="must match"):
        ClusterMontageDisplay.from_predictions(X, labels[:5])
    with pytest.raises(ValueError, match="features or distances"):
        ClusterMontageDisplay.from_predictions(X, labels, features=X, distances=labels)
    with pytest.raises(ValueError, match="one value per image"):
        ClusterMontageDisplay.from_predictions(X, labels, distances=[1.0, 2.0])
    with pytest.raises(ValueError, match="n_closest must be an integer"):
        ClusterMontageDisplay.from_predictions(X, labels, n_closest=-1)
    with pytest.raises(ValueError, match="nothing to show"):
        ClusterMontageDisplay.from_predictions(X, labels, n_closest=0, n_random=0)
    with pytest.raises(ValueError, match="not among the labels"):
        ClusterMontageDisplay.from_predictions(X, labels, clusters=[7])
    with pytest.raises(ValueError, match="NaN"):
        ClusterMontageDisplay.from_predictions(X, labels, features=np.full((11, 2), np.nan))
    with pytest.raises(ValueError, match="indices must lie"):
        ClusterMontageDisplay(X, [[0]], [[11]], cluster_labels=[0]).plot()
    with pytest.raises(ValueError, match="one entry per cluster"):
        ClusterMontageDisplay(X, [[0]], [[1], [2]], cluster_labels=[0]).plot()
    with pytest.raises(TypeError, match="numbers"):
        ClusterMontageDisplay.from_predictions(np.array([["a"]] * 11), labels)
    with pytest.raises(TypeError, match="no predict"):
        ClusterMontageDisplay.from_estimator(PCA(2).fit(X.reshape(11, -1)),
                                             X.reshape(11, -1))
    with pytest.raises(ValueError, match="integers in 0..1"):
        distances_to_centres(np.zeros((3, 2)), [0, 1, 5], np.zeros((2, 2)))


# -- ClusterConfusionDisplay ----------------------------------------------------------------
def test_confusion_hungarian_order_and_accuracy():
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    labels = np.array([5, 5, 7, 3, 3, 3, 7, 7, 7, 9])  # 4 clusters, 3 classes
    disp = ClusterConfusionDisplay.from_predictions(y, labels, target_names=["a", "b", "c"])
    assert disp.class_labels.tolist() == ["a", "b", "c"]
    assert disp.cluster_labels.tolist() == [5, 3, 7, 9]  # matched first, leftover last
    np.testing.assert_array_equal(
        disp.confusion_matrix, [[2, 0, 0], [0, 3, 0], [1, 0, 3], [0, 0, 1]]
    )
    assert disp.n_matched == 3
    assert disp.accuracy_ == pytest.approx(clustering_accuracy_score(y, labels))
    assert disp.text_.shape == (4, 3) and disp.text_[1, 1].get_text() == "3"
    assert len(disp.matched_patches_) == 3
    assert disp.ax_.get_xlabel() == "true class" and disp.ax_.get_ylabel() == "cluster"
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["5", "3", "7", "9"]
    assert "0.800" in disp.ax_.get_title()


def test_confusion_more_classes_than_clusters_and_options():
    y = ["x", "x", "y", "y", "z"]
    labels = [1, 1, 0, 0, 0]
    disp = ClusterConfusionDisplay.from_predictions(
        y, labels, include_values=False, colorbar=False, highlight_matched=False
    )
    assert disp.class_labels.tolist() == ["x", "y", "z"]  # z unmatched, last
    assert disp.cluster_labels.tolist() == [1, 0]
    assert disp.text_ is None and disp.matched_patches_ == []
    assert disp.accuracy_ == pytest.approx(0.8)


def test_confusion_from_estimator_and_bad_input():
    X = np.concatenate([np.zeros((5, 2)), np.ones((5, 2)) * 5])
    y = np.repeat([0, 1], 5)
    km = KMeans(2, n_init=2, random_state=0).fit(X)
    disp = ClusterConfusionDisplay.from_estimator(km, X, y)
    assert disp.accuracy_ == 1.0
    fig, ax = plt.subplots()
    disp = ClusterConfusionDisplay.from_predictions(y, km.labels_, ax=ax)
    assert disp.ax_ is ax and disp.figure_ is fig
    with pytest.raises(ValueError, match="must match"):
        ClusterConfusionDisplay.from_predictions(y, km.labels_[:3])
    with pytest.raises(TypeError, match="no predict"):
        ClusterConfusionDisplay.from_estimator(PCA(1).fit(X), X, y)
    with pytest.raises(ValueError, match="2-D array of counts"):
        ClusterConfusionDisplay(np.zeros(3)).plot()
    with pytest.raises(ValueError, match="match the matrix shape"):
        ClusterConfusionDisplay(np.eye(2), cluster_labels=[1, 2, 3]).plot()
    with pytest.raises(ValueError, match="n_matched"):
        ClusterConfusionDisplay(np.eye(2), n_matched=3).plot()


def test_displays_exported():
    for name in ("ClusterMontageDisplay", "ClusterConfusionDisplay"):
        assert getattr(sk_aecluster, name) is getattr(sk_aecluster.plotting, name)
        assert name in sk_aecluster.__all__
