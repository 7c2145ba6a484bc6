"""
===========================================================
Quick start: cluster digits with AE2Encoder, PCA and KMeans
===========================================================

The shortest useful sk_aecluster program: an autoencoder learns to compress
images without labels, PCA shortens its codes, and k-means groups them. We
cluster scikit-learn's bundled handwritten digits and, since we happen to
know which digit each image shows, measure how well the clusters match the
digits.

The example trains for 20 epochs on 1 797 grey 8x8 images, about ten seconds
on a laptop CPU. At full size, as in the study, ``X`` would hold 32x32 colour
images of shape ``(n, 32, 32, 3)`` with dtype ``uint8`` and the autoencoder
would train for 100 epochs or more; nothing else in the code changes.
"""

# %%
# Load the digits as images
# -------------------------
# :func:`~sk_aecluster.datasets.load_digits_images` returns scikit-learn's
# digits as 8x8 images with 8-bit pixel values, the format photographs usually
# come in. The autoencoders scale ``uint8`` pixels to ``[-1, 1]`` as
# ``x / 127.5 - 1``, exactly as in the study.
import matplotlib.pyplot as plt
import numpy as np

from sk_aecluster.datasets import load_digits_images

images, y = load_digits_images(return_X_y=True)  # (1797, 8, 8) uint8, labels 0-9
print(f"{images.shape[0]} images of {images.shape[1]}x{images.shape[2]} pixels, "
      f"dtype {images.dtype}, labels {np.unique(y).tolist()}")

fig, axes = plt.subplots(2, 10, figsize=(8, 2))
for ax, image, label in zip(axes.ravel(), images[:20], y[:20], strict=True):
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
    ax.set_title(str(label), fontsize=9)
    ax.set_axis_off()
fig.suptitle("The first 20 digits and their labels")
fig.tight_layout()

# %%
# Build and fit the pipeline
# --------------------------
# :class:`~sk_aecluster.AE2Encoder` is the deeper of the study's two
# autoencoders. In a :class:`~sklearn.pipeline.Pipeline` its ``transform``
# hands the latent codes to :class:`~sklearn.decomposition.PCA`, whose 32
# components go to :class:`~sklearn.cluster.KMeans`. Fixing every
# ``random_state`` makes the result reproducible bit for bit.
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline

from sk_aecluster import AE2Encoder, clustering_accuracy_score

pipe = Pipeline([
    ("ae", AE2Encoder(max_epochs=20, random_state=0)),
    ("pca", PCA(32, random_state=0)),
    ("km", KMeans(10, n_init=10, random_state=0)),
])
labels = pipe.fit_predict(images)

ae = pipe.named_steps["ae"]
print(f"trained {ae.n_epochs_} epochs in {ae.fit_time_:.1f} s; "
      f"latent code: {ae.latent_shape_} = {ae.transform(images[:1]).shape[1]} values")
print(f"reconstruction loss (MSE on the [-1, 1] scale): {-ae.score(images):.4f}")

# %%
# Measure the clustering
# ----------------------
# The cluster numbers are arbitrary, so
# :func:`~sk_aecluster.clustering_accuracy_score` first matches clusters to
# digits one to one (Hungarian algorithm) and then counts the images whose
# cluster maps to their digit. For comparison we also run k-means on the raw
# pixels.
accuracy = clustering_accuracy_score(y, labels)
raw = KMeans(10, n_init=10, random_state=0).fit_predict(images.reshape(len(images), -1))
print(f"clustering accuracy, AE2 -> PCA(32) -> KMeans: {accuracy:.3f}")
print(f"clustering accuracy, KMeans on raw pixels:    {clustering_accuracy_score(y, raw):.3f}")

# %%
# On these tiny, centred 8x8 digits the raw pixels are already a strong
# representation, and a short training run does not beat them by much, if at
# all. Whether an autoencoder helps depends on the data, so always keep such a
# baseline next to your pipeline; the study's 32x32 colour images are a case
# where a deeper autoencoder (AE2) clearly beat a shallow one (AE1).
#
# Which digits end up together? The contingency table counts, for every digit,
# the images in each cluster; clusters are ordered by the digit they are
# matched to, so a good clustering has most counts on the diagonal.
from scipy.optimize import linear_sum_assignment
from sklearn.metrics.cluster import contingency_matrix

table = contingency_matrix(y, labels)
_, order = linear_sum_assignment(table, maximize=True)
table = table[:, order]

fig, ax = plt.subplots(figsize=(5.5, 4.5))
im = ax.imshow(table, cmap="Blues")
for (i, j), count in np.ndenumerate(table):
    ax.text(j, i, count, ha="center", va="center", fontsize=7,
            color="white" if count > table.max() / 2 else "black")
ax.set_xticks(range(10), [f"c{c}" for c in order])
ax.set_yticks(range(10))
ax.set_xlabel("cluster (ordered by matched digit)")
ax.set_ylabel("true digit")
ax.set_title(f"AE2 -> PCA(32) -> KMeans, accuracy {accuracy:.2f}")
fig.colorbar(im, ax=ax, label="number of images")
fig.tight_layout()

# %%
# The fitted pipeline labels new images with ``pipe.predict``; see
# :ref:`sphx_glr_auto_examples_applications_plot_out_of_sample.py`. To compare
# autoencoders and reductions, continue with the study's
# :ref:`Q1 table <sphx_glr_auto_examples_study_plot_q1_table.py>`.
