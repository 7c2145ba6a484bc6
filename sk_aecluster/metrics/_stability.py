"""Clustering stability: how well refits of a clustering agree, without labels."""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples, check_is_fitted

from ._clustering import match_clusters_to_classes

_METRICS = ("matching", "ari")
_N_PERMUTATIONS = 10  # random relabelings per pair for the matching baseline


def _matching_accuracy(a, b):
    _, _, counts, rows, cols = match_clusters_to_classes(a, b)
    return counts[rows, cols].sum() / counts.sum()


def _pair_agreement(a, b, metric, rng):
    """Agreement of two labelings of the same points, 0 for chance, 1 at most."""
    if len(np.unique(a)) < 2 or len(np.unique(b)) < 2:
        return 0.0  # one cluster in a labeling: no information (ARI would say 1)
    if metric == "ari":
        # ARI is already corrected for chance under random labelings that
        # keep both labelings' cluster sizes (the permutation model)
        return float(adjusted_rand_score(a, b))
    observed = _matching_accuracy(a, b)
    chance = np.mean([_matching_accuracy(a, rng.permutation(b)) for _ in range(_N_PERMUTATIONS)])
    if chance >= 1.0 - 1e-12:  # pragma: no cover - needs one cluster, caught above
        return 0.0
    # Lange et al. (2004): the disagreement relative to that of random
    # labelings with the same cluster sizes
    return float(1.0 - (1.0 - observed) / (1.0 - chance))


def _is_shared_candidate(step):
    from .._training.estimator import BaseNetEstimator
    from ..features import HOGFeatures

    return isinstance(step, (BaseNetEstimator, HOGFeatures))


def n_shared_steps(estimator, shared_steps="auto"):
    """How many leading steps of ``estimator`` the repeats share.

    ``"auto"``: for a :class:`~sklearn.pipeline.Pipeline`, every step up to
    and including the last one that computes image features (a trained
    encoder of the library or :class:`~sk_aecluster.HOGFeatures`), the final
    step excepted; 0 for anything else.
    """
    if not isinstance(estimator, Pipeline):
        if shared_steps not in ("auto", 0):
            raise ValueError(
                f"shared_steps={shared_steps!r} needs a Pipeline; "
                f"got a {type(estimator).__name__}."
            )
        return 0
    n_steps = len(estimator.steps)
    if shared_steps == "auto":
        encoders = [i for i, (_, step) in enumerate(estimator.steps[:-1])
                    if _is_shared_candidate(step)]
        return encoders[-1] + 1 if encoders else 0
    if (not isinstance(shared_steps, numbers.Integral) or isinstance(shared_steps, bool)
            or not 0 <= shared_steps < n_steps):
        raise ValueError(
            f"shared_steps must be 'auto' or an integer in [0, {n_steps - 1}] (the final "
            f"step is always refitted); got {shared_steps!r}."
        )
    return int(shared_steps)


def shared_codes(estimator, X, n_shared):
    """``X`` through the first ``n_shared`` steps of the pipeline ``estimator``.

    Fitted steps are used as they are (in a grid search, the candidate fitted
    on the training split); otherwise clones are fitted on ``X`` once, through
    the pipeline's ``memory`` when it has one (then candidates that differ
    only after these steps share one fit).
    """
    if n_shared == 0:
        return X
    prefix = estimator[:n_shared]
    try:
        for _, step in prefix.steps:
            check_is_fitted(step)
    except Exception:  # noqa: BLE001 - any unfitted step: fit the prefix here
        # as the fit of the whole pipeline caches them: a pipeline that fitted
        # the same steps on the same X before (another candidate) saves the fit
        steps = clone(prefix).steps + [("_shared", "passthrough")]
        return Pipeline(steps, memory=estimator.memory).fit_transform(X)
    return prefix.transform(X)


def _labels_of(estimator, X):
    if hasattr(estimator, "fit_predict"):
        return np.asarray(estimator.fit_predict(X))
    estimator.fit(X)
    labels = getattr(estimator, "labels_", None)
    if labels is None:
        raise TypeError(
            f"clustering_stability_score needs a clusterer: {type(estimator).__name__} has "
            "no fit_predict and sets no labels_ in fit."
        )
    return np.asarray(labels)


def _reseeded(estimator, rng):
    """A clone with every ``*random_state`` parameter set to a fresh seed."""
    estimator = clone(estimator)
    if isinstance(estimator, Pipeline):
        estimator.set_params(memory=None)  # the refits never repeat: nothing to cache
    keys = sorted(k for k in estimator.get_params(deep=True) if k.endswith("random_state"))
    seed = rng.randint(np.iinfo(np.int32).max)
    # one seed for every step of a repeat: the steps of a pipeline are seeded
    # alike by make_recommended_pipeline too
    estimator.set_params(**dict.fromkeys(keys, int(seed)))
    return estimator


def check_clusterer(estimator):
    """Raise a TypeError unless ``estimator`` can be fitted to labels."""
    if not (hasattr(estimator, "fit_predict") or hasattr(estimator, "fit")):
        raise TypeError(
            "clustering_stability_score needs a clusterer with fit_predict (or fit and "
            f"labels_); got {type(estimator).__name__}."
        )


def check_stability_params(n_repeats, subsample, metric):
    """Validate the arguments shared by the stability functions."""
    if (not isinstance(n_repeats, numbers.Integral) or isinstance(n_repeats, bool)
            or n_repeats < 2):
        raise ValueError(
            f"n_repeats must be an integer of at least 2 (the score compares refits); "
            f"got {n_repeats!r}."
        )
    if (not isinstance(subsample, numbers.Real) or isinstance(subsample, bool)
            or not 0 < subsample <= 1):
        raise ValueError(f"subsample must be a fraction in (0, 1]; got {subsample!r}.")
    if metric not in _METRICS:
        raise ValueError(f"metric must be 'matching' or 'ari'; got {metric!r}.")


def stability_of_codes(tail, Z, *, n_repeats, subsample, metric, random_state,
                       n_jobs=None):
    """Mean pairwise agreement of ``n_repeats`` reseeded refits of ``tail`` on ``Z``.

    The subsamples and seeds of all repeats are drawn first, in order, so
    the refits can run in ``n_jobs`` parallel jobs (joblib) and the score
    does not depend on ``n_jobs``.
    """
    rng = check_random_state(random_state)
    n = _num_samples(Z)
    size = int(round(subsample * n))
    if size < 2:
        raise ValueError(
            f"subsample={subsample} of {n} samples keeps {size}; the score needs at least "
            "2 samples per repeat."
        )
    repeats = []
    for _ in range(n_repeats):
        idx = np.sort(rng.choice(n, size, replace=False)) if size < n else np.arange(n)
        repeats.append((idx, _reseeded(tail, rng)))
    fitted = Parallel(n_jobs=n_jobs)(
        delayed(_labels_of)(est, _safe_indexing(Z, idx)) for idx, est in repeats)
    runs = []
    for (idx, _), labels in zip(repeats, fitted, strict=True):
        full = np.full(n, -1, dtype=np.intp)
        full[idx] = np.unique(labels, return_inverse=True)[1].ravel()
        runs.append(full)
    scores = []
    for i in range(n_repeats):
        for j in range(i + 1, n_repeats):
            shared = (runs[i] >= 0) & (runs[j] >= 0)
            if shared.sum() < 2:
                continue
            scores.append(_pair_agreement(runs[i][shared], runs[j][shared], metric, rng))
    if not scores:
        raise ValueError(
            f"No two repeats share 2 samples with subsample={subsample}; raise subsample."
        )
    return float(np.mean(scores))


def clustering_stability_score(estimator, X, y=None, *, n_repeats=5, subsample=0.8,
                               metric="matching", shared_steps="auto", n_jobs=None,
                               random_state=None):
    """Label-free quality of a clustering: how well reseeded refits agree.

    The clustering is refitted ``n_repeats`` times, each time with fresh
    seeds (every parameter whose name ends in ``random_state``, in every
    step) on a random ``subsample`` of the samples, and every pair of
    labelings is compared on the samples both saw (Ben-Hur et al. 2002;
    Lange et al. 2004). A structure that is really in the data is found
    again whatever the seed and subsample; an arbitrary split (too many
    clusters, or too few: which groups merge then changes) is not.

    The agreement of a pair is corrected for chance, so that trivially
    stable labelings are not rewarded: with ``metric="matching"`` (Lange et
    al.) the fraction of samples on which the two labelings disagree after
    the best one-to-one matching of clusters, divided by the same fraction
    for random labelings with the same cluster sizes (the second labeling
    shuffled, 10 times), and the score is one minus that ratio; with
    ``metric="ari"`` the adjusted Rand index, which makes the same
    correction in closed form. One giant cluster with a few stray samples,
    which any refit reproduces on most samples, scores about 0 either way,
    and so does a single cluster; the scale is comparable across numbers of
    clusters.

    **Cost.** ``n_repeats`` fits of the refitted steps on
    ``subsample * n_samples`` samples. The steps of a pipeline up to its
    image-feature step (a trained encoder of the library or
    :class:`~sk_aecluster.HOGFeatures`, see ``shared_steps``) are fitted
    once and shared by all repeats: if ``estimator`` is fitted they are used
    as they are (no training at all; this is the case in a grid search),
    otherwise they are fitted on ``X`` once, through the pipeline's
    ``memory`` if it has one. For the recommended recipe a score then costs
    ``n_repeats`` UMAP and k-means fits, little next to training the
    encoder. The refits are independent: ``n_jobs`` runs them in parallel
    (seeded UMAP runs on one core, so two jobs halve the scoring time on
    two cores), with the same score as one job.

    **Where it fails.** Stability is necessary, not sufficient (von
    Luxburg 2010): a clustering that is stably wrong (the encoder's features
    separate the images by brightness, not by class) scores high. With
    shared encoder steps, the score does not see how much the encoder itself
    varies with its seed (pass ``shared_steps=0`` to refit it, ``n_repeats``
    trainings). When groups form a hierarchy (two pairs of close groups),
    the coarse split can be as stable as the right one, and the score
    tends to favour fewer clusters. A step without a ``random_state`` that
    is not deterministic makes every clustering look less stable; a fully
    deterministic estimator with ``subsample=1`` repeats one fit and scores
    1.

    Parameters
    ----------
    estimator : estimator
        A clusterer with ``fit_predict`` (or ``fit`` and ``labels_``), e.g.
        a pipeline ending in :class:`~sklearn.cluster.KMeans`. Fitted or not.
    X : array-like of shape (n_samples, ...)
        The samples (images) to cluster.
    y : None
        Ignored; present for the scorer protocol.
    n_repeats : int, default=5
        Number of refits; the score averages the ``n_repeats * (n_repeats -
        1) / 2`` pairs. At least 2.
    subsample : float, default=0.8
        Fraction of the samples each refit sees, in ``(0, 1]``; ``1`` varies
        only the seeds.
    metric : {"matching", "ari"}, default="matching"
        The chance-corrected agreement of two labelings (see above).
    shared_steps : "auto" or int, default="auto"
        Number of leading pipeline steps fitted once and shared by the
        repeats; ``"auto"`` shares every step up to the last image-feature
        step (none for an estimator that is not a pipeline), ``0`` refits
        everything.
    n_jobs : int or None, default=None
        Number of refits run in parallel (:class:`joblib.Parallel`; ``None``
        means 1 unless in a :func:`joblib.parallel_backend` context, ``-1``
        all processors). The subsamples and seeds are drawn beforehand, so
        the score is the same for every ``n_jobs``.
    random_state : int, RandomState instance or None, default=None
        Draws the subsamples, the seeds of the refits and the random
        labelings. An int gives the same score on every call.

    Returns
    -------
    score : float
        Mean chance-corrected agreement, at most 1 (the refits agree
        everywhere); about 0 for agreement no better than chance. Higher is
        better.

    Raises
    ------
    ValueError
        For ``n_repeats < 2``, ``subsample`` outside ``(0, 1]``, an unknown
        ``metric`` or ``shared_steps``, or a subsample under 2 samples.
    TypeError
        If ``estimator`` is not a clusterer.

    See Also
    --------
    clustering_stability_scorer : The score as ``scoring=`` of a grid search.
    select_n_clusters : The number of clusters chosen by this score.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> from sk_aecluster import clustering_stability_score
    >>> X, _ = make_blobs(300, centers=[[0, 0], [0, 10], [10, 0]], random_state=0)
    >>> right = clustering_stability_score(KMeans(3, n_init=1), X, random_state=0)
    >>> wrong = clustering_stability_score(KMeans(6, n_init=1), X, random_state=0)
    >>> round(right, 3), bool(right > wrong)
    (1.0, True)
    """
    check_clusterer(estimator)
    check_stability_params(n_repeats, subsample, metric)
    n_shared = n_shared_steps(estimator, shared_steps)
    Z = shared_codes(estimator, X, n_shared)
    tail = estimator[n_shared:] if n_shared else estimator
    return stability_of_codes(tail, Z, n_repeats=n_repeats, subsample=subsample,
                              metric=metric, random_state=random_state, n_jobs=n_jobs)


class _StabilityScorer:
    """``scorer(estimator, X, y=None)`` computing :func:`clustering_stability_score`."""

    def __init__(self, **params):
        self._params = params

    def __call__(self, estimator, X, y=None, **kwargs):
        return clustering_stability_score(estimator, X, **self._params)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"make_stability_scorer({args})"


def make_stability_scorer(*, n_repeats=5, subsample=0.8, metric="matching",
                          shared_steps="auto", n_jobs=None, random_state=0):
    """A scorer for ``scoring=`` that computes :func:`clustering_stability_score`.

    Parameters
    ----------
    n_repeats, subsample, metric, shared_steps, n_jobs : see \
:func:`clustering_stability_score`
    random_state : int, RandomState instance or None, default=0
        Seeds the score; the default 0 draws the same subsamples and seeds
        for every candidate of a grid search (a fairer comparison).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)``, higher is better; ``y`` is
        ignored, so a grid search runs with ``fit(X)`` and no labels.

    Examples
    --------
    >>> from sk_aecluster import make_stability_scorer
    >>> make_stability_scorer(n_repeats=3)
    make_stability_scorer(n_repeats=3, subsample=0.8, metric='matching', \
shared_steps='auto', n_jobs=None, random_state=0)
    """
    check_stability_params(n_repeats, subsample, metric)
    return _StabilityScorer(n_repeats=n_repeats, subsample=subsample, metric=metric,
                            shared_steps=shared_steps, n_jobs=n_jobs,
                            random_state=random_state)


clustering_stability_scorer = make_stability_scorer()
"""Scorer for ``scoring=`` in grid searches without labels:
:func:`clustering_stability_score` with its defaults and ``random_state=0``."""
