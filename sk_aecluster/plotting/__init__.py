"""Figures in the style of scikit-learn's Display API (matplotlib only).

- :class:`ReconstructionDisplay`: originals above their autoencoder
  reconstructions (the study's question 2).
- :class:`EmbeddingDisplay`: the data in two dimensions, coloured by cluster
  and by true label (the study's question 3).
- :class:`ClusterMontageDisplay`: what landed in each cluster, the images
  closest to its centre and a random sample.
- :class:`ClusterConfusionDisplay`: clusters against true classes, matched
  pairs on the diagonal.

All are created with ``from_estimator`` (or ``from_predictions`` /
``from_embedding``), draw with ``plot(ax=...)`` and keep the figure, the
Axes and the drawn artists as attributes. They work with any matplotlib
backend, including the headless ``Agg``.
"""

from ._confusion import ClusterConfusionDisplay
from ._embedding import EmbeddingDisplay
from ._montage import ClusterMontageDisplay
from ._reconstruction import ReconstructionDisplay

__all__ = [
    "ClusterConfusionDisplay",
    "ClusterMontageDisplay",
    "EmbeddingDisplay",
    "ReconstructionDisplay",
]
