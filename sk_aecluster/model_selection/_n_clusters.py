"""Choosing the number of clusters without labels, by the stability score."""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from ..metrics._stability import (
    check_clusterer,
    check_stability_params,
    n_shared_steps,
    shared_codes,
    stability_of_codes,
)


def n_clusters_param(estimator, param="auto"):
    """The name of ``estimator``'s number-of-clusters parameter.

    ``"auto"``: ``n_clusters`` itself if the estimator has it, otherwise the
    one parameter named ``<step>__n_clusters`` (the final clusterer of a
    pipeline).
    """
    names = estimator.get_params(deep=True)
    if param != "auto":
        if param not in names:
            raise ValueError(
                f"{type(estimator).__name__} has no parameter {param!r}; pass the name of "
                "its number of clusters as param=."
            )
        return param
    if "n_clusters" in names:
        return "n_clusters"
    found = sorted(k for k in names if k.endswith("__n_clusters"))
    if len(found) != 1:
        what = f"several ({', '.join(found)})" if found else "no"
        raise ValueError(
            f"{type(estimator).__name__} has {what} n_clusters parameters; pass the one "
            "to choose as param= (e.g. param='cluster__n_clusters')."
        )
    return found[0]


def check_candidates(candidates):
    """The candidate numbers of clusters as a list of distinct ints of at least 2."""
    try:
        ks = list(candidates)
    except TypeError:
        ks = None
    if (not ks or any(not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 2
                      for k in ks) or len(set(ks)) != len(ks)):
        raise ValueError(
            "candidates must be distinct integers of at least 2 (one cluster has no "
            f"stability to measure); got {candidates!r}."
        )
    return [int(k) for k in ks]


def best_of(scores):
    """The key of the highest score; of equal scores, the largest key."""
    best = max(scores.values())
    return max(k for k, v in scores.items() if v >= best - 1e-12)


def stability_by_n_clusters(estimator, X, ks, param, *, n_repeats, subsample, metric,
                            shared_steps, random_state, n_jobs=None):
    """Stability score of ``estimator`` for each number of clusters in ``ks``.

    Shared steps are fitted (or taken, when fitted) once for all of ``ks``,
    and every ``k`` is scored on the same subsamples and seeds.
    """
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    n_shared = n_shared_steps(estimator, shared_steps)
    if n_shared and param.split("__")[0] in dict(estimator.steps[:n_shared]):
        n_shared = 0  # the number of clusters is a parameter of a shared step
    Z = shared_codes(estimator, X, n_shared)
    tail = estimator[n_shared:] if n_shared else estimator
    return {
        k: stability_of_codes(clone(tail).set_params(**{param: k}), Z, n_repeats=n_repeats,
                              subsample=subsample, metric=metric, random_state=seed,
                              n_jobs=n_jobs)
        for k in ks
    }


def select_n_clusters(estimator, X, candidates=range(2, 13), *, param="auto", n_repeats=5,
                      subsample=0.8, metric="matching", shared_steps="auto", n_jobs=None,
                      random_state=None):
    """Choose the number of clusters without labels: the most stable one.

    Every candidate number of clusters is scored with
    :func:`~sk_aecluster.clustering_stability_score` on the same
    subsamples and seeds, and the highest score wins (of equal scores, the
    larger number: both are reproduced exactly, and the finer one keeps more
    of the structure). The steps of a pipeline up to its image features are
    fitted once for all candidates (used as they are if ``estimator`` is
    fitted), so choosing among ``len(candidates)`` numbers costs
    ``len(candidates) * n_repeats`` fits of the steps after the encoder and
    at most one training of the encoder.

    The score's limits apply (see
    :func:`~sk_aecluster.clustering_stability_score`): groups that form a
    hierarchy can make a smaller number look as stable as the right one,
    and features that do not separate the classes give a stable answer to
    a different question. Look at the scores, not only at the winner: a
    clear peak is a finding, a flat curve is not.

    Parameters
    ----------
    estimator : estimator
        A clusterer, e.g. :func:`~sk_aecluster.make_recommended_pipeline`'s
        pipeline. Not modified.
    X : array-like of shape (n_samples, ...)
        The samples (images).
    candidates : iterable of int, default=range(2, 13)
        The numbers of clusters to try, each at least 2.
    param : str, default="auto"
        The estimator's number-of-clusters parameter; ``"auto"`` finds
        ``n_clusters`` or the one ``<step>__n_clusters``.
    n_repeats, subsample, metric, shared_steps, n_jobs : see \
:func:`~sk_aecluster.clustering_stability_score`
    random_state : int, RandomState instance or None, default=None
        Seeds the score (one draw of subsamples and seeds for all
        candidates).

    Returns
    -------
    n_clusters : int
        The candidate with the highest score.
    scores : dict of int to float
        Every candidate's score, in the order of ``candidates``.

    Raises
    ------
    ValueError
        For candidates that are not distinct integers of at least 2, an
        estimator without (or with several) ``n_clusters`` parameters and
        ``param="auto"``, and the score's bad arguments.

    See Also
    --------
    clustering_stability_score : The score of one clustering.
    StabilityRecipeSelector : Choose the recipe (and, with
        ``n_clusters="auto"``, its number of clusters) the same way.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> from sk_aecluster import select_n_clusters
    >>> X, _ = make_blobs(400, centers=[[0, 0], [0, 10], [10, 0], [10, 10]],
    ...                   random_state=0)
    >>> k, scores = select_n_clusters(KMeans(n_init=1), X, range(2, 8), random_state=0)
    >>> k
    4
    >>> sorted(scores) == list(range(2, 8))
    True
    """
    check_clusterer(estimator)
    check_stability_params(n_repeats, subsample, metric)
    ks = check_candidates(candidates)
    name = n_clusters_param(estimator, param)
    scores = stability_by_n_clusters(estimator, X, ks, name, n_repeats=n_repeats,
                                     subsample=subsample, metric=metric,
                                     shared_steps=shared_steps, n_jobs=n_jobs,
                                     random_state=random_state)
    return best_of(scores), scores
