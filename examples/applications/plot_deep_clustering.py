"""
=====================================================
Deep clustering: DEC and IDEC fine-tune the encoder
=====================================================

:class:`~sk_aecluster.DEC` and :class:`~sk_aecluster.IDEC` start where an
encoder-then-k-means pipeline ends: from k-means centres in the latent space
of a pre-trained autoencoder. They then train the encoder and the centres
together, pulling each image's soft assignment towards a sharpened version
of itself; IDEC keeps the reconstruction loss so that the latent space keeps
its shape.

This example pre-trains one small dense autoencoder on the 1 797 digits,
clusters its codes with k-means, and fine-tunes it with DEC and with IDEC.
Both share the pre-training through ``memory``: the second fit loads the
encoder from the cache instead of training it again.

**Size.** A ``64-128-64-10`` autoencoder, 20 epochs, at most 400 fine-tuning
batches: well under 30 seconds on two CPU cores. The papers' setting
(``d-500-500-2000-10``, longer training) and its numbers on USPS and MNIST
are in ``benchmarks/RESULTS.md``.
"""

# %%
# Pre-training and the k-means start
# ----------------------------------
from tempfile import mkdtemp

import matplotlib.pyplot as plt
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

from sk_aecluster import DEC, IDEC, DenseAutoEncoder, clustering_accuracy_score

X, y = load_digits(return_X_y=True)
ae = DenseAutoEncoder(hidden_units=(128, 64), latent_dim=10, max_epochs=20,
                      batch_size=128, random_state=0)
cache = mkdtemp()  # pre-trained encoders, keyed by their parameters and X
common = dict(encoder=ae, update_interval=30, max_iter=400, batch_size=128,
              memory=cache, random_state=0)

dec = DEC(10, **common).fit(X)
# the starting point: KMeans(10, n_init=20) on the pre-trained codes, as DEC's init
start = KMeans(10, n_init=20, random_state=0).fit_predict(
    DEC(10, **{**common, "max_iter": 0}).fit(X).encoder_.transform(X))
idec = IDEC(10, gamma=0.1, **common).fit(X)

scores = {
    "k-means on\npre-trained codes": clustering_accuracy_score(y, start),
    "DEC": clustering_accuracy_score(y, dec.labels_),
    "IDEC": clustering_accuracy_score(y, idec.labels_),
}
for name, acc in scores.items():
    print(f"{name.replace(chr(10), ' '):28s} accuracy {acc:.3f}")
print(f"pre-training: {dec.pretrain_time_:.1f} s for DEC, "
      f"{idec.pretrain_time_:.1f} s for IDEC (loaded from the cache)")

# %%
# What the fine-tuning did
# ------------------------
# The history has one row per update interval: ``delta_label`` is the share
# of images that changed cluster at that target update. Training stops when
# it drops below ``tol`` (0.1%) or after ``max_iter`` batches.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
ax1.bar(list(scores), list(scores.values()), color=["grey", "tab:blue", "tab:orange"])
ax1.set_ylim(0.5, 1.0)
ax1.set_ylabel("clustering accuracy")
for est, name in ((dec, "DEC"), (idec, "IDEC")):
    h = est.history_
    batches = [sum(h[: i + 1, "train_batch_count"]) for i in range(len(h))]
    ax2.plot(batches, h[:, "delta_label"], marker=".", label=name)
ax2.set_yscale("log")
ax2.set_xlabel("fine-tuning batches")
ax2.set_ylabel("share of labels changed")
ax2.legend()
fig.tight_layout()
plt.show()

# %%
# ``n_iter_`` and ``converged_`` say how training ended; ``predict_proba``
# gives the soft assignments and ``transform`` the fine-tuned codes.
print(f"DEC: {dec.n_iter_} batches, converged: {dec.converged_}; "
      f"IDEC: {idec.n_iter_} batches, converged: {idec.converged_}")
print("soft assignments of the first image:", idec.predict_proba(X[:1]).round(2))
