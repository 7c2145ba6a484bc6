"""
================================================
Q3: the latent codes in two dimensions, by label
================================================

The study's third question: *once the labels are known, visualise how they
are distributed in a two-dimensional view of the data.* The view is the one
the clustering itself used: the autoencoder's latent codes reduced to two
dimensions by t-SNE. Colouring the points by their true label shows whether
the classes form separate groups, and colouring them by cluster shows how
k-means cut the plane.

:class:`~sk_aecluster.plotting.EmbeddingDisplay` draws both panels from a
fitted pipeline; clusters take the colour of the class they are matched to,
so the two panels can be compared point by point.

**Size.** 1 797 digits, 10 epochs, t-SNE with its default settings: under a
minute. At full size pass the study's ``(n, 32, 32, 3)`` ``uint8`` images,
``max_epochs=100`` and ``KMeans(2)``.
"""

# %%
# One pipeline per autoencoder
# ----------------------------
# Autoencoder, then :class:`~sk_aecluster.TSNETransformer` to two dimensions,
# then k-means with one cluster per digit, as in the study's "AE + t-SNE(2)"
# rows.
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline

from sk_aecluster import AE1Encoder, AE2Encoder, TSNETransformer, clustering_accuracy_score
from sk_aecluster.datasets import load_digits_images
from sk_aecluster.plotting import EmbeddingDisplay

X, y = load_digits_images(return_X_y=True)  # (1797, 8, 8) uint8, digits 0-9


def tsne_pipeline(autoencoder):
    """Autoencoder -> t-SNE(2) -> k-means with 10 clusters."""
    return Pipeline([
        ("ae", autoencoder),
        ("tsne", TSNETransformer(2, random_state=0)),
        ("km", KMeans(10, n_init=10, random_state=0)),
    ])


pipes = {
    "AE1": tsne_pipeline(AE1Encoder(max_epochs=10, random_state=0)),
    "AE2": tsne_pipeline(AE2Encoder(max_epochs=10, random_state=0)),
}
accuracy = {}
for name, pipe in pipes.items():
    labels = pipe.fit_predict(X)
    accuracy[name] = clustering_accuracy_score(y, labels)
    print(f"{name} + t-SNE(2) + KMeans: clustering accuracy {accuracy[name]:.3f}")

# %%
# AE2's codes
# -----------
# ``EmbeddingDisplay.from_estimator`` takes the fitted pipeline: the points are
# the output of the steps before k-means (the t-SNE coordinates; the training
# images get their stored embedding), the left panel is coloured by k-means'
# clusters and the right one by the true digits.
display = EmbeddingDisplay.from_estimator(
    pipes["AE2"], X, y_true=y, axis_label="t-SNE",
    title=f"AE2 codes, t-SNE to 2-D (clustering accuracy {accuracy['AE2']:.2f})")

# %%
# Most digits form their own island. Where the right panel shows two colours
# in one island, or one colour split over two islands, k-means cannot be right
# for all of them: these are the confusions of the clustering. An island that
# k-means splits in two, or two islands it merges, shows in the left panel as
# a colour that differs from the right one.
#
# AE1's codes
# -----------
display = EmbeddingDisplay.from_estimator(
    pipes["AE1"], X, y_true=y, axis_label="t-SNE",
    title=f"AE1 codes, t-SNE to 2-D (clustering accuracy {accuracy['AE1']:.2f})")

# %%
# Reading the view with care
# --------------------------
# t-SNE keeps neighbourhoods, not distances: the size of an island and the gap
# between two islands mean little, and another seed or perplexity moves them
# around. What is reliable is which points are neighbours. To see the codes
# through a linear lens instead, embed them with PCA:
# ``EmbeddingDisplay.from_estimator(pipes["AE2"].named_steps["ae"], X, y_true=y)``
# projects the raw codes on their first two principal components.
