"""Clustering metrics: against labels (accuracy) and without them (stability)."""

from ._clustering import clustering_accuracy_score, clustering_accuracy_scorer
from ._stability import (
    clustering_stability_score,
    clustering_stability_scorer,
    make_stability_scorer,
)

__all__ = [
    "clustering_accuracy_score",
    "clustering_accuracy_scorer",
    "clustering_stability_score",
    "clustering_stability_scorer",
    "make_stability_scorer",
]
