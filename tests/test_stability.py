"""The stability score: label-free, chance-corrected, cheap on encoder pipelines."""

import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_aecluster import (
    DenseAutoEncoder,
    TransductiveSplit,
    clustering_stability_score,
    clustering_stability_scorer,
    make_stability_scorer,
)
from sk_aecluster.metrics._stability import _matching_accuracy

CENTRES = [[0, 0], [0, 10], [10, 0], [10, 10]]


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(400, centers=CENTRES, cluster_std=1.0, random_state=0)
    return X, y


class NoisyKMeans(ClusterMixin, BaseEstimator):
    """KMeans whose labels are redrawn at random on a fraction ``noise`` of samples."""

    def __init__(self, n_clusters=4, noise=0.0, names=None, random_state=None):
        self.n_clusters = n_clusters
        self.noise = noise
        self.names = names
        self.random_state = random_state

    def fit(self, X, y=None):
        rng = np.random.RandomState(self.random_state)
        labels = KMeans(self.n_clusters, n_init=1, random_state=self.random_state).fit_predict(X)
        redraw = rng.rand(len(X)) < self.noise
        labels[redraw] = rng.randint(self.n_clusters, size=redraw.sum())
        if self.names is not None:  # rename the clusters, differently on every seed
            labels = np.asarray(self.names)[rng.permutation(self.n_clusters)][labels]
        self.labels_ = labels
        return self


class GiantCluster(ClusterMixin, BaseEstimator):
    """Everything in cluster 0 but 3% of the samples, drawn at random per seed."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y=None):
        rng = np.random.RandomState(self.random_state)
        self.labels_ = np.where(rng.rand(len(X)) < 0.03, rng.randint(1, 4, len(X)), 0)
        return self


class LabelsOnly(BaseEstimator):
    """Has fit but sets no labels."""

    def fit(self, X, y=None):
        return self


@pytest.mark.parametrize("metric", ["matching", "ari"])
def test_clean_clustering_scores_above_noisy_and_shuffled(blobs, metric):
    X, _ = blobs
    clean = clustering_stability_score(KMeans(4, n_init=1), X, metric=metric, random_state=0)
    noisy = clustering_stability_score(NoisyKMeans(noise=0.3), X, metric=metric, random_state=0)
    shuffled = clustering_stability_score(NoisyKMeans(noise=1.0), X, metric=metric,
                                          random_state=0)
    assert clean > 0.95
    assert clean > noisy + 0.2 > shuffled + 0.2
    assert abs(shuffled) < 0.05  # random labels agree by chance only
    # structureless data (a round cloud): k-means splits it where the seed says
    disc = np.random.RandomState(0).normal(size=(400, 2))
    assert clustering_stability_score(KMeans(4, n_init=1), disc, metric=metric,
                                      random_state=0) < clean - 0.2


def test_symmetric_in_label_names(blobs):
    X, _ = blobs
    for noise in (0.0, 0.3):
        plain = clustering_stability_score(NoisyKMeans(noise=noise), X, random_state=1)
        renamed = clustering_stability_score(
            NoisyKMeans(noise=noise, names=["d", "a", "c", "b"]), X, random_state=1)
        assert renamed == pytest.approx(plain, abs=1e-12)


def test_reproducible_for_one_random_state(blobs):
    X, _ = blobs
    est = NoisyKMeans(noise=0.3)
    first = clustering_stability_score(est, X, random_state=3)
    assert clustering_stability_score(est, X, random_state=3) == first
    assert clustering_stability_score(est, X, random_state=4) != first
    rng_scores = [clustering_stability_score(est, X, random_state=np.random.RandomState(5))
                  for _ in range(2)]
    assert rng_scores[0] == rng_scores[1]


def test_parallel_refits_give_the_same_score(blobs):
    X, _ = blobs
    est = Pipeline([("scale", StandardScaler()), ("km", NoisyKMeans(noise=0.3))])
    one = clustering_stability_score(est, X, random_state=3)
    assert clustering_stability_score(est, X, n_jobs=2, random_state=3) == one
    assert make_stability_scorer(n_jobs=2, random_state=3)(est, X) == one


@pytest.mark.parametrize("metric", ["matching", "ari"])
def test_one_giant_cluster_is_not_rewarded(blobs, metric):
    X, _ = blobs
    a = GiantCluster(random_state=0).fit(X).labels_
    b = GiantCluster(random_state=1).fit(X).labels_
    assert _matching_accuracy(a, b) > 0.9  # raw agreement looks excellent
    giant = clustering_stability_score(GiantCluster(), X, metric=metric, random_state=0)
    assert abs(giant) < 0.1
    assert clustering_stability_score(KMeans(4, n_init=1), X, metric=metric,
                                      random_state=0) > giant + 0.8
    # a single cluster is as stable as can be, and scores 0
    assert clustering_stability_score(KMeans(1, n_init=1), X, metric=metric,
                                      random_state=0) == 0.0


def test_grid_search_without_labels_picks_the_right_k(blobs):
    X, _ = blobs
    pipe = Pipeline([("scale", StandardScaler()), ("km", KMeans(n_init=1, random_state=0))])
    grid = GridSearchCV(pipe, {"km__n_clusters": [2, 3, 4, 5, 6]},
                        scoring=clustering_stability_scorer, cv=TransductiveSplit()).fit(X)
    assert grid.best_params_ == {"km__n_clusters": 4}
    assert grid.best_score_ > 0.95
    scores = grid.cv_results_["mean_test_score"]
    assert np.all(scores[[0, 1, 3, 4]] < grid.best_score_ - 0.1)
    assert grid.predict(X).shape == (400,)


AE = dict(hidden_units=(16,), latent_dim=4, max_epochs=2, batch_size=64, random_state=0)


def encoder_pipeline(memory=None):
    return Pipeline([("ae", DenseAutoEncoder(**AE)), ("pca", PCA(2)),
                     ("km", KMeans(3, n_init=1))], memory=memory)


def test_the_encoder_is_trained_once_for_all_repeats(fit_calls, digits):
    X, _ = digits
    calls = fit_calls
    score = clustering_stability_score(encoder_pipeline(), X, n_repeats=4, random_state=0)
    assert calls == ["DenseAutoEncoder"] and 0 < score <= 1
    # a fitted pipeline's encoder is used as it is: no training at all
    fitted = encoder_pipeline().fit(X)
    calls.clear()
    again = clustering_stability_score(fitted, X, n_repeats=4, random_state=0)
    assert calls == [] and again == pytest.approx(score)
    # shared_steps=0 retrains it on every repeat
    clustering_stability_score(encoder_pipeline(), X, n_repeats=3, shared_steps=0,
                               random_state=0)
    assert calls == ["DenseAutoEncoder"] * 3


def test_grid_over_steps_after_the_encoder_trains_it_once(fit_calls, tmp_path, digits):
    X, _ = digits
    calls = fit_calls
    grid = GridSearchCV(encoder_pipeline(memory=str(tmp_path)),
                        {"km__n_clusters": [2, 3, 4], "pca__n_components": [2, 3]},
                        scoring=make_stability_scorer(n_repeats=3),
                        cv=TransductiveSplit()).fit(X)
    # 6 candidates, 3 repeats each, and the refit: one network trained
    assert len(grid.cv_results_["params"]) == 6
    assert calls == ["DenseAutoEncoder"]
    # an unfitted pipeline with a memory fits its encoder through the cache
    calls.clear()
    clustering_stability_score(encoder_pipeline(memory=str(tmp_path)), X, n_repeats=2,
                               random_state=0)
    assert calls == []


def test_shared_steps_are_chosen_by_kind():
    from sk_aecluster.metrics._stability import n_shared_steps

    assert n_shared_steps(encoder_pipeline()) == 1
    assert n_shared_steps(Pipeline([("scale", StandardScaler()), ("km", KMeans())])) == 0
    assert n_shared_steps(KMeans()) == 0
    assert n_shared_steps(encoder_pipeline(), 2) == 2


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_repeats=1), "n_repeats must be an integer of at least 2 (the score compares "
                        "refits); got 1."),
    (dict(n_repeats=2.5), "n_repeats must be an integer of at least 2"),
    (dict(n_repeats=True), "n_repeats must be an integer of at least 2"),
    (dict(subsample=0), "subsample must be a fraction in (0, 1]; got 0."),
    (dict(subsample=1.5), "subsample must be a fraction in (0, 1]; got 1.5."),
    (dict(subsample="half"), "subsample must be a fraction in (0, 1]; got 'half'."),
    (dict(metric="nmi"), "metric must be 'matching' or 'ari'; got 'nmi'."),
    (dict(subsample=0.001), "subsample=0.001 of 400 samples keeps 0; the score needs at "
                            "least 2 samples per repeat."),
])
def test_bad_arguments(blobs, kwargs, message):
    X, _ = blobs
    with pytest.raises(ValueError, match=re.escape(message)):
        clustering_stability_score(KMeans(4, n_init=1), X, **kwargs)


def test_bad_shared_steps(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match=re.escape(
            "shared_steps must be 'auto' or an integer in [0, 2] (the final step is always "
            "refitted); got 3.")):
        clustering_stability_score(encoder_pipeline(), X, shared_steps=3)
    with pytest.raises(ValueError, match=re.escape("shared_steps=1 needs a Pipeline; got a "
                                                   "KMeans.")):
        clustering_stability_score(KMeans(4), X, shared_steps=1)


def test_not_a_clusterer(blobs):
    X, _ = blobs
    with pytest.raises(TypeError, match=re.escape(
            "clustering_stability_score needs a clusterer with fit_predict (or fit and "
            "labels_); got object.")):
        clustering_stability_score(object(), X)
    with pytest.raises(TypeError, match=re.escape(
            "needs a clusterer: LabelsOnly has no fit_predict and sets no labels_ in fit.")):
        clustering_stability_score(LabelsOnly(), X)
    with pytest.raises(ValueError, match=re.escape("n_repeats must be an integer")):
        make_stability_scorer(n_repeats=0)


def test_scorer_ignores_y_and_repeats_the_score(blobs):
    X, y = blobs
    km = KMeans(4, n_init=1).fit(X)
    assert clustering_stability_scorer(km, X, y) == clustering_stability_scorer(km, X) == (
        clustering_stability_score(km, X, random_state=0))
    assert "n_repeats=5" in repr(clustering_stability_scorer)
