"""The deep-clustering rows of bench_quality.py: DEC and IDEC (issue 16).

- ``dec``, ``idec``: the paper setting. ``DenseAutoEncoder`` d-500-500-2000-10
  (ReLU, Adam, batch 256) pre-trained ``PRETRAIN_EPOCHS`` epochs, k-means
  (``n_init=20``) start, ``update_interval=140``, ``tol=0.001``, at most
  ``MAX_ITER`` batches of 256; IDEC with ``gamma=0.1``. Both rows share the
  pre-training through ``memory`` (same encoder, same data).
- ``idec_recipe``: IDEC started from the recommended recipe: its encoder
  (``make_recommended_pipeline(k)``'s ``DenseAutoEncoder``, LeakyReLU,
  augmentation, 250 epochs) and its UMAP -> KMeans as ``init``.
"""

import os

from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline

from sk_aecluster import DEC, IDEC, DenseAutoEncoder, make_recommended_pipeline

PRETRAIN_EPOCHS = 50
MAX_ITER = 2000
#: where pre-trained encoders are cached between rows and processes
MEMORY = os.environ.get("SK_AECLUSTER_BENCH_MEMORY", "/tmp/sk_aecluster_bench_memory")


def deep_recipes(k, seed, tiny, recommended_epochs=None):
    """Recipe name -> unfitted DEC/IDEC pipeline for ``k`` clusters."""
    epochs = 1 if tiny else PRETRAIN_EPOCHS
    common = dict(update_interval=140, tol=0.001, max_iter=20 if tiny else MAX_ITER,
                  batch_size=256, memory=MEMORY, random_state=seed)

    def paper_ae():
        return DenseAutoEncoder(max_epochs=epochs, batch_size=256, random_state=seed)

    out = {
        "dec": Pipeline([("dec", DEC(k, encoder=paper_ae(), **common))]),
        "idec": Pipeline([("idec", IDEC(k, encoder=paper_ae(), gamma=0.1, **common))]),
    }
    try:
        rec_epochs = 1 if tiny else recommended_epochs
        rec = make_recommended_pipeline(
            k, random_state=seed, **({"max_epochs": rec_epochs} if rec_epochs else {}))
    except ImportError:  # no umap
        return out
    init = Pipeline([("umap", rec.named_steps["umap"]),
                     ("cluster", KMeans(k, n_init=10, random_state=seed))])
    out["idec_recipe"] = Pipeline([("idec", IDEC(k, encoder=rec.named_steps["ae"], init=init,
                                                 gamma=0.1, **common))])
    return out
