"""Cross-validation and model selection for clustering, with or without labels."""

from ._n_clusters import select_n_clusters
from ._recipe import StabilityRecipeSelector
from ._split import TransductiveSplit

__all__ = ["StabilityRecipeSelector", "TransductiveSplit", "select_n_clusters"]
