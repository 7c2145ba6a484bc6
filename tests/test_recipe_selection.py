"""Choosing the recipe and the number of clusters without labels."""

import re
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_aecluster import (
    DenseAutoEncoder,
    StabilityRecipeSelector,
    clustering_accuracy_score,
    make_recommended_pipeline,
    select_n_clusters,
)

CENTRES = [[0, 0], [0, 10], [10, 0], [10, 10]]


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(400, centers=CENTRES, random_state=0)


def _noise(Z):
    return np.random.RandomState(0).rand(len(Z), 20)


def candidates():
    """A right pipeline and a broken one whose features ignore the samples."""
    return {
        "scaled": Pipeline([("scale", StandardScaler()), ("km", KMeans(n_init=1))]),
        "noise": Pipeline([("noise", FunctionTransformer(_noise)), ("km", KMeans(n_init=1))]),
    }


class Broken(ClusterMixin, BaseEstimator):
    def __init__(self, n_clusters=2):
        self.n_clusters = n_clusters

    def fit(self, X, y=None):
        raise RuntimeError("this candidate cannot fit")


def test_selector_keeps_the_right_candidate_and_acts_as_its_clusterer(blobs):
    X, y = blobs
    sel = StabilityRecipeSelector(4, candidates=candidates(), random_state=0).fit(X)
    assert sel.best_name_ == "scaled" and sel.best_estimator_ is sel.estimators_["scaled"]
    assert set(sel.scores_) == {"scaled", "noise"} == set(sel.fit_times_) == set(
        sel.score_times_)
    assert sel.scores_["scaled"] > 0.95 > sel.scores_["noise"] + 0.3
    assert sel.best_score_ == sel.scores_["scaled"] and sel.n_clusters_ == 4
    assert sel.best_estimator_.named_steps["km"].n_clusters == 4
    assert clustering_accuracy_score(y, sel.labels_) == 1.0
    assert np.array_equal(sel.predict(X), sel.labels_)
    refit = StabilityRecipeSelector(4, candidates=candidates(), random_state=0)
    assert np.array_equal(refit.fit_predict(X), sel.labels_)
    assert refit.scores_ == sel.scores_  # reproducible for one random_state


def test_selector_chooses_the_number_of_clusters_per_candidate(blobs):
    X, y = blobs
    sel = StabilityRecipeSelector("auto", candidates=candidates(), n_clusters_range=range(2, 8),
                                  random_state=0).fit(X)
    assert sel.best_name_ == "scaled" and sel.n_clusters_ == 4
    by_k = sel.n_clusters_scores_["scaled"]
    assert list(by_k) == list(range(2, 8)) and max(by_k, key=by_k.get) == 4
    assert sel.scores_["scaled"] == by_k[4]
    assert sel.best_estimator_.named_steps["km"].n_clusters == 4
    assert clustering_accuracy_score(y, sel.labels_) == 1.0
    assert np.array_equal(sel.predict(X), sel.labels_)


def test_parallel_scoring_chooses_the_same(blobs):
    X, _ = blobs
    one = StabilityRecipeSelector("auto", candidates=candidates(), n_clusters_range=range(2, 6),
                                  random_state=0).fit(X)
    two = StabilityRecipeSelector("auto", candidates=candidates(), n_clusters_range=range(2, 6),
                                  n_jobs=2, random_state=0).fit(X)
    assert two.n_clusters_scores_ == one.n_clusters_scores_ and two.scores_ == one.scores_
    assert np.array_equal(two.labels_, one.labels_)
    est = Pipeline([("scale", StandardScaler()), ("km", KMeans(n_init=1))])
    assert (select_n_clusters(est, X, range(2, 6), n_jobs=2, random_state=0)
            == select_n_clusters(est, X, range(2, 6), random_state=0))
    sel = make_recommended_pipeline(4, features="auto", manifold="tsne", n_jobs=2)
    assert sel.n_jobs == 2 and sel.recipe_params["n_jobs"] == 2


def test_accept_score_keeps_the_first_good_enough_candidate(blobs, capsys):
    X, y = blobs
    noise_first = {"noise": candidates()["noise"], "scaled": candidates()["scaled"]}
    sel = StabilityRecipeSelector(4, candidates=noise_first, accept_score=0.9, verbose=1,
                                  random_state=0).fit(X)
    # the noise is not good enough: the next candidate is tried and kept
    assert list(sel.scores_) == ["noise", "scaled"] and sel.best_name_ == "scaled"
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[StabilityRecipeSelector] fitting and scoring noise (1 of 2)"
    assert lines[1].startswith("[StabilityRecipeSelector] noise: stability ")
    assert not lines[1].endswith("kept")
    assert lines[3].endswith(", at least 0.9: kept") and len(lines) == 4
    full = StabilityRecipeSelector(4, candidates=candidates(), random_state=0).fit(X)
    sel = StabilityRecipeSelector(4, candidates=candidates(), accept_score=0.9,
                                  random_state=0).fit(X)
    # the first is good enough: the rest is neither fitted nor scored
    assert list(sel.scores_) == ["scaled"] == list(sel.estimators_) == list(sel.fit_times_)
    assert sel.scores_["scaled"] == full.scores_["scaled"] >= 0.9
    assert np.array_equal(sel.labels_, full.labels_)
    assert capsys.readouterr().out == ""  # verbose=0
    # none good enough: the best of all
    sel = StabilityRecipeSelector(4, candidates=noise_first, accept_score=1.0,
                                  random_state=0).fit(X)
    assert sel.best_name_ == "scaled" and set(sel.scores_) == {"noise", "scaled"}


def test_verbose_2_reports_each_candidates_steps_once(blobs, capsys):
    X, _ = blobs
    sel = StabilityRecipeSelector(4, candidates=candidates(), verbose=2, n_repeats=3,
                                  random_state=0).fit(X)
    out = capsys.readouterr().out
    # the fit on all samples reports its steps; the three refits of the score do not
    assert out.count("Processing scale") == 1 and out.count("Processing km") == 2
    assert sel.estimators_["scaled"].verbose is False  # set back after the fit


def test_failed_candidates_score_error_score(blobs):
    X, _ = blobs
    cands = {"broken": Broken(), **candidates()}
    with pytest.warns(FitFailedWarning, match=re.escape(
            "Candidate 'broken' failed and scores nan: RuntimeError: this candidate cannot fit")):
        sel = StabilityRecipeSelector(4, candidates=cands, random_state=0).fit(X)
    assert np.isnan(sel.scores_["broken"]) and "broken" not in sel.estimators_
    assert sel.best_name_ == "scaled"
    with pytest.raises(RuntimeError, match="this candidate cannot fit"):
        StabilityRecipeSelector(4, candidates=cands, error_score="raise").fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        with pytest.raises(ValueError, match=re.escape(
                "Every candidate failed to fit or score: {'broken': nan}; the first error: "
                "RuntimeError: this candidate cannot fit")):
            StabilityRecipeSelector(4, candidates=[("broken", Broken())]).fit(X)


def test_named_recipes_train_each_encoder_once(fit_calls):
    from sk_aecluster.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    X, y = X[:240], y[:240]
    calls = fit_calls
    params = dict(manifold="tsne", max_epochs=2, batch_size=64,
                  features_params={"autoencoder": {"hidden_units": (32,)}})
    sel = StabilityRecipeSelector(5, candidates=("autoencoder", "hog"), recipe_params=params,
                                  n_repeats=2, random_state=0).fit(X)
    assert calls == ["DenseAutoEncoder"]  # one training, shared by both repeats
    assert set(sel.scores_) == {"autoencoder", "hog"}
    assert sel.best_name_ in sel.scores_ and -1 <= sel.best_score_ <= 1
    assert sel.estimators_["hog"].steps[0][0] == "hog"
    assert sel.estimators_["autoencoder"].named_steps["ae"].hidden_units == (32,)
    assert sel.labels_.shape == (240,) and len(np.unique(sel.labels_)) == 5


def test_make_recommended_pipeline_auto():
    sel = make_recommended_pipeline(10, features="auto", manifold="tsne", max_epochs=3,
                                    features_params={"contrastive": {"flip": False}},
                                    random_state=1)
    assert isinstance(sel, StabilityRecipeSelector)
    assert sel.candidates == ("autoencoder", "hog", "contrastive") and sel.n_clusters == 10
    assert sel.random_state == 1 and sel.recipe_params["max_epochs"] == 3
    contrastive = sel._build("contrastive", 7, 10)
    assert contrastive.named_steps["contrastive"].flip is False
    assert contrastive.named_steps["contrastive"].random_state == 1
    assert sel._build("hog", 7, 10).named_steps["cluster"].n_clusters == 10
    one = make_recommended_pipeline("auto", features="hog", manifold="tsne",
                                    features_params={"cell_size": 4})
    assert one.candidates == ("hog",) and one.n_clusters == "auto"
    assert one._build("hog", 7, 3).named_steps["hog"].cell_size == 4
    assert make_recommended_pipeline(3, features="hog", manifold="tsne").steps[0][0] == "hog"


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(n_clusters=0), ValueError, "n_clusters must be a positive integer or 'auto'; got 0."),
    (dict(n_clusters="many"), ValueError, "n_clusters must be a positive integer or 'auto'"),
    (dict(candidates="hog"), ValueError, "candidates must be recipe names ('autoencoder', "
                                         "'hog', 'contrastive'), (name, estimator) pairs"),
    (dict(candidates=[]), ValueError, "with distinct names; got []."),
    (dict(candidates=["hog", "hog"]), ValueError, "with distinct names; got ['hog', 'hog']."),
    (dict(candidates=["sift"]), ValueError, "Unknown recipe 'sift'; the recipes are "
                                            "('autoencoder', 'hog', 'contrastive')."),
    (dict(candidates={"obj": object()}), TypeError, "needs a clusterer"),
    (dict(error_score="ignore"), ValueError, "error_score must be 'raise' or a number; got "
                                             "'ignore'."),
    (dict(n_repeats=1), ValueError, "n_repeats must be an integer of at least 2"),
    (dict(accept_score=1.5), ValueError, "accept_score must be None or a number of at most 1 "
                                         "(the best score); got 1.5."),
    (dict(accept_score="high"), ValueError, "accept_score must be None or a number"),
    (dict(accept_score=True), ValueError, "accept_score must be None or a number"),
    (dict(verbose=-1), ValueError, "verbose must be a non-negative integer; got -1."),
    (dict(n_clusters="auto", n_clusters_range=[1, 2]), ValueError,
     "candidates must be distinct integers of at least 2 (one cluster has no stability to "
     "measure); got [1, 2]."),
])
def test_selector_bad_parameters(blobs, kwargs, error, message):
    X, _ = blobs
    kwargs = {"candidates": candidates(), **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        StabilityRecipeSelector(**kwargs).fit(X)


def test_selector_predict_before_fit():
    with pytest.raises(NotFittedError):
        StabilityRecipeSelector(2).predict(np.zeros((3, 2)))


def test_select_n_clusters_on_blobs(blobs):
    X, _ = blobs
    k, scores = select_n_clusters(KMeans(n_init=1), X, range(2, 7), random_state=0)
    assert k == 4 and list(scores) == list(range(2, 7))
    assert all(scores[4] > scores[j] + 0.1 for j in scores if j != 4)
    pipe = Pipeline([("scale", StandardScaler()), ("km", KMeans(n_init=1))])
    assert select_n_clusters(pipe, X, [3, 4, 5], random_state=0) == select_n_clusters(
        pipe, X, [3, 4, 5], random_state=0)
    assert select_n_clusters(pipe, X, [3, 4, 5], metric="ari", random_state=0)[0] == 4
    # a parameter named explicitly
    gmm = Pipeline([("scale", StandardScaler()), ("gm", GaussianMixture(random_state=0))])
    assert select_n_clusters(gmm, X, [2, 4, 6], param="gm__n_components",
                             random_state=0)[0] == 4


def test_select_n_clusters_trains_the_encoder_once(fit_calls, digits):
    X, _ = digits
    calls = fit_calls
    pipe = Pipeline([("ae", DenseAutoEncoder(hidden_units=(16,), latent_dim=4, max_epochs=2,
                                             random_state=0)), ("km", KMeans(n_init=1))])
    k, scores = select_n_clusters(pipe, X, [2, 3, 4, 5], n_repeats=3, random_state=0)
    assert calls == ["DenseAutoEncoder"] and k in scores and len(scores) == 4


@pytest.mark.parametrize("estimator, kwargs, message", [
    (Pipeline([("gm", GaussianMixture())]), {},
     "Pipeline has no n_clusters parameters; pass the one to choose as param= (e.g. "
     "param='cluster__n_clusters')."),
    (Pipeline([("a", KMeans()), ("b", KMeans())]), {},
     "Pipeline has several (a__n_clusters, b__n_clusters) n_clusters parameters"),
    (KMeans(), dict(param="k"), "KMeans has no parameter 'k'; pass the name of its number of "
                                "clusters as param=."),
    (KMeans(), dict(candidates=[1, 2]), "candidates must be distinct integers of at least 2"),
    (KMeans(), dict(candidates=[3, 3]), "got [3, 3]."),
    (KMeans(), dict(candidates=5), "got 5."),
    (KMeans(), dict(subsample=2), "subsample must be a fraction in (0, 1]; got 2."),
])
def test_select_n_clusters_bad_arguments(blobs, estimator, kwargs, message):
    X, _ = blobs
    with pytest.raises(ValueError, match=re.escape(message)):
        select_n_clusters(estimator, X, **kwargs)


@parametrize_with_checks([StabilityRecipeSelector(3, candidates=[
    ("km", KMeans(n_init=1)),
    ("scaled", Pipeline([("s", StandardScaler()), ("km", KMeans(n_init=1))]))],
    n_repeats=2, random_state=0)])
def test_selector_passes_sklearn_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)  # the checks' bad inputs
        check(estimator)
