"""Clustering accuracy: the best one-to-one matching of clusters to classes."""

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import make_scorer
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils import check_consistent_length, column_or_1d


def match_clusters_to_classes(y_true, y_pred):
    """The Hungarian one-to-one matching of clusters to classes.

    Shared by :func:`clustering_accuracy_score` and the figures that order
    or colour clusters by the class they stand for.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted distinct true labels.
    clusters : ndarray of shape (n_clusters,)
        The sorted distinct cluster labels.
    counts : ndarray of shape (n_classes, n_clusters)
        How many samples of each class fell in each cluster.
    matched_classes, matched_clusters : ndarray of int
        Positions (into ``classes`` and ``clusters``) of the matched pairs,
        ``min(n_classes, n_clusters)`` of them, maximising the samples on
        matched pairs.
    """
    y_true = column_or_1d(y_true)
    y_pred = column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred)
    if len(y_true) == 0:
        raise ValueError("Matching clusters to classes needs at least one sample.")
    classes, class_codes = np.unique(y_true, return_inverse=True)
    clusters, cluster_codes = np.unique(y_pred, return_inverse=True)
    counts = contingency_matrix(class_codes, cluster_codes)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return classes, clusters, counts, rows, cols


def clustering_accuracy_score(y_true, y_pred):
    """Accuracy of a clustering under the best one-to-one cluster-class map.

    Clusters are matched to classes with the Hungarian algorithm
    (:func:`scipy.optimize.linear_sum_assignment`) so that the number of
    correctly labelled samples is maximal; samples of clusters left without
    a class (more clusters than classes) count as errors. Labels can be any
    hashable values (integers, strings). For two clusters and two classes the
    score equals ``max(acc, 1 - acc)``, the study's metric.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels.
    y_pred : array-like of shape (n_samples,)
        Cluster labels.

    Returns
    -------
    score : float
        In ``[0, 1]``; 1 is a perfect clustering up to renaming of clusters.

    Examples
    --------
    >>> from sk_aecluster import clustering_accuracy_score
    >>> clustering_accuracy_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> clustering_accuracy_score(["a", "a", "b", "b"], [0, 1, 1, 1])
    0.75
    """
    if len(column_or_1d(y_true)) == 0:
        raise ValueError("clustering_accuracy_score needs at least one sample.")
    _, _, counts, rows, cols = match_clusters_to_classes(y_true, y_pred)
    return float(counts[rows, cols].sum() / counts.sum())


clustering_accuracy_scorer = make_scorer(clustering_accuracy_score)
"""Scorer for ``scoring=`` in grid searches: calls ``predict`` and scores it
with :func:`clustering_accuracy_score`."""
