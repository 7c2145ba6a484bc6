"""Choosing the recipe (and the number of clusters) by the stability score."""

import numbers
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.exceptions import FitFailedWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._training.input import check_samples
from ..metrics._stability import (
    check_clusterer,
    check_stability_params,
    clustering_stability_score,
    n_shared_steps,
    shared_codes,
)
from ._n_clusters import best_of, check_candidates, n_clusters_param, stability_by_n_clusters

_RECIPES = ("autoencoder", "hog", "contrastive")


def _named_candidates(candidates):
    """``candidates`` as a list of (name, recipe name or estimator) pairs."""
    if isinstance(candidates, dict):
        pairs = list(candidates.items())
    elif isinstance(candidates, (str, bytes)):
        pairs = None
    else:
        try:
            pairs = [(c, c) if isinstance(c, str) else tuple(c) for c in candidates]
        except TypeError:
            pairs = None
    if (not pairs or any(len(p) != 2 or not isinstance(p[0], str) for p in pairs)
            or len({p[0] for p in pairs}) != len(pairs)):
        raise ValueError(
            "candidates must be recipe names ('autoencoder', 'hog', 'contrastive'), "
            "(name, estimator) pairs or a dict of them, with distinct names; "
            f"got {candidates!r}."
        )
    for _, est in pairs:
        if isinstance(est, str):
            if est not in _RECIPES:
                raise ValueError(f"Unknown recipe {est!r}; the recipes are {_RECIPES}.")
        else:
            check_clusterer(est)
    return pairs


class StabilityRecipeSelector(ClusterMixin, BaseEstimator):
    """The clustering recipe that the data reproduce best, chosen without labels.

    ``fit`` fits every candidate (by default the three recipes of
    :func:`~sk_aecluster.make_recommended_pipeline`: autoencoder, HOG and
    contrastive features), scores each with
    :func:`~sk_aecluster.clustering_stability_score` on the same subsamples
    and seeds, and keeps the highest-scoring one, which then labels the
    samples (``labels_``, ``fit_predict``) and new ones (``predict``). With
    ``n_clusters="auto"`` each candidate's number of clusters is chosen the
    same way first (:func:`~sk_aecluster.select_n_clusters`, on the
    candidate's fitted encoder) and the candidates compete at their own best
    number.

    Candidates are fitted in the order given. With ``accept_score``, the
    first one whose score reaches it is kept at once and the later ones are
    neither fitted nor scored: list the likeliest or cheapest recipe first
    and selection costs one fit when it is stable enough (the command line's
    ``--recipe auto`` does this with the rule of
    :func:`~sk_aecluster.recommended_features` first).

    **Cost.** One fit per candidate, plus ``n_repeats`` fits of the steps
    after its encoder (``n_repeats`` per number tried with
    ``n_clusters="auto"``); no encoder is trained twice. ``fit_times_`` and
    ``score_times_`` record both. The score's limits apply: a recipe whose
    features separate the images stably by something other than their
    class wins anyway.

    Parameters
    ----------
    n_clusters : int or "auto", default=8
        Number of clusters of every candidate (set on an estimator
        candidate's ``n_clusters`` parameter), or ``"auto"``: chosen per
        candidate among ``n_clusters_range``.
    candidates : iterable, default=("autoencoder", "hog", "contrastive")
        Recipe names (built with :func:`~sk_aecluster.make_recommended_pipeline`),
        ``(name, estimator)`` pairs, or a dict of name to estimator or
        recipe name. Estimators are cloned; ``None`` seeds are set from
        ``random_state``.
    n_clusters_range : iterable of int or None, default=None
        The numbers tried with ``n_clusters="auto"``; ``None``: 2 to 12.
    recipe_params : dict or None, default=None
        Keyword arguments of :func:`~sk_aecluster.make_recommended_pipeline`
        for the named recipes (``manifold``, ``max_epochs``, ``device``, ...);
        its ``features_params``, if given, is a dict keyed by recipe name,
        e.g. ``{"contrastive": {"flip": False}}``.
    n_repeats, subsample, metric : see :func:`~sk_aecluster.clustering_stability_score`
    accept_score : float or None, default=None
        Keep the first candidate whose score is at least this, without
        fitting the rest; ``None``: fit and score every candidate and keep
        the best. When none reaches it, the best of all is kept.
    error_score : "raise" or float, default=np.nan
        The score of a candidate whose fit fails (with a
        :class:`~sklearn.exceptions.FitFailedWarning`), or ``"raise"``.
    n_jobs : int or None, default=None
        Number of the score's refits run in parallel (see
        :func:`~sk_aecluster.clustering_stability_score`); the candidates
        themselves are fitted one after the other. The choice does not
        depend on it.
    verbose : int, default=0
        ``1`` prints a line (on standard output) when a candidate's fit
        starts and when it is scored; ``2`` also sets ``verbose=True`` on
        each candidate (a :class:`~sklearn.pipeline.Pipeline` then reports
        its steps) for its fit on all samples, not for the scoring's refits.
    random_state : int, RandomState instance or None, default=None
        Seeds the recipes and the score; an int makes the choice and the
        labels reproducible.

    Attributes
    ----------
    best_name_ : str
        The chosen candidate.
    best_estimator_ : estimator
        The chosen candidate, fitted on all samples.
    best_score_ : float
        Its stability score.
    scores_ : dict of str to float
        Every tried candidate's score (``error_score`` for failed fits), in
        the order tried; with ``accept_score``, the untried ones are missing.
    n_clusters_ : int
        The chosen candidate's number of clusters.
    n_clusters_scores_ : dict of str to dict
        With ``n_clusters="auto"``: each candidate's score per number tried.
    estimators_ : dict of str to estimator
        Every fitted candidate (failed ones left out).
    fit_times_, score_times_ : dict of str to float
        Seconds spent fitting and scoring each candidate.
    labels_ : ndarray of shape (n_samples,)
        The chosen candidate's labels of the training samples.

    See Also
    --------
    clustering_stability_score : The score.
    select_n_clusters : Choosing the number of clusters of one estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sk_aecluster import StabilityRecipeSelector
    >>> X, _ = make_blobs(300, centers=[[0, 0], [0, 10], [10, 0]], random_state=0)
    >>> noise = FunctionTransformer(lambda Z: np.random.RandomState(0).rand(len(Z), 20))
    >>> sel = StabilityRecipeSelector(3, candidates={
    ...     "kmeans": KMeans(n_init=1), "noise": make_pipeline(noise, KMeans(n_init=1))},
    ...     random_state=0).fit(X)
    >>> sel.best_name_, sel.labels_.shape
    ('kmeans', (300,))
    >>> sel.scores_["kmeans"] > sel.scores_["noise"] + 0.3
    True
    """

    def __init__(self, n_clusters=8, *, candidates=_RECIPES, n_clusters_range=None,
                 recipe_params=None, n_repeats=5, subsample=0.8, metric="matching",
                 accept_score=None, error_score=np.nan, n_jobs=None, verbose=0,
                 random_state=None):
        self.n_clusters = n_clusters
        self.candidates = candidates
        self.n_clusters_range = n_clusters_range
        self.recipe_params = recipe_params
        self.n_repeats = n_repeats
        self.subsample = subsample
        self.metric = metric
        self.accept_score = accept_score
        self.error_score = error_score
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state

    def _check_params(self):
        auto = isinstance(self.n_clusters, str) and self.n_clusters == "auto"
        if not auto and (not isinstance(self.n_clusters, numbers.Integral)
                         or isinstance(self.n_clusters, bool) or self.n_clusters < 1):
            raise ValueError(
                f"n_clusters must be a positive integer or 'auto'; got {self.n_clusters!r}."
            )
        if not (self.error_score == "raise" or isinstance(self.error_score, numbers.Real)):
            raise ValueError(
                f"error_score must be 'raise' or a number; got {self.error_score!r}."
            )
        if self.accept_score is not None and (
                not isinstance(self.accept_score, numbers.Real)
                or isinstance(self.accept_score, bool) or not self.accept_score <= 1):
            raise ValueError(
                f"accept_score must be None or a number of at most 1 (the best score); "
                f"got {self.accept_score!r}."
            )
        if (not isinstance(self.verbose, numbers.Integral) or isinstance(self.verbose, bool)
                or self.verbose < 0):
            raise ValueError(f"verbose must be a non-negative integer; got {self.verbose!r}.")
        check_stability_params(self.n_repeats, self.subsample, self.metric)
        return auto

    def _build(self, recipe, seed, k):
        from ..recipes import make_recommended_pipeline

        if not isinstance(recipe, str):
            est = clone(recipe)
            unseeded = [key for key, value in est.get_params(deep=True).items()
                        if key.endswith("random_state") and value is None]
            est.set_params(**dict.fromkeys(unseeded, seed))
            return est if k is None else est.set_params(**{n_clusters_param(est): k})
        params = dict(self.recipe_params or {})
        params["features_params"] = (params.get("features_params") or {}).get(recipe)
        if params.get("random_state") is None:
            params["random_state"] = seed
        return make_recommended_pipeline(2 if k is None else k, features=recipe, **params)

    def _fit_candidate(self, est, X, ks, seed):
        """Fit ``est`` and return its score (and its scores per number in ``ks``)."""
        score_kw = dict(n_repeats=self.n_repeats, subsample=self.subsample,
                        metric=self.metric, n_jobs=self.n_jobs, random_state=seed)
        own = est.get_params(deep=False)
        loud, quiet = self.verbose >= 2 and "verbose" in own, own.get("verbose")
        start = time.perf_counter()
        if loud:
            # the steps of this fit, not of the scoring's refits
            est.set_params(verbose=True)
        try:
            est.fit(X)
        finally:
            if loud:
                est.set_params(verbose=quiet)
        fitted = time.perf_counter()
        if ks is None:
            score = clustering_stability_score(est, X, **score_kw)
            return score, None, fitted - start, time.perf_counter() - fitted
        name = n_clusters_param(est)
        scores = stability_by_n_clusters(est, X, ks, name, shared_steps="auto",
                                         **score_kw)
        k = best_of(scores)
        # refit what follows the shared (fitted) steps with the chosen number
        n_shared = n_shared_steps(est)
        est.set_params(**{name: k})
        (est[n_shared:] if n_shared else est).fit(shared_codes(est, X, n_shared))
        return scores[k], scores, fitted - start, time.perf_counter() - fitted

    def fit(self, X, y=None):
        """Fit every candidate, score it, and keep the most stable one.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The samples (images).
        y : None
            Ignored.

        Returns
        -------
        self : StabilityRecipeSelector
            Fitted.
        """
        auto = self._check_params()
        pairs = _named_candidates(self.candidates)
        X = check_samples(self, X, reset=True)
        ks = None
        if auto:
            ks = check_candidates(range(2, 13) if self.n_clusters_range is None
                                  else self.n_clusters_range)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        self.scores_, self.estimators_, self.fit_times_, self.score_times_ = {}, {}, {}, {}
        self.n_clusters_scores_, failures = {}, []
        for name, recipe in pairs:
            est = self._build(recipe, seed, None if auto else self.n_clusters)
            self._say(f"fitting and scoring {name} ({len(self.scores_) + 1} of {len(pairs)})")
            try:
                score, by_k, fit_time, score_time = self._fit_candidate(est, X, ks, seed)
            except Exception as exc:
                if self.error_score == "raise":
                    raise
                failures.append(exc)
                warnings.warn(f"Candidate {name!r} failed and scores {self.error_score}: "
                              f"{type(exc).__name__}: {exc}", FitFailedWarning)
                self.scores_[name] = float(self.error_score)
                continue
            self.scores_[name], self.estimators_[name] = score, est
            self.fit_times_[name], self.score_times_[name] = fit_time, score_time
            if by_k is not None:
                self.n_clusters_scores_[name] = by_k
            accepted = self.accept_score is not None and score >= self.accept_score
            self._say(f"{name}: stability {score:.3f} (fit {fit_time:.1f} s, scoring "
                      f"{score_time:.1f} s)" + (f", at least {self.accept_score:g}: kept"
                                               if accepted else ""))
            if accepted:
                break
        valid = {name: s for name, s in self.scores_.items()
                 if name in self.estimators_ and not np.isnan(s)}
        if not valid:
            first = f"; the first error: {type(failures[0]).__name__}: {failures[0]}" if (
                failures) else ""
            raise ValueError(
                f"Every candidate failed to fit or score: {self.scores_}{first}"
            ) from (failures[0] if failures else None)
        # of equal scores, the first candidate
        self.best_name_ = max(valid, key=lambda name: (valid[name], -list(valid).index(name)))
        self.best_estimator_ = self.estimators_[self.best_name_]
        self.best_score_ = valid[self.best_name_]
        self.n_clusters_ = int(self.best_estimator_.get_params()[
            n_clusters_param(self.best_estimator_)])
        last = self.best_estimator_[-1] if hasattr(self.best_estimator_, "steps") else (
            self.best_estimator_)
        labels = getattr(last, "labels_", None)
        self.labels_ = np.asarray(self.best_estimator_.predict(X) if labels is None else labels)
        return self

    def _say(self, text):
        if self.verbose:
            print(f"[StabilityRecipeSelector] {text}", flush=True)

    def predict(self, X):
        """Cluster labels of new samples from the chosen candidate.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The samples (images).

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(check_samples(self, X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags
