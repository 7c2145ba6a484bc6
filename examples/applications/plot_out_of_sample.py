"""
============================================
Clustering new images with a fitted pipeline
============================================

The study clustered one fixed collection of images. In practice images keep
arriving, and a fitted pipeline should label them without being refitted.
Every step must then be able to process *new* data: the autoencoder encodes
them, PCA projects them, and k-means assigns them to the nearest centre.
t-SNE is the exception in scikit-learn (:class:`~sklearn.manifold.TSNE` has
no ``transform``); :class:`~sk_aecluster.TSNETransformer` places new points
into the fixed training embedding, so a t-SNE pipeline can ``predict`` too.

We fit on 70% of the digits and label the other 30%, once with PCA and once
with t-SNE as the reduction.

**Size.** 10 epochs on 1 257 training digits. At full size, split the
study's ``(n, 32, 32, 3)`` ``uint8`` images the same way and train for 100
epochs.
"""

# %%
# Split the data, train the autoencoder once
# ------------------------------------------
# The split is stratified so both parts hold every digit in the same
# proportion. Both pipelines share one trained autoencoder:
# :class:`~sklearn.frozen.FrozenEstimator` wraps the fitted network so that the
# pipelines' ``fit`` leaves it as it is and only fits the later steps.
import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from sk_aecluster import AE2Encoder, TSNETransformer, clustering_accuracy_score
from sk_aecluster.datasets import load_digits_images

X, y = load_digits_images(return_X_y=True)
X_train, X_new, y_train, y_new = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0)
print(f"{len(X_train)} training images, {len(X_new)} new images")

ae = AE2Encoder(max_epochs=10, random_state=0).fit(X_train)

pipes = {
    "PCA(32)": Pipeline([
        ("ae", FrozenEstimator(ae)),
        ("reduce", PCA(32, random_state=0)),
        ("km", KMeans(10, n_init=10, random_state=0)),
    ]),
    "t-SNE(2)": Pipeline([
        ("ae", FrozenEstimator(ae)),
        ("reduce", TSNETransformer(2, random_state=0)),
        ("km", KMeans(10, n_init=10, random_state=0)),
    ]),
}
for pipe in pipes.values():
    pipe.fit(X_train)

# %%
# Label the new images
# --------------------
# ``predict`` runs the new images through every step. Two accuracies are
# worth telling apart on the new images:
#
# * the *clustering* accuracy, which matches clusters to digits afresh on the
#   new images (what :func:`~sk_aecluster.clustering_accuracy_score` does);
# * the *labelling* accuracy, which names each cluster after the digit it was
#   matched to on the training images and keeps that naming for the new ones:
#   this is what a user who inspected the training clusters once would get.


def cluster_names(y_true, clusters):
    """Map each cluster to the digit it matches best (Hungarian algorithm)."""
    table = contingency_matrix(y_true, clusters)
    digits, ids = linear_sum_assignment(table, maximize=True)
    return dict(zip(np.unique(clusters)[ids], np.unique(y_true)[digits], strict=True))


rows = []
for name, pipe in pipes.items():
    train_clusters = pipe.predict(X_train)
    new_clusters = pipe.predict(X_new)
    naming = cluster_names(y_train, train_clusters)
    named = np.array([naming.get(c, -1) for c in new_clusters])
    rows.append((name, clustering_accuracy_score(y_train, train_clusters),
                 clustering_accuracy_score(y_new, new_clusters),
                 accuracy_score(y_new, named)))
    print(f"{name:>8}: training images {rows[-1][1]:.3f} | new images: clustering "
          f"{rows[-1][2]:.3f}, labelling with the training names {rows[-1][3]:.3f}")

# %%
# With PCA both numbers on new images are close to the training accuracy:
# every step is a fixed function of the image once fitted. With t-SNE, new
# points are placed by optimising their position against their nearest
# training points, which also works well as long as the new images resemble
# the training ones; placing them costs an optimisation per batch, not a
# matrix product.
#
# Where the new images land
# -------------------------
# The training images (small, faint) and the new ones (large, outlined), in the
# first two principal components of the PCA step and in the t-SNE plane, both
# coloured by their true digit. New images fall among training images of the
# same digit in both views; the t-SNE view separates the digits more clearly.
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
colors = plt.get_cmap("tab10")
for ax, (name, pipe) in zip(axes, pipes.items(), strict=True):
    reduce = pipe[:-1]                  # autoencoder and reduction
    Z_train, Z_new = reduce.transform(X_train), reduce.transform(X_new)
    ax.scatter(Z_train[:, 0], Z_train[:, 1], c=colors(y_train), s=8, alpha=0.35,
               linewidths=0)
    ax.scatter(Z_new[:, 0], Z_new[:, 1], c=colors(y_new), s=22, edgecolors="black",
               linewidths=0.4)
    label = "PC" if name.startswith("PCA") else "t-SNE"
    ax.set_xlabel(f"{label} 1")
    ax.set_ylabel(f"{label} 2")
    ax.set_title(f"AE2 -> {name}: training (faint) and new (outlined) images")
handles = [plt.Line2D([], [], ls="", marker="o", color=colors(d), label=str(d))
           for d in range(10)]
axes[1].legend(handles=handles, title="digit", fontsize=8, loc="upper left",
               bbox_to_anchor=(1.0, 1.0), frameon=False)
fig.tight_layout()

# %%
# The same holds for any pipeline whose steps all have ``transform`` or
# ``predict``. To keep a fitted pipeline for later, fit it as a whole (without
# the :class:`~sklearn.frozen.FrozenEstimator` wrapper, which is not a
# storable step) and write it with :func:`~sk_aecluster.save_model`; see
# :ref:`persistence`.
