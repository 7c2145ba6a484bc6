import importlib.util
import sys

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA

from sk_aecluster import (
    AE1Encoder,
    AE2Encoder,
    ContrastiveEncoder,
    DenseAutoEncoder,
    HOGFeatures,
    TSNETransformer,
    clustering_accuracy_score,
    make_recommended_pipeline,
    make_study_pipeline,
)


def test_recommended_pipeline_steps_and_fit(rgb_images):
    umap = pytest.importorskip("umap")
    X, y = rgb_images
    pipe = make_recommended_pipeline(2, max_epochs=2, random_state=0)
    ae, emb, km = (step for _, step in pipe.steps)
    assert [name for name, _ in pipe.steps] == ["ae", "umap", "cluster"]
    assert isinstance(ae, DenseAutoEncoder) and ae.hidden_units == (500, 500, 2000)
    assert (ae.activation, ae.batch_size, ae.max_epochs) == ("leaky_relu", 256, 2)
    assert (ae.augment_shift, ae.augment_rotation) == (1.0, 5.0)
    assert isinstance(emb, umap.UMAP) and (emb.n_components, emb.min_dist) == (2, 0.0)
    assert isinstance(km, KMeans) and km.n_clusters == 2
    assert ae.random_state == emb.random_state == km.random_state == 0
    pipe.set_params(umap__n_neighbors=10)
    labels = pipe.fit_predict(X)
    assert clustering_accuracy_score(y, labels) == 1.0
    assert pipe.named_steps["ae"].net_.augmentation is not None


def test_recommended_pipeline_with_tsne(rgb_images):
    X, y = rgb_images
    pipe = make_recommended_pipeline(2, manifold="tsne", max_epochs=2, augment_shift=0,
                                     augment_rotation=0, random_state=0)
    ae, tsne, km = (step for _, step in pipe.steps)
    assert isinstance(tsne, TSNETransformer) and tsne.random_state == 0
    assert ae.net_params is None and (ae.augment_shift, ae.augment_rotation) == (0, 0)
    pipe.set_params(tsne__perplexity=5)
    assert clustering_accuracy_score(y, pipe.fit_predict(X)) == 1.0
    assert pipe.named_steps["ae"].net_.augmentation is None


def test_recommended_pipeline_with_hog_features(rgb_images):
    X, y = rgb_images
    X = np.concatenate([X, X], axis=1)  # 32x16 images
    pipe = make_recommended_pipeline(2, features="hog", manifold="tsne", random_state=0)
    assert [name for name, _ in pipe.steps] == ["hog", "tsne", "cluster"]
    hog = pipe.named_steps["hog"]
    assert isinstance(hog, HOGFeatures) and hog.get_params() == HOGFeatures().get_params()
    pipe.set_params(tsne__perplexity=5)
    labels = pipe.fit_predict(X)
    assert labels.shape == (40,) and set(labels) == {0, 1}
    assert pipe.named_steps["hog"].feature_shape_ == (14, 6, 3, 3, 9)  # 32x16, 2-pixel cells
    if importlib.util.find_spec("umap"):
        assert make_recommended_pipeline(2, features="hog").steps[1][0] == "umap"


def test_recommended_pipeline_bad_manifold_and_missing_umap(monkeypatch):
    with pytest.raises(ValueError, match="manifold must be 'umap' or 'tsne'; got 'pca'"):
        make_recommended_pipeline(2, manifold="pca")
    with pytest.raises(ValueError, match="features must be 'autoencoder', 'hog', 'contrastive' "
                       "or 'auto'; got 'sift'"):
        make_recommended_pipeline(2, features="sift")
    monkeypatch.setitem(sys.modules, "umap", None)  # import umap now fails
    with pytest.raises(ImportError, match=r"needs umap-learn: pip install 'sk-aecluster\[umap\]'"):
        make_recommended_pipeline(2)
    assert make_recommended_pipeline(2, manifold="tsne").steps[1][0] == "tsne"


@pytest.mark.parametrize("ae, reducer, cls, red_cls, n", [
    ("ae1", "pca", AE1Encoder, PCA, 32),
    ("ae2", "tsne", AE2Encoder, TSNETransformer, 2),
])
def test_study_pipelines(ae, reducer, cls, red_cls, n):
    pipe = make_study_pipeline(3, autoencoder=ae, reducer=reducer, random_state=1,
                               pad_images=True)
    assert isinstance(pipe.steps[0][1], cls) and pipe.steps[0][1].pad_images
    red = pipe.steps[1][1]
    assert isinstance(red, red_cls)
    assert (red.n_components) == n
    assert pipe.steps[2][1].n_clusters == 3


def test_study_pipeline_bad_reducer():
    with pytest.raises(ValueError, match="reducer must be 'pca' or 'tsne'"):
        make_study_pipeline(reducer="umap")
    with pytest.raises(ValueError, match="autoencoder must be 'ae1' or 'ae2'"):
        make_study_pipeline(autoencoder="ae3")


def test_hog_recipe_takes_the_hellinger_distance_as_documented(rgb_images):
    """The user guide's option for grey images: UMAP's metric set on the recipe."""
    pytest.importorskip("umap")
    X, y = rgb_images
    pipe = make_recommended_pipeline(2, features="hog", random_state=0)
    pipe.set_params(umap__metric="hellinger", umap__n_neighbors=5)
    labels = pipe.fit_predict(X)
    assert pipe.named_steps["umap"].metric == "hellinger"
    assert labels.shape == (40,) and set(labels) == {0, 1}


TINY_CONTRASTIVE = {"width": 4, "depth": 2, "projection_dim": 8}


def test_recommended_pipeline_with_contrastive_features(rgb_images):
    umap = pytest.importorskip("umap")
    X, y = rgb_images
    pipe = make_recommended_pipeline(2, features="contrastive", random_state=0)
    enc, emb, km = (step for _, step in pipe.steps)
    assert [name for name, _ in pipe.steps] == ["contrastive", "umap", "cluster"]
    assert isinstance(enc, ContrastiveEncoder)
    defaults = ContrastiveEncoder().get_params()
    params = enc.get_params()
    # the recipe sets the training arguments and leaves the rest at the encoder's defaults
    assert (params["max_epochs"], params["lr"], params["batch_size"]) == (30, 1e-3, 256)
    assert {key: value for key, value in params.items()
            if key not in ("max_epochs", "lr", "batch_size", "random_state")} == {
        key: value for key, value in defaults.items()
        if key not in ("max_epochs", "lr", "batch_size", "random_state")}
    assert isinstance(emb, umap.UMAP) and (emb.n_components, emb.min_dist) == (2, 0.0)
    assert enc.random_state == emb.random_state == km.random_state == 0
    tiny = make_recommended_pipeline(2, features="contrastive", max_epochs=1, batch_size=16,
                                     lr=3e-3, features_params=TINY_CONTRASTIVE, random_state=0)
    tiny.set_params(umap__n_neighbors=5)
    labels = tiny.fit_predict(X)
    assert labels.shape == (40,) and set(labels) == {0, 1}
    fitted = tiny.named_steps["contrastive"]
    assert (fitted.max_epochs, fitted.batch_size, fitted.lr, fitted.width) == (1, 16, 3e-3, 4)
    assert fitted.n_epochs_ == 1 and fitted.transform(X).shape == (40, 8)


def test_contrastive_recipe_on_grey_digits_with_tsne(digits):
    X, _ = digits
    pipe = make_recommended_pipeline(
        3, features="contrastive", manifold="tsne", max_epochs=1, batch_size=64,
        features_params={**TINY_CONTRASTIVE, "flip": False}, device="cpu", random_state=0)
    pipe.set_params(tsne__perplexity=5)
    labels = pipe.fit_predict(X[:60])
    assert labels.shape == (60,) and set(labels) == {0, 1, 2}
    enc = pipe.named_steps["contrastive"]
    assert enc.flip is False and enc.input_format_.network_shape == (1, 8, 8)


def test_features_params_reach_the_first_step():
    ae = make_recommended_pipeline(2, manifold="tsne", features_params={
        "hidden_units": (50, 20), "activation": "relu", "augment_shift": 0}).steps[0][1]
    assert (ae.hidden_units, ae.activation, ae.augment_shift, ae.max_epochs, ae.lr) == (
        (50, 20), "relu", 0, 250, 1e-3)
    hog = make_recommended_pipeline(2, features="hog", manifold="tsne",
                                    features_params={"n_bins": 6}).steps[0][1]
    assert hog.n_bins == 6
    enc = make_recommended_pipeline(2, features="contrastive", manifold="tsne", max_epochs=5,
                                    features_params={"max_epochs": 7}).steps[0][1]
    assert enc.max_epochs == 7  # features_params override the recipe's arguments
    params = {"flip": False}
    make_recommended_pipeline(2, features="contrastive", manifold="tsne", features_params=params)
    assert params == {"flip": False}
