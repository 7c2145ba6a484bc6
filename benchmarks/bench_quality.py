"""Clustering quality of the library's recipes against baselines and the study.

For each data set (the bundled digits and, where ``../shared/data`` exists,
USPS, MNIST test, CIFAR-2 and CIFAR-10) and each recipe, fits the recipe with
``fit_predict`` on all images (the transductive protocol) for several seeds
and prints clustering accuracy, NMI and ARI as mean [min-max], with the wall
time per fit, as a Markdown table.

Usage::

    python benchmarks/bench_quality.py --datasets digits
    python benchmarks/bench_quality.py --datasets usps,mnist --recipes recommended,n2d --seeds 0,1,2
    python benchmarks/bench_quality.py --tiny          # smoke size: 300 images, 1 epoch
    python benchmarks/bench_quality.py --recipes recommended --recommended-epochs 250
    python benchmarks/bench_quality.py --datasets mnist --recipes recommended --device cuda
    python benchmarks/bench_quality.py --datasets usps --recipes dec,idec,idec_recipe --seeds 0
    python benchmarks/bench_quality.py --datasets cifar2,cifar10 --recipes contrastive
    python benchmarks/bench_quality.py --datasets cifar2,cifar10 --recipes contrastive_bf16

The ``contrastive`` rows (``contrastive``, ``contrastive_scan`` and, named
only, ``contrastive_bf16``) are followed by a row with the 5-fold kNN accuracy
of the encoder's features (``benchmarks/_contrastive.py``).
"""

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
from _common import machine_description
from _contrastive import contrastive_recipes, knn_accuracy
from _data import LOADERS, DataNotFound
from _deep import deep_recipes
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sk_aecluster import (
    AE1Encoder,
    AE2Encoder,
    DenseAutoEncoder,
    HOGFeatures,
    TSNETransformer,
    clustering_accuracy_score,
    make_recommended_pipeline,
)


def _flat(X):
    return X.reshape(len(X), -1).astype(np.float32)


def _pad(X):
    return X.shape[1] % 8 != 0


def plain_adam(pipe):
    """``pipe`` with torch's default Adam kernel in its autoencoder (``fused=False``)."""
    for _, step in pipe.steps:
        if "optimizer_params" in step.get_params(deep=False):
            step.set_params(optimizer_params={"fused": False})
        if "encoder__optimizer_params" in step.get_params():  # DEC, IDEC
            step.set_params(encoder__optimizer_params={"fused": False})
    return pipe


def on_device(pipe, device):
    """``pipe`` with every step that trains a network on ``device``."""
    for _, step in pipe.steps:
        if "device" in step.get_params(deep=False):
            step.set_params(device=device)
        if "encoder__device" in step.get_params():  # DEC, IDEC: their encoder too
            step.set_params(encoder__device=device)
    return pipe


def recipes(X, k, seed, tiny, recommended_epochs=None, contrastive_epochs=None, bf16=False):
    """Recipe name -> unfitted pipeline for images ``X`` and ``k`` clusters."""
    ep = 1 if tiny else None
    rec_epochs = ep or recommended_epochs
    rec = {"max_epochs": rec_epochs} if rec_epochs else {}
    flat = ("flat", FunctionTransformer(_flat))
    km = ("km", KMeans(k, n_init=10, random_state=seed))
    tsne = ("tsne", TSNETransformer(random_state=seed, n_jobs=2))
    study = dict(max_epochs=ep or 20, random_state=seed, pad_images=_pad(X))
    out = {
        "kmeans_pixels": Pipeline([flat, km]),
        "pca32_kmeans": Pipeline([flat, ("pca", PCA(32, random_state=seed)), km]),
        "tsne_kmeans": Pipeline([flat, tsne, km]),
        "hog_kmeans": Pipeline([("hog", HOGFeatures()), km]),
        "ae1_pca32": Pipeline([("ae", AE1Encoder(**study)), ("pca32", PCA(32, random_state=seed)),
                               km]),
        "ae1_tsne2": Pipeline([("ae", AE1Encoder(**study)), tsne, km]),
        "ae2_pca32": Pipeline([("ae", AE2Encoder(**study)), ("pca32", PCA(32, random_state=seed)),
                               km]),
        "ae2_tsne2": Pipeline([("ae", AE2Encoder(**study)), tsne, km]),
        "recommended_tsne": make_recommended_pipeline(k, manifold="tsne", n_jobs=2,
                                                      random_state=seed, **rec),
    }
    try:
        import umap

        out["recommended"] = make_recommended_pipeline(k, random_state=seed, **rec)
        # the recipe for photographs and small images: HOG features, no autoencoder
        out["recommended_hog"] = make_recommended_pipeline(k, features="hog",
                                                           random_state=seed)

        def n2d_ae(**kw):
            kw = {"max_epochs": ep or 50, "batch_size": 256, "activation": "relu", **kw}
            return ("ae", DenseAutoEncoder(random_state=seed, **kw))

        def umap2():
            return ("umap", umap.UMAP(n_components=2, n_neighbors=20, min_dist=0.0,
                                      random_state=seed))

        out["n2d"] = Pipeline([
            flat,
            n2d_ae(),
            ("umap", umap.UMAP(n_components=k, n_neighbors=20, min_dist=0.0, random_state=seed)),
            ("gmm", GaussianMixture(k, covariance_type="full", random_state=seed)),
        ])
        # The steps from N2D to the recommended recipe, one change at a time
        out["n2d+umap2_kmeans"] = Pipeline([flat, n2d_ae(), umap2(), km])
        out["n2d+umap2_kmeans+leaky"] = Pipeline([
            flat, n2d_ae(activation="leaky_relu"), umap2(), km])
        out["n2d+umap2_kmeans+leaky+augment"] = Pipeline([
            n2d_ae(activation="leaky_relu", augment_shift=1.0, augment_rotation=5.0),
            umap2(), km])
        out["umap_kmeans"] = Pipeline([
            flat,
            ("umap", umap.UMAP(n_components=2, min_dist=0.0, random_state=seed)),
            km,
        ])
    except ImportError:
        pass
    out.update(deep_recipes(k, seed, tiny, recommended_epochs))  # DEC and IDEC (issue 16)
    out.update(contrastive_recipes(X, k, seed, tiny, contrastive_epochs, bf16))  # issue 15
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", default="digits,usps,mnist,cifar2,cifar10")
    p.add_argument("--recipes", default="all", help="comma-separated names, or 'all'")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--tiny", action="store_true", help="300 images, 1 epoch: a smoke test")
    p.add_argument("--recommended-epochs", type=int, default=None, metavar="N",
                   help="train the recommended recipes' autoencoder for N epochs "
                   "instead of the recipe's default")
    p.add_argument("--contrastive-epochs", type=int, default=None, metavar="N",
                   help="train the contrastive recipe's encoder for N epochs instead of "
                   "the recipe's default")
    p.add_argument("--plain-adam", action="store_true",
                   help="autoencoders with torch's default Adam kernel instead of the "
                   "fused one the library selects (how the rows marked so were measured)")
    p.add_argument("--device", default="cpu",
                   help="torch device of the networks (cpu, cuda, ...)")
    args = p.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(machine_description())
    print()
    print("| data | recipe | accuracy | NMI | ARI | time per fit (s) |")
    print("|---|---|---|---|---|---|")
    for name in args.datasets.split(","):
        try:
            X, y = LOADERS[name]()
        except DataNotFound as exc:
            print(f"| {name} | {exc} | | | | |")
            continue
        if args.tiny:
            idx = np.random.RandomState(0).permutation(len(X))[:300]
            X, y = X[idx], y[idx]
        k = len(np.unique(y))
        names = None if args.recipes == "all" else args.recipes.split(",")
        for recipe in (names or recipes(X, k, 0, args.tiny)):
            scores = {"acc": [], "nmi": [], "ari": [], "time": []}
            knn = []
            for seed in seeds:
                pipe = recipes(X, k, seed, args.tiny, args.recommended_epochs,
                               args.contrastive_epochs,
                               bf16=recipe == "contrastive_bf16").get(recipe)
                if pipe is None:
                    break
                if args.plain_adam:
                    pipe = plain_adam(pipe)
                pipe = on_device(pipe, args.device)
                start = time.perf_counter()
                labels = pipe.fit_predict(X)
                scores["time"].append(time.perf_counter() - start)
                scores["acc"].append(clustering_accuracy_score(y, labels))
                scores["nmi"].append(normalized_mutual_info_score(y, labels))
                scores["ari"].append(adjusted_rand_score(y, labels))
                knn.append(knn_accuracy(pipe, X, y, seed))
            if not scores["acc"]:
                print(f"| {name} | {recipe} | not available | | | |")
                continue

            def fmt(v):
                if len(v) == 1:
                    return f"{v[0]:.3f}"
                return f"{statistics.mean(v):.3f} [{min(v):.3f}-{max(v):.3f}]"

            print(f"| {name} | {recipe} | {fmt(scores['acc'])} | {fmt(scores['nmi'])} | "
                  f"{fmt(scores['ari'])} | {statistics.mean(scores['time']):.0f} |", flush=True)
            if all(v is not None for v in knn):
                accs = ", ".join(f"{v:.3f}" for v in scores["acc"])
                knns = ", ".join(f"{v:.3f}" for v in knn)
                print(f"| {name} | {recipe}: 5-fold kNN on its features | {fmt(knn)} | | | |")
                print(f"| {name} | {recipe}: per seed {args.seeds}: accuracy {accs}; "
                      f"kNN {knns} | | | | |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
