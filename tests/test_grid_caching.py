"""Grid searches whose candidates differ only after the encoder train it once."""

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sk_aecluster import AE1Encoder, AE2Encoder, TransductiveSplit, clustering_accuracy_scorer

AE = dict(max_epochs=1, batch_size=16, random_state=0)


def test_each_distinct_encoder_is_trained_once(fit_calls, tmp_path, rgb_images):
    X, y = rgb_images
    pipe = Pipeline(
        [("ae", AE1Encoder(**AE)), ("pca", PCA(2)), ("km", KMeans(2, n_init=2, random_state=0))],
        memory=str(tmp_path),
    )
    grid = GridSearchCV(
        pipe,
        {
            "ae": [AE1Encoder(**AE), AE2Encoder(latent_channels=4, **AE)],
            "pca__n_components": [2, 3, 4],
            "km__n_clusters": [2, 3],
        },
        scoring=clustering_accuracy_scorer,
        cv=TransductiveSplit(),
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 12
    # 12 candidates and the final refit, but only two distinct encoders
    assert sorted(fit_calls) == ["AE1Encoder", "AE2Encoder"]
    assert grid.best_score_ == 1.0


def test_cached_results_equal_uncached(tmp_path, rgb_images):
    X, _ = rgb_images

    def make(memory):
        return Pipeline([("ae", AE1Encoder(**AE)), ("pca", PCA(3, random_state=0))],
                        memory=memory)

    plain = make(None).fit_transform(X)
    first = make(str(tmp_path)).fit_transform(X)
    second = make(str(tmp_path)).fit_transform(X)  # served from the cache
    assert np.allclose(plain, first) and np.array_equal(first, second)
