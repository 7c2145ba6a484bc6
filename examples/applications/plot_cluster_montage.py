"""
===========================================
Look inside the clusters: a montage of each
===========================================

Scores compare a clustering with labels you already have; to see what a
clustering found, look at its images. :class:`~sk_aecluster.ClusterMontageDisplay`
draws one row per cluster: the images closest to the cluster's centre, which
show what it stands for, and a random sample of the others, which shows how
mixed it is. With labels, :class:`~sk_aecluster.ClusterConfusionDisplay`
tells which classes each cluster holds.

We cluster scikit-learn's bundled 8x8 digits with a small autoencoder, PCA
and k-means (a few seconds on a laptop CPU). The same calls work for any
fitted clustering pipeline, e.g. :func:`~sk_aecluster.make_recommended_pipeline`,
and for colour images of any size.
"""

# %%
# Fit a clustering pipeline
# -------------------------
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline

from sk_aecluster import AE2Encoder, clustering_accuracy_score
from sk_aecluster.datasets import load_digits_images

digits = load_digits_images()
X, y = digits.images, digits.target  # (1797, 8, 8) uint8, digits 0-9
pipe = Pipeline([
    ("ae", AE2Encoder(max_epochs=6, random_state=0)),
    ("pca", PCA(16, random_state=0)),
    ("km", KMeans(10, n_init=10, random_state=0)),
])
labels = pipe.fit_predict(X)
print(f"clustering accuracy {clustering_accuracy_score(y, labels):.3f}")

# %%
# One row per cluster
# -------------------
# ``from_estimator`` measures closeness where k-means works: the PCA output,
# ``pipe[:-1].transform(X)``, against k-means' ``cluster_centers_``. The
# random sample is drawn among each cluster's other images with
# ``random_state=0``, so the figure is the same on every run.
from sk_aecluster import ClusterMontageDisplay

montage = ClusterMontageDisplay.from_estimator(pipe, X, n_closest=8, n_random=8)
print("closest to the centre of cluster", montage.cluster_labels[0], ":",
      montage.closest_indices[0].tolist())

# %%
# Which classes each cluster holds
# --------------------------------
# Rows are clusters and columns digits, ordered so that the pairs matched by
# the Hungarian algorithm lie on the (outlined) diagonal; the diagonal's share
# is the clustering accuracy. Off-diagonal counts name the digits a cluster
# mixes up.
from sk_aecluster import ClusterConfusionDisplay

confusion = ClusterConfusionDisplay.from_predictions(y, labels)
print(f"accuracy from the diagonal: {confusion.accuracy_:.3f}")

# %%
# A closer look at the most mixed cluster
# ---------------------------------------
# The cluster whose matched digit makes up the smallest share of it, with a
# larger random sample: ``clusters=`` picks the rows to draw. Its closest
# images are typical of its digit, the sample shows the intruders.
import numpy as np

matrix = confusion.confusion_matrix
purity = np.diag(matrix) / matrix[: len(np.diag(matrix))].sum(axis=1)
mixed = confusion.cluster_labels[int(np.argmin(purity))]
print(f"cluster {mixed}: {purity.min():.0%} of it is its matched digit")
ClusterMontageDisplay.from_estimator(
    pipe, X, clusters=[mixed], n_closest=6, n_random=18, title=f"Cluster {mixed}"
)

# %%
# From labels alone
# -----------------
# ``from_predictions`` takes labels from any clusterer, here agglomerative
# clustering, which has no ``predict`` and no centres. Given the array that
# was clustered as ``features``, the closest images are those nearest each
# cluster's mean; without it only the random sample is drawn.
from sklearn.cluster import AgglomerativeClustering

codes = pipe[:-1].transform(X)
agglo = AgglomerativeClustering(10).fit_predict(codes)
ClusterMontageDisplay.from_predictions(
    X, agglo, features=codes, n_closest=5, n_random=5,
    title="Agglomerative clustering of the same codes",
)
