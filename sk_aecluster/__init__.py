"""sk_aecluster: autoencoders for clustering images, as scikit-learn transformers.

The public API:

- Autoencoders (skorch-trained transformers): :class:`AE1Encoder`,
  :class:`AE2Encoder`, :class:`ConvAutoEncoder`, :class:`DenseAutoEncoder`.
- :class:`ContrastiveEncoder`: a self-supervised (SimCLR) image encoder.
- Deep clustering: :class:`DEC` and :class:`IDEC` (an encoder fine-tuned
  with its cluster centres, started from any clusterer), and :class:`SCAN`
  (clustering heads trained to agree with each sample's nearest neighbours).
- :class:`HOGFeatures`: histograms of oriented gradients, for colour photographs.
- :class:`TSNETransformer`: t-SNE as a pipeline step with ``transform``.
- :func:`clustering_accuracy_score`, :data:`clustering_accuracy_scorer`.
- Choosing without labels: :func:`clustering_stability_score`,
  :data:`clustering_stability_scorer`, :func:`make_stability_scorer`,
  :func:`select_n_clusters`, :class:`StabilityRecipeSelector`.
- :class:`TransductiveSplit`: the study's cluster-everything protocol.
- :func:`save_model`, :func:`load_model`: pickle-free model files.
- :func:`dask_transform`, :func:`dask_predict`: encode and label dask arrays
  of images chunk by chunk (image sets larger than memory, dask clusters).
- :func:`make_recommended_pipeline`, :func:`make_study_pipeline`: ready recipes.
- Figures (also in :mod:`sk_aecluster.plotting`): :class:`ClusterMontageDisplay`,
  :class:`ClusterConfusionDisplay`, :class:`EmbeddingDisplay`,
  :class:`ReconstructionDisplay`.
"""

from ._version import __version__
from .autoencoder import (
    AE1Encoder,
    AE2Encoder,
    AutoEncoderNet,
    ConvAutoEncoder,
    DenseAutoEncoder,
)
from .cluster import DEC, IDEC, SCAN
from .contrastive import ContrastiveEncoder
from .features import HOGFeatures
from .manifold import TSNETransformer
from .metrics import (
    clustering_accuracy_score,
    clustering_accuracy_scorer,
    clustering_stability_score,
    clustering_stability_scorer,
    make_stability_scorer,
)
from .model_selection import StabilityRecipeSelector, TransductiveSplit, select_n_clusters
from .parallel import dask_predict, dask_transform
from .persistence import load_model, save_model
from .plotting import (
    ClusterConfusionDisplay,
    ClusterMontageDisplay,
    EmbeddingDisplay,
    ReconstructionDisplay,
)
from .recipes import make_recommended_pipeline, make_study_pipeline, recommended_features

__all__ = [
    "AE1Encoder",
    "AE2Encoder",
    "AutoEncoderNet",
    "ClusterConfusionDisplay",
    "ClusterMontageDisplay",
    "ContrastiveEncoder",
    "ConvAutoEncoder",
    "DEC",
    "DenseAutoEncoder",
    "EmbeddingDisplay",
    "HOGFeatures",
    "IDEC",
    "ReconstructionDisplay",
    "SCAN",
    "StabilityRecipeSelector",
    "TSNETransformer",
    "TransductiveSplit",
    "__version__",
    "clustering_accuracy_score",
    "clustering_accuracy_scorer",
    "clustering_stability_score",
    "clustering_stability_scorer",
    "dask_predict",
    "dask_transform",
    "load_model",
    "make_recommended_pipeline",
    "make_stability_scorer",
    "make_study_pipeline",
    "recommended_features",
    "save_model",
    "select_n_clusters",
]
