"""Clustering metrics."""

from ._clustering import clustering_accuracy_score, clustering_accuracy_scorer

__all__ = ["clustering_accuracy_score", "clustering_accuracy_scorer"]
