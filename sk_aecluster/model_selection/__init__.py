"""Cross-validation for clustering."""

from ._split import TransductiveSplit

__all__ = ["TransductiveSplit"]
