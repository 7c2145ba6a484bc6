"""
===========================================================
Choosing the number of clusters and the recipe, no labels
===========================================================

Without labels, :func:`~sk_aecluster.clustering_stability_score` says how
well a clustering is reproduced when it is refitted with other seeds on
other random parts of the data, corrected for the agreement that random
labelings of the same cluster sizes would reach. This example uses it twice:
to choose the number of clusters of k-means on blobs with
:func:`~sk_aecluster.select_n_clusters`, and to choose between three
clustering recipes for the 1,797 bundled digits with
:class:`~sk_aecluster.StabilityRecipeSelector`, comparing the label-free
choice with the accuracy that the labels (unused for the choice) give.

**Size.** Under a minute on two CPU cores: the UMAP fits of the digits
recipes dominate.
"""

# %%
# How many clusters? Blobs
# ------------------------
# Four groups at the corners of a square. For every candidate number, k-means
# is refitted five times with fresh seeds on 80 % subsamples, and the
# labelings are compared on the shared points. Too few clusters merge groups
# differently from one refit to the next; too many cut a group where the seed
# says. Only the right number is reproduced every time.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from umap import UMAP

from sk_aecluster import (
    StabilityRecipeSelector,
    clustering_accuracy_score,
    select_n_clusters,
)
from sk_aecluster.datasets import load_digits_images

X_blobs, _ = make_blobs(600, centers=[[0, 0], [0, 10], [10, 0], [10, 10]], random_state=0)
k, scores = select_n_clusters(KMeans(n_init=1), X_blobs, range(2, 10), random_state=0)
print(f"chosen number of clusters: {k}")

# %%
# Which recipe? Digits
# --------------------
# Three candidates for the digits: HOG features with UMAP and k-means (the
# recommended recipe with ``features="hog"``), the pixels with UMAP and
# k-means, and the pixels with PCA and k-means. The selector fits each once,
# scores it (five refits of the steps after the HOG features; the features
# are computed once) and keeps the most stable.
X, y = load_digits_images(return_X_y=True)


def flatten(images):
    return images.reshape(len(images), -1)


def pixel_pipeline(reducer):
    return Pipeline([("flat", FunctionTransformer(flatten)), reducer,
                     ("cluster", KMeans(n_init=10))])


selector = StabilityRecipeSelector(10, candidates={
    "HOG + UMAP": "hog",
    "pixels + UMAP": pixel_pipeline(("umap", UMAP(n_neighbors=20, min_dist=0.0))),
    "pixels + PCA": pixel_pipeline(("pca", PCA(32))),
}, random_state=0)
labels = selector.fit_predict(X)
print(f"chosen without labels: {selector.best_name_}")

accuracy = {name: clustering_accuracy_score(y, est[-1].labels_)
            for name, est in selector.estimators_.items()}
for name in selector.scores_:
    print(f"{name:>14}: stability {selector.scores_[name]:.3f}, "
          f"accuracy {accuracy[name]:.3f}, fit {selector.fit_times_[name]:.1f} s, "
          f"score {selector.score_times_[name]:.1f} s")

# %%
# The two choices side by side
# ----------------------------
# Left, the stability of k-means on the blobs for each number of clusters.
# Right, each digits recipe's stability (chosen by it) and its accuracy
# against the labels (which the choice never saw).
fig, (ax_k, ax_r) = plt.subplots(1, 2, figsize=(11, 4))
ax_k.plot(list(scores), list(scores.values()), "o-")
ax_k.axvline(k, color="grey", linestyle=":")
ax_k.set_xlabel("number of clusters")
ax_k.set_ylabel("stability score")
ax_k.set_title(f"Blobs: {k} clusters chosen")

names = list(selector.scores_)
xs = np.arange(len(names))
ax_r.bar(xs - 0.2, [selector.scores_[n] for n in names], 0.4, label="stability (no labels)")
ax_r.bar(xs + 0.2, [accuracy[n] for n in names], 0.4, label="accuracy (labels)")
ax_r.set_xticks(xs, names)
ax_r.set_ylim(0, 1.05)
ax_r.set_title(f"Digits: {selector.best_name_!r} chosen")
ax_r.legend(loc="lower right")
fig.tight_layout()

# %%
# Notes
# -----
# * The score is necessary, not sufficient: features that separate the
#   images stably by something other than their class score high too. The
#   user guide page :ref:`choosing_without_labels` lists where it fails.
# * ``make_recommended_pipeline(10, features="auto")`` is the same selector
#   over the library's three recipes (autoencoder, HOG, contrastive), which
#   costs the training of two networks.
