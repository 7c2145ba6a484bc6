"""DEC and IDEC in pipelines and grid searches; each encoder pre-trained once."""

import numpy as np
from joblib import Memory
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sk_aecluster import (
    DEC,
    IDEC,
    AE1Encoder,
    DenseAutoEncoder,
    TransductiveSplit,
    clustering_accuracy_score,
    clustering_accuracy_scorer,
)

AE = dict(hidden_units=(16,), latent_dim=4, max_epochs=2, batch_size=32, random_state=0)
FAST = dict(update_interval=4, max_iter=8, batch_size=32, random_state=0)


def test_last_step_of_a_pipeline(digits):
    X, y = digits
    pipe = Pipeline([("scale", FunctionTransformer(lambda a: a / 16.0)),
                     ("idec", IDEC(10, encoder=DenseAutoEncoder(**AE), **FAST))])
    labels = pipe.fit_predict(X)
    np.testing.assert_array_equal(labels, pipe.named_steps["idec"].labels_)
    np.testing.assert_array_equal(pipe.predict(X), labels)
    assert pipe.predict_proba(X[:5]).shape == (5, 10)
    assert clustering_accuracy_score(y, labels) > 0.3


def test_set_output_pandas(digits):
    X, _ = digits
    dec = DEC(3, encoder=DenseAutoEncoder(**AE), **FAST).set_output(transform="pandas")
    Z = dec.fit(X).transform(X)
    assert list(Z.columns) == ["dec0", "dec1", "dec2", "dec3"]


def test_grid_over_dec_parameters_pretrains_the_encoder_once(digits, fit_calls, tmp_path):
    X, y = digits
    idec = IDEC(10, encoder=DenseAutoEncoder(**AE), memory=str(tmp_path), **FAST)
    grid = GridSearchCV(idec, {"gamma": [0.05, 0.1, 0.5], "alpha": [1.0, 2.0]},
                        scoring=clustering_accuracy_scorer, cv=TransductiveSplit()).fit(X, y)
    assert len(grid.cv_results_["params"]) == 6
    # six candidates and the refit, one distinct encoder: trained once
    assert fit_calls == ["DenseAutoEncoder"]
    assert 0.3 < grid.best_score_ <= 1.0
    best = grid.best_estimator_
    assert best.labels_.shape == (len(X),)


def test_distinct_encoders_are_each_pretrained_once(digits, fit_calls, tmp_path):
    X, y = digits
    dec = DEC(10, encoder=DenseAutoEncoder(**AE), memory=Memory(tmp_path, verbose=0), **FAST)
    GridSearchCV(dec, {"encoder__latent_dim": [3, 5], "update_interval": [2, 4]},
                 scoring=clustering_accuracy_scorer, cv=TransductiveSplit()).fit(X, y)
    assert sorted(fit_calls) == ["DenseAutoEncoder", "DenseAutoEncoder"]


def test_without_memory_each_candidate_pretrains(digits, fit_calls):
    X, y = digits
    dec = DEC(10, encoder=DenseAutoEncoder(**AE), **FAST)
    GridSearchCV(dec, {"alpha": [1.0, 2.0]}, scoring=clustering_accuracy_scorer,
                 cv=TransductiveSplit()).fit(X, y)
    assert len(fit_calls) == 3


def test_cached_pretraining_gives_the_uncached_result(digits, tmp_path):
    X, _ = digits
    plain = DEC(10, encoder=DenseAutoEncoder(**AE), **FAST).fit(X)
    first = DEC(10, encoder=DenseAutoEncoder(**AE), memory=str(tmp_path), **FAST).fit(X)
    second = DEC(10, encoder=DenseAutoEncoder(**AE), memory=str(tmp_path), **FAST).fit(X)
    for other in (first, second):
        np.testing.assert_array_equal(other.cluster_centers_, plain.cluster_centers_)
        np.testing.assert_array_equal(other.labels_, plain.labels_)


def test_conv_encoder_on_images(rgb_images):
    X, y = rgb_images
    idec = IDEC(2, encoder=AE1Encoder(latent_channels=2, max_epochs=2, random_state=0),
                update_interval=2, max_iter=6, batch_size=8, random_state=0).fit(X)
    assert idec.transform(X).shape == (40, 2 * 8 * 8)
    assert clustering_accuracy_score(y, idec.labels_) == 1.0
    assert idec.encoder_.reconstruct(X).shape == X.shape
