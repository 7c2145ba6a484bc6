"""
=====================================
The recommended recipe on the digits
=====================================

:func:`~sk_aecluster.make_recommended_pipeline` is the library's answer to
"I have images and want *k* groups": features, UMAP to two dimensions, and
k-means. The features are the codes of a fully connected autoencoder trained
on randomly shifted and rotated copies of the images (the default, for grey
images of 16x16 pixels and more), or histograms of oriented gradients
(``features="hog"``, for colour photographs and small images). This example
runs both on scikit-learn's 1,797 bundled 8x8 digits, where the rule picks
HOG, compares them with clustering the pixels directly, and shows where the
errors are.

**Size.** The autoencoder's 250 epochs on 1,797 small images take about a
minute on two CPU cores, the HOG recipe seconds. ``benchmarks/RESULTS.md``
has the same comparison on USPS, MNIST and CIFAR over three seeds, with the
peers.
"""

# %%
# Fit both recipes and two pixel-space baselines
# ----------------------------------------------
# All three use the transductive protocol of the study: fit on every image
# and compare the clusters with the labels, which the pipelines never see.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sk_aecluster import TSNETransformer, clustering_accuracy_score, make_recommended_pipeline
from sk_aecluster.datasets import load_digits_images

X, y = load_digits_images(return_X_y=True)  # uint8, (1797, 8, 8)
flat = FunctionTransformer(lambda images: images.reshape(len(images), -1) / 255.0)

candidates = {
    "k-means on pixels": Pipeline([("flat", flat), ("km", KMeans(10, n_init=10, random_state=0))]),
    "t-SNE + k-means on pixels": Pipeline([
        ("flat", flat), ("tsne", TSNETransformer(random_state=0)),
        ("km", KMeans(10, n_init=10, random_state=0)),
    ]),
    "recipe, autoencoder": make_recommended_pipeline(10, random_state=0),
    'recipe, features="hog"': make_recommended_pipeline(10, features="hog", random_state=0),
}
labels = {}
for name, pipe in candidates.items():
    start = time.perf_counter()
    labels[name] = pipe.fit_predict(X)
    print(f"{name:27s} accuracy {clustering_accuracy_score(y, labels[name]):.3f}  "
          f"NMI {normalized_mutual_info_score(y, labels[name]):.3f}  "
          f"({time.perf_counter() - start:.0f} s)")

# %%
# What the recipe does
# --------------------
# The pipelines' steps are ordinary scikit-learn estimators, so every choice
# can be changed with ``set_params`` or tuned in a grid search. The HOG
# features of these 8x8 images use 1-pixel cells (an eighth of the side).
for recipe in ("recipe, autoencoder", 'recipe, features="hog"'):
    for name, step in candidates[recipe].steps:
        print(f"{name:8s} {step}")
print("HOG cell size:", candidates['recipe, features="hog"'].named_steps["hog"].cell_size_)

# %%
# The autoencoder's training loss comes from skorch's history (``history_``).
# The images are augmented, so the loss measures how well the network
# reconstructs shifted and rotated digits, not the originals.
ae = candidates["recipe, autoencoder"].named_steps["ae"]
loss = ae.history_[:, "train_loss"]
fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
ax.plot(np.arange(1, len(loss) + 1), loss)
ax.set(xlabel="epoch", ylabel="reconstruction MSE", yscale="log",
       title="Autoencoder training (augmented images)")

# %%
# The 2-D map the clusters are found in
# -------------------------------------
# Each point is one digit image placed by UMAP, coloured by its true class:
# on the left from the autoencoder's codes, on the right from the HOG
# features. Tight, separate groups are what make k-means work; a class in
# two pieces, or two classes in one group, is where the clustering errs.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), layout="constrained")
for ax, recipe in zip(axes, ("recipe, autoencoder", 'recipe, features="hog"'), strict=True):
    emb = candidates[recipe][:-1].transform(X)
    points = ax.scatter(emb[:, 0], emb[:, 1], c=y, cmap="tab10", s=4)
    ax.set(title=f"UMAP, {recipe}", xticks=[], yticks=[])
fig.colorbar(points, ax=axes, label="true digit")

# %%
# Where the HOG recipe errs
# -------------------------
# The contingency table counts, for each true digit (rows), how its images
# were split among the clusters (columns, reordered to best match the
# digits). Off-diagonal counts are the errors.
from scipy.optimize import linear_sum_assignment  # noqa: E402

table = contingency_matrix(y, labels['recipe, features="hog"'])
rows, cols = linear_sum_assignment(-table)
table = table[:, cols]
fig, ax = plt.subplots(figsize=(5.5, 5), layout="constrained")
ax.imshow(table, cmap="Blues")
for (i, j), count in np.ndenumerate(table):
    if count:
        ax.text(j, i, count, ha="center", va="center", fontsize=7,
                color="white" if count > table.max() / 2 else "black")
ax.set(xlabel="cluster (matched)", ylabel="true digit", xticks=range(10), yticks=range(10),
       title="True digits against clusters")

# %%
# The misplaced images themselves, grouped by true digit, with the digit their
# cluster was matched to. Two kinds dominate. Nines: at 8x8 pixels a nine
# drawn with an open loop looks like a four, one with a closed tail like an
# eight. And, with this seed only, a group of sevens whose top curls like a
# two's, put in the twos' cluster. The nines (and a few eights read as ones) are
# misplaced whatever the seed, which is what holds the recipe just under
# 0.97 on these digits (``benchmarks/RESULTS.md`` lists what was tried
# against it).
digit_of_cluster = np.empty(10, dtype=int)
digit_of_cluster[cols] = rows
matched = digit_of_cluster[labels['recipe, features="hog"']]
wrong = np.flatnonzero(matched != y)
wrong = wrong[np.lexsort((matched[wrong], y[wrong]))]
n_rows = min(8, -(-len(wrong) // 12))
fig, axes = plt.subplots(n_rows, 12, figsize=(9, 0.9 * n_rows + 0.4), layout="constrained",
                         squeeze=False)
for ax in axes.flat:
    ax.set_axis_off()
for ax, i in zip(axes.flat, wrong, strict=False):
    ax.imshow(X[i], cmap="gray_r")
    ax.set_title(f"{y[i]} as {matched[i]}", fontsize=7)
shown = "" if len(wrong) <= axes.size else f" (the first {axes.size})"
fig.suptitle(f"{len(wrong)} of {len(y)} images misplaced{shown}")

# %%
# One run on one seed says little about a recipe. Over three seeds
# (``benchmarks/RESULTS.md``) the HOG recipe averages 0.966 on these digits
# (0.962-0.970), against 0.937 for t-SNE on the pixels and 0.848 for the
# autoencoder recipe, whose UMAP map splits one digit and merges two others
# on most seeds: images of 8x8 pixels give the autoencoder little to learn.
# On larger grey digits the autoencoder wins: 0.981 on USPS and 0.977 on
# MNIST's test set (HOG: 0.948 and 0.974), where t-SNE or UMAP on the pixels
# reach about 0.81 and 0.80 and the plain N2D recipe 0.915 and 0.830.
