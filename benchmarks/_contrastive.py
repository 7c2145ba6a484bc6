"""The contrastive rows of bench_quality.py (issue 15).

- ``contrastive``: ``make_recommended_pipeline(k, features="contrastive")``
  as a user gets it (``ContrastiveEncoder`` with its defaults, 2-D UMAP,
  k-means); for grey images (digits, USPS, MNIST) with ``flip=False``, as the
  recipe's documentation recommends (a mirrored digit is another shape).
  The encoder and UMAP steps are cached through the pipeline's ``memory``:
  CIFAR-2 and CIFAR-10 are the same 10,000 images, so their rows share one
  encoder fit per seed (the time column shows the fit that trained it; the
  row served from the cache shows the remaining time).
- ``contrastive_scan``: the same recipe with ``clusterer="scan"``
  (:class:`~sk_aecluster.SCAN` on the encoder's features instead of UMAP and
  k-means). Its encoder step is the ``contrastive`` row's, cached in the
  same ``memory``: run both in one command and the encoder trains once per
  seed (the second row's time is then SCAN's alone).
- ``contrastive_bf16`` (only when named in ``--recipes``: it fixes
  Accelerate's mixed precision for the whole process): the ``contrastive``
  recipe trained in bfloat16 mixed precision through the encoder's
  ``accelerator`` parameter (``Accelerator(cpu=True,
  mixed_precision="bf16")``, skorch's ``AccelerateMixin``), for
  ``BF16_EPOCHS`` epochs instead of 30: on CPUs with bfloat16 instructions
  an epoch takes about half the time, and the epochs are what fits in the
  same 10 minutes per CIFAR fit (2 cores). Its own ``memory`` key, since
  the encoder's parameters differ.
- After each such row, ``... kNN on its features``: the 5-fold
  cross-validated accuracy of a 20-nearest-neighbour classifier (cosine
  distance) on the fitted encoder's features, a diagnostic of how well the
  features separate the classes, independent of UMAP and k-means.
"""

import os

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from sk_aecluster import ContrastiveEncoder, make_recommended_pipeline

#: where fitted encoders and embeddings are cached between rows
MEMORY = os.environ.get("SK_AECLUSTER_BENCH_CONTRASTIVE_MEMORY",
                        "/tmp/sk_aecluster_bench_contrastive")
KNN_NEIGHBOURS = 20
#: epochs of the ``contrastive_bf16`` row: what fits in 10 minutes per CIFAR fit
#: (55 took 575-625 s, 50 took 480-540 s; benchmarks/RESULTS.md)
BF16_EPOCHS = 50


def bf16_accelerator():
    """The process's ``Accelerator(cpu=True, mixed_precision="bf16")``."""
    from accelerate import Accelerator

    return Accelerator(cpu=True, mixed_precision="bf16")


def contrastive_recipes(X, k, seed, tiny, epochs=None, bf16=False):
    """Recipe name -> unfitted contrastive pipeline for images ``X`` and ``k`` clusters.

    ``bf16``: add the ``contrastive_bf16`` row (creates the process's
    Accelerate state, in bfloat16).
    """
    try:
        import umap  # noqa: F401
    except ImportError:
        return {}
    params = {"flip": False} if X.ndim == 3 else {}  # grey digits: no mirror images
    if tiny:
        params.update(width=4, depth=2, projection_dim=8)
    out = {}
    for name, clusterer in (("contrastive", "kmeans"), ("contrastive_scan", "scan")):
        pipe = make_recommended_pipeline(k, features="contrastive", clusterer=clusterer,
                                         random_state=seed, features_params=params,
                                         **({"max_epochs": 1 if tiny else epochs}
                                            if tiny or epochs else {}))
        if tiny and clusterer == "scan":
            pipe.set_params(cluster__max_epochs=2, cluster__n_heads=2)
        pipe.set_params(memory=MEMORY)
        out[name] = pipe
    if bf16:
        pipe = make_recommended_pipeline(
            k, features="contrastive", random_state=seed,
            features_params={**params, "accelerator": bf16_accelerator()},
            max_epochs=1 if tiny else (epochs or BF16_EPOCHS))
        out["contrastive_bf16"] = pipe.set_params(memory=MEMORY)
    return out


def knn_accuracy(pipe, X, y, seed):
    """5-fold kNN accuracy of the features of ``pipe``'s fitted ContrastiveEncoder, or None."""
    steps = [step for _, step in pipe.steps if isinstance(step, ContrastiveEncoder)]
    if not steps:
        return None
    Z = steps[0].transform(X)
    knn = KNeighborsClassifier(KNN_NEIGHBOURS, metric="cosine")
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    n_min = np.bincount(np.unique(y, return_inverse=True)[1]).min()
    if n_min < 5:
        return None
    return float(cross_val_score(knn, Z, y, cv=cv).mean())
