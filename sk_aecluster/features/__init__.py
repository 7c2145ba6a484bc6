"""Hand-made image features that need no training."""

from ._hog import HOGFeatures

__all__ = ["HOGFeatures"]
