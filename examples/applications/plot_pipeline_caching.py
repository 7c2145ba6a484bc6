"""
=====================================================================
Grid search over latent size and PCA size, training each network once
=====================================================================

A grid over the autoencoder's latent size *and* the PCA size has many
candidates that share the same autoencoder: with three latent sizes and three
PCA sizes, nine candidates but only three distinct networks. A plain
:class:`~sklearn.model_selection.GridSearchCV` trains a network for every
candidate, and once more to refit the best one. Giving the pipeline a
``memory`` (a :class:`joblib.Memory` cache) makes every candidate after the
first with the same autoencoder parameters load the fitted network and its
codes from disk, so only PCA and k-means are fitted again.

This example runs the same grid without and with the cache and compares the
results and the time each candidate took.

**Size.** 5 epochs on the 1 797 digits, 3 x 3 candidates: well under a minute
with the cache. At full size (the study's ``(n, 32, 32, 3)`` ``uint8``
images, ``max_epochs=100``) the autoencoder dominates the cost even more, and
the saving grows accordingly.
"""

# %%
# The pipeline and the grid
# -------------------------
# ``latent_channels`` sets AE2's code size (on 8x8 images the code is
# ``latent_channels x 1 x 1``), ``pca__n_components`` the size after PCA. The
# protocol is the study's: fit on all images, score the clusters against the
# labels (:class:`~sk_aecluster.TransductiveSplit`).
import time
from tempfile import mkdtemp

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from joblib import Memory
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sk_aecluster import AE2Encoder, TransductiveSplit, clustering_accuracy_scorer
from sk_aecluster.datasets import load_digits_images

X, y = load_digits_images(return_X_y=True)

param_grid = {
    "ae__latent_channels": [16, 32, 64],
    "pca__n_components": [4, 8, 16],
}


def make_search(memory):
    """The grid search, with the pipeline's fitted steps cached in ``memory``."""
    pipe = Pipeline(
        [
            ("ae", AE2Encoder(max_epochs=5, random_state=0)),
            ("pca", PCA(random_state=0)),
            ("km", KMeans(10, n_init=10, random_state=0)),
        ],
        memory=memory,
    )
    return GridSearchCV(pipe, param_grid, scoring=clustering_accuracy_scorer,
                        cv=TransductiveSplit())


# %%
# Without a cache
# ---------------
start = time.perf_counter()
plain = make_search(memory=None).fit(X, y)
plain_time = time.perf_counter() - start
print(f"without cache: {plain_time:.1f} s")
print(f"best candidate: {plain.best_params_}, accuracy {plain.best_score_:.3f}")

# %%
# With a cache
# ------------
# The cache is a folder on disk. The autoencoder needs an integer
# ``random_state``: the cache returns the result of the first fit for equal
# parameters and data, which is only right if fitting is deterministic.
cache_dir = mkdtemp(prefix="sk_aecluster_cache_")
start = time.perf_counter()
cached = make_search(memory=Memory(cache_dir, verbose=0)).fit(X, y)
cached_time = time.perf_counter() - start
print(f"with cache: {cached_time:.1f} s")
print(f"best candidate: {cached.best_params_}, accuracy {cached.best_score_:.3f}")
print(f"speed-up: {plain_time / cached_time:.1f}x")

# %%
# Same results
# ------------
# Caching changes where a fitted network comes from, not what it is: every
# candidate gets the same score.
assert np.array_equal(plain.cv_results_["mean_test_score"],
                      cached.cv_results_["mean_test_score"])
results = pd.DataFrame({
    "latent channels": plain.cv_results_["param_ae__latent_channels"],
    "PCA components": plain.cv_results_["param_pca__n_components"],
    "accuracy": plain.cv_results_["mean_test_score"],
    "fit time, no cache (s)": plain.cv_results_["mean_fit_time"],
    "fit time, cache (s)": cached.cv_results_["mean_fit_time"],
})
results.round(3)

# %%
# Time per candidate
# ------------------
# Without the cache every candidate pays for training a network. With it,
# the first candidate of each latent size trains one (and stores it); the
# other two load it and fit only PCA and k-means. The refit of the best
# candidate at the end is a cache hit too.
labels = [f"{lc} / {nc}" for lc, nc in zip(results["latent channels"],
                                         results["PCA components"], strict=True)]
xs = np.arange(len(labels))
fig, (ax_time, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
ax_time.bar(xs - 0.2, results["fit time, no cache (s)"], 0.4, label="no cache")
ax_time.bar(xs + 0.2, results["fit time, cache (s)"], 0.4, label="joblib.Memory cache")
ax_time.set_xticks(xs, labels, rotation=45, ha="right")
ax_time.set_xlabel("latent channels / PCA components")
ax_time.set_ylabel("fit time of the candidate (s)")
ax_time.set_title(f"Grid search: {plain_time:.0f} s without cache, "
                  f"{cached_time:.0f} s with")
ax_time.legend()

table = results.pivot(index="latent channels", columns="PCA components", values="accuracy")
im = ax_acc.imshow(table.to_numpy(), cmap="viridis", vmin=0, vmax=1)
for (i, j), value in np.ndenumerate(table.to_numpy()):
    ax_acc.text(j, i, f"{value:.3f}", ha="center", va="center",
                color="black" if value > 0.6 else "white")
ax_acc.set_xticks(range(table.shape[1]), table.columns)
ax_acc.set_yticks(range(table.shape[0]), table.index)
ax_acc.set_xlabel("PCA components")
ax_acc.set_ylabel("latent channels")
ax_acc.set_title("Clustering accuracy per candidate")
fig.colorbar(im, ax=ax_acc, label="clustering accuracy")
fig.tight_layout()

# %%
# Clean up
# --------
# The cache keeps every fitted network and its codes; remove it when the
# search is done.
Memory(cache_dir, verbose=0).clear(warn=False)

# %%
# Notes
# -----
# * Cached steps are keyed by their parameters *and* their input data. With a
#   splitter such as :class:`~sklearn.model_selection.KFold`, each network is
#   trained once per fold instead of once in total.
# * The first step's input is hashed on every call; for very large arrays
#   that costs seconds, still little next to training a network.
# * More tips on speed, including threads and GPUs, are in :ref:`performance`.
