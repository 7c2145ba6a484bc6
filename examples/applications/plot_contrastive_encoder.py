"""
===================================================
A contrastive encoder on patches of two photographs
===================================================

:class:`~sk_aecluster.ContrastiveEncoder` learns features without labels
the SimCLR way: two random distortions of one image (a crop, a mirror
image, a colour shift, greyscale) should map to nearby points, different
images to distant ones. What survives the distortions, mostly texture and
shape rather than colour, is what the features keep.

This example cuts 32x32 patches out of the two colour photographs that ship
with scikit-learn (a Chinese temple and a flower), shows the random views
the encoder trains on, trains a small encoder on the patches and asks
whether the features tell the two photographs apart, against the pixels.
On CIFAR-10 the same encoder at its default size is the first step of
``make_recommended_pipeline(k, features="contrastive")``; its numbers are
in ``benchmarks/RESULTS.md``.

**Size.** 800 patches and a network of 16-32-64 channels, trained for 15
epochs: well under a minute on two CPU cores.
"""

# %%
# Patches of two photographs
# --------------------------
# 400 patches at random positions in each photograph; the group of a patch
# is the photograph it comes from.
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.datasets import load_sample_images

from sk_aecluster import ContrastiveEncoder, clustering_accuracy_score
from sk_aecluster.contrastive import ContrastiveAugmentation

photos = load_sample_images().images  # two (427, 640, 3) uint8 photographs
rng = np.random.RandomState(0)
patches, source = [], []
for label, photo in enumerate(photos):
    h, w, _ = photo.shape
    for _ in range(400):
        i, j = rng.randint(0, h - 32), rng.randint(0, w - 32)
        patches.append(photo[i : i + 32, j : j + 32])
        source.append(label)
X, y = np.array(patches), np.array(source)  # (800, 32, 32, 3) uint8

fig, axes = plt.subplots(2, 8, figsize=(9, 2.6))
for row, label in enumerate([0, 1]):
    for ax, img in zip(axes[row], X[y == label][:8], strict=True):
        ax.imshow(img)
        ax.axis("off")
    axes[row, 0].set_title(["temple", "flower"][label], fontsize=9, loc="left")
fig.suptitle("Training patches, 32x32 pixels")
plt.show()

# %%
# The views the encoder trains on
# -------------------------------
# Every training step draws two random views of each image of the batch with
# :class:`~sk_aecluster.contrastive.ContrastiveAugmentation`: whole-batch
# tensor operations (on the GPU when training there). The estimator builds it
# from its own parameters (``crop_scale``, ``flip``, ``jitter_strength``,
# ``jitter_prob``, ``greyscale_prob``); here it is called directly, on images
# scaled to [-1, 1] as the network sees them.
augment = ContrastiveAugmentation()
batch = torch.from_numpy(X[::100][:6]).permute(0, 3, 1, 2).float() / 127.5 - 1
torch.manual_seed(0)
views = [augment(batch), augment(batch)]

fig, axes = plt.subplots(3, 6, figsize=(8, 4.2))
for col in range(6):
    for row, img in enumerate([batch[col], views[0][col], views[1][col]]):
        axes[row, col].imshow(((img.permute(1, 2, 0) + 1) / 2).clamp(0, 1).numpy())
        axes[row, col].axis("off")
for row, title in enumerate(["image", "view 1", "view 2"]):
    axes[row, 0].set_title(title, fontsize=9, loc="left")
fig.suptitle("Two random views of each image: the loss pulls them together")
plt.show()

# %%
# Training and the features
# -------------------------
# A small network (``width=16, depth=3``: 16-32-64 channels, 64 features).
# ``y`` is not passed: the encoder never sees the groups.
start = time.perf_counter()
enc = ContrastiveEncoder(width=16, depth=3, max_epochs=15, batch_size=128,
                         random_state=0).fit(X)
print(f"trained in {time.perf_counter() - start:.1f} s")
Z = enc.transform(X)
print("features:", Z.shape, Z.dtype)

fig, ax = plt.subplots(figsize=(4.5, 3))
ax.plot(enc.history_[:, "train_loss"], marker="o")
ax.set_xlabel("epoch")
ax.set_ylabel("NT-Xent loss")
ax.set_title("Training loss")
plt.tight_layout()
plt.show()

# %%
# Do the features tell the photographs apart?
# -------------------------------------------
# Two measures, each on the pixels and on the features. The recipe's
# clustering step (a 2-D UMAP, then k-means with two clusters), scored
# against the source photograph with
# :func:`~sk_aecluster.clustering_accuracy_score`. And, as a diagnostic that
# does use the labels, the 5-fold accuracy of a 20-nearest-neighbour
# classifier (cosine distance): how often a patch's neighbours come from its
# own photograph.
import umap
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

pixels = X.reshape(len(X), -1) / 255.0
embeddings = {}
for name, F in [("pixels", pixels), ("contrastive features", Z)]:
    E = umap.UMAP(n_components=2, n_neighbors=20, min_dist=0.0, random_state=0).fit_transform(F)
    labels = KMeans(2, n_init=10, random_state=0).fit_predict(E)
    knn = cross_val_score(KNeighborsClassifier(20, metric="cosine"), F, y, cv=5).mean()
    embeddings[name] = E
    print(f"{name:21s} UMAP + k-means accuracy {clustering_accuracy_score(y, labels):.3f}, "
          f"20-NN accuracy {knn:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
for ax, (name, E) in zip(axes, embeddings.items(), strict=True):
    for label, colour in [(0, "tab:blue"), (1, "tab:red")]:
        ax.scatter(*E[y == label].T, s=4, c=colour, label=["temple", "flower"][label])
    ax.set_title(f"UMAP of the {name}", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
axes[0].legend(markerscale=3, fontsize=8)
plt.tight_layout()
plt.show()

# %%
# Neighbours in feature space
# ---------------------------
# For a few patches, the five patches with the most similar features
# (cosine similarity): what the encoder considers alike.
unit = Z / np.linalg.norm(Z, axis=1, keepdims=True)
sim = unit @ unit.T
queries = [5, 150, 420, 700]
fig, axes = plt.subplots(len(queries), 6, figsize=(7, 5))
for row, q in enumerate(queries):
    near = np.argsort(-sim[q])[1:6]
    for col, idx in enumerate([q, *near]):
        axes[row, col].imshow(X[idx])
        axes[row, col].axis("off")
    axes[row, 0].set_title("query", fontsize=8, loc="left")
fig.suptitle("Each row: a patch and its five nearest neighbours in feature space")
plt.show()

# %%
# Using it on your images
# -----------------------
# ``make_recommended_pipeline(k, features="contrastive")`` builds
# ``ContrastiveEncoder → UMAP(2) → KMeans`` with the encoder's defaults
# (32-64-128-256 channels, 30 epochs, batch 256): about 8 minutes for
# 10,000 32x32 photographs on two CPU cores. For digits pass
# ``features_params={"flip": False}``. See :ref:`contrastive` in the user
# guide.
