"""The pipelines and grid searches of the study, end to end on small data."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from sk_aecluster import (
    AE1Encoder,
    AE2Encoder,
    AutoEncoderNet,
    TransductiveSplit,
    TSNETransformer,
    clustering_accuracy_score,
    clustering_accuracy_scorer,
)

AE = dict(max_epochs=2, batch_size=16, random_state=0)
TSNE = dict(n_iter=100, early_exaggeration_iter=50, perplexity=5, random_state=0)


def pca_pipe(ae=None):
    return Pipeline([
        ("ae", ae or AE2Encoder(latent_channels=8, **AE)),
        ("pca", PCA(4, random_state=0)),
        ("km", KMeans(2, n_init=5, random_state=0)),
    ])


def tsne_pipe(ae=None):
    return Pipeline([
        ("ae", ae or AE1Encoder(**AE)),
        ("tsne", TSNETransformer(**TSNE)),
        ("km", KMeans(2, n_init=5, random_state=0)),
    ])


@pytest.mark.parametrize("make", [pca_pipe, tsne_pipe])
def test_fit_predict_and_predict_new(make, rgb_images):
    X, y = rgb_images
    pipe = make()
    labels = pipe.fit_predict(X)
    assert labels.shape == (40,)
    assert clustering_accuracy_score(y, labels) == 1.0  # dark vs bright images
    # the training images are labelled as in fit_predict
    assert np.array_equal(pipe.predict(X), labels)
    # inductive use: images not seen in fit
    rng = np.random.RandomState(5)
    new = np.concatenate([rng.randint(0, 100, (3, 16, 16, 3)),
                          rng.randint(150, 256, (3, 16, 16, 3))]).astype(np.uint8)
    pred = pipe.predict(new)
    assert clustering_accuracy_score([0, 0, 0, 1, 1, 1], pred) == 1.0


@pytest.mark.parametrize("make, grid_key, values", [
    (pca_pipe, "pca__n_components", [2, 4]),
    (tsne_pipe, "tsne__perplexity", [5, 8]),
])
def test_grid_search_over_encoders_and_reduction(make, grid_key, values, rgb_images):
    X, y = rgb_images
    grid = GridSearchCV(
        make(),
        {"ae": [AE1Encoder(**AE), AE2Encoder(latent_channels=8, **AE)], grid_key: values},
        scoring=clustering_accuracy_scorer,
        cv=TransductiveSplit(),
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ == 1.0
    assert grid.predict(X).shape == (40,)


def test_grid_over_latent_size_with_kfold(rgb_images):
    X, y = rgb_images
    grid = GridSearchCV(
        pca_pipe(),
        {"ae__latent_channels": [4, 8]},
        scoring=clustering_accuracy_scorer,
        cv=KFold(2, shuffle=True, random_state=0),
    ).fit(X, y)
    assert grid.cv_results_["param_ae__latent_channels"].tolist() == [4, 8]
    assert grid.best_score_ == 1.0


def test_labels_never_reach_the_loss(rgb_images, monkeypatch):
    """GridSearchCV passes y to every step; the autoencoder must not use it."""
    X, y = rgb_images
    seen = []
    original = AutoEncoderNet.get_loss

    def spy(self, y_pred, y_true, X=None, training=False):
        seen.append((y_true, X))
        return original(self, y_pred, y_true, X=X, training=training)

    monkeypatch.setattr(AutoEncoderNet, "get_loss", spy)
    GridSearchCV(pca_pipe(), {"pca__n_components": [2]}, scoring=clustering_accuracy_scorer,
                 cv=TransductiveSplit()).fit(X, y)
    assert seen
    for y_true, Xb in seen:
        # the "target" handed to skorch is the input batch itself, never labels
        assert y_true.shape == Xb.shape and np.array_equal(y_true, Xb)
