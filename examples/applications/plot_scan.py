"""
=========================================================
SCAN: clusters that agree with each image's neighbours
=========================================================

A contrastive encoder's features place images of one class near each other,
but not in round, evenly spread groups: k-means, even after a 2-D UMAP,
recovers less than the features hold. :class:`~sk_aecluster.SCAN` (the
clustering step of Van Gansbeke et al., 2020) uses the neighbours
directly: it mines the 20 nearest neighbours of every image in feature
space and trains small clustering heads so that an image and its
neighbours get the same cluster, while every cluster stays in use.

This example trains one :class:`~sk_aecluster.ContrastiveEncoder` on the
1 797 bundled digits and clusters its features twice, with the library's
recipe (UMAP, then k-means) and with SCAN. The two pipelines share the
encoder's fit through ``memory``.

**Size.** The recipe's encoder (32-64-128-256 channels, 30 epochs) and
SCAN's default 10 heads for 100 epochs: about a minute on two CPU cores.

**A caution.** SCAN is only as good as the neighbours: with a smaller
encoder (16-32-64 channels, 15 epochs) on the same digits, UMAP and k-means
reached 0.888 and SCAN 0.789. The rows on digits, USPS, MNIST and CIFAR-10
are in ``benchmarks/RESULTS.md``.
"""

# %%
# One encoder, two clustering steps
# ---------------------------------
from tempfile import mkdtemp

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from sk_aecluster import clustering_accuracy_score, make_recommended_pipeline

X, y = load_digits(return_X_y=True)
images = np.rint(X.reshape(-1, 8, 8) * 255 / 16).astype(np.uint8)  # (1797, 8, 8)
cache = mkdtemp()  # the encoder's fit, shared by both pipelines
encoder = dict(flip=False)  # a mirrored digit is another shape
pipes = {
    clusterer: make_recommended_pipeline(10, features="contrastive", clusterer=clusterer,
                                         features_params=encoder,
                                         random_state=0).set_params(memory=cache)
    for clusterer in ("kmeans", "scan")
}
labels = {name: pipe.fit_predict(images) for name, pipe in pipes.items()}
for name, lab in labels.items():
    print(f"{name:6s} accuracy {clustering_accuracy_score(y, lab):.3f}")

# %%
# What SCAN keeps
# ---------------
# SCAN trains ``n_heads`` heads from different starting weights and keeps
# the one with the lowest loss, a choice that needs no labels. The left
# panel shows each head's final loss against its accuracy (which does use
# the labels, here only to show how well the loss chooses); the right
# panel the training loss, the mean over the heads.
scan = pipes["scan"].named_steps["cluster"]
features = pipes["scan"].named_steps["contrastive"].transform(images)
module = scan.net_.module_
module.eval()
import torch  # noqa: E402

with torch.no_grad():
    logits = module(torch.as_tensor(features))  # (n, n_heads, 10)
head_acc = [clustering_accuracy_score(y, logits[:, h].argmax(1).numpy())
            for h in range(scan.n_heads)]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
ax1.scatter(scan.head_losses_, head_acc, color="tab:blue")
ax1.scatter(scan.head_losses_[scan.best_head_], head_acc[scan.best_head_],
            s=120, facecolors="none", edgecolors="tab:red", label="kept head")
ax1.axhline(clustering_accuracy_score(y, labels["kmeans"]), color="grey", ls="--",
            label="UMAP + k-means")
ax1.set_xlabel("head's loss in the last epoch")
ax1.set_ylabel("clustering accuracy")
ax1.legend()
ax2.plot(scan.history_[:, "train_loss"])
ax2.set_xlabel("epoch")
ax2.set_ylabel("SCAN loss (mean over heads)")
fig.tight_layout()
plt.show()

# %%
# ``predict`` assigns new images with the kept head alone; it does not need
# their neighbours. ``predict_proba`` gives the head's probabilities.
print("probabilities of the first image:", pipes["scan"].predict_proba(images[:1]).round(2))
