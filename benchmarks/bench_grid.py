"""A grid search that varies only the steps after the encoder trains it once.

Compares, in one process, one plain pipeline fit with a ``GridSearchCV`` of 8
candidates (PCA size x cluster count) over the same pipeline with
``Pipeline(memory=...)``, and counts the encoder fits (expected: 1, reused by
every candidate and by the final refit).

Usage::

    python benchmarks/bench_grid.py                      # AE1, 30 epochs, 5,000 images
    python benchmarks/bench_grid.py --model ae2 --epochs 2
    python benchmarks/bench_grid.py --n 200 --epochs 1   # smoke size
"""

import argparse
import sys
import tempfile

import numpy as np
from _common import machine_description, random_images, timed
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sk_aecluster import AE1Encoder, AE2Encoder, TransductiveSplit, clustering_accuracy_scorer
from sk_aecluster.autoencoder import BaseAutoEncoder


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--model", choices=["ae1", "ae2"], default="ae1")
    args = p.parse_args(argv)
    print(machine_description())

    X = random_images(args.n)
    y = np.random.RandomState(1).randint(0, 2, args.n)
    cls = {"ae1": AE1Encoder, "ae2": AE2Encoder}[args.model]

    def pipe(memory=None):
        return Pipeline([
            ("ae", cls(max_epochs=args.epochs, random_state=0)),
            ("pca", PCA(16, random_state=0)),
            ("km", KMeans(2, n_init=3, random_state=0)),
        ], memory=memory)

    fits = []
    original = BaseAutoEncoder.fit

    def counting_fit(self, X, y=None):
        fits.append(1)
        return original(self, X, y)

    BaseAutoEncoder.fit = counting_fit
    try:
        t_one, _ = timed(lambda: pipe().fit(X))
        fits.clear()
        with tempfile.TemporaryDirectory() as cache:
            grid = GridSearchCV(
                pipe(cache),
                {"pca__n_components": [8, 16], "km__n_clusters": [2, 3, 4, 5]},
                scoring=clustering_accuracy_scorer,
                cv=TransductiveSplit(),
            )
            t_grid, _ = timed(lambda: grid.fit(X, y))
    finally:
        BaseAutoEncoder.fit = original
    n_cand = len(grid.cv_results_["params"])
    print(f"{args.model.upper()}, {args.epochs} epochs, {args.n} images 32x32x3")
    print(f"one pipeline fit:            {t_one:8.2f} s")
    print(f"grid of {n_cand} candidates + refit: {t_grid:8.2f} s")
    print(f"ratio grid / one fit:        {t_grid / t_one:8.2f}")
    print(f"encoder fits in the grid:    {len(fits):8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
