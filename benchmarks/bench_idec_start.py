"""Where IDEC started from the recommended recipe loses or gains accuracy.

IDEC started from the recipe (``idec_recipe`` of ``bench_quality.py``)
takes three steps, and this script measures the accuracy after each:

1. ``init``: the recipe's UMAP -> k-means labels of the pre-trained codes
   (what the recipe itself would answer, up to k-means' ``n_init``);
2. ``start``: the labels the fine-tuning starts from: each sample's nearest
   starting centre (the means of the codes over the ``init`` labels) in the
   codes' own space, which is what the soft assignments q give before the
   first step (Student's t kernel, monotone in the distance);
3. ``idec ...``: the labels after the fine-tuning, for each setting given.

The encoder is pre-trained once per data set and seed (cached through
``benchmarks/_deep.py``'s ``MEMORY``), so each further setting costs only
its fine-tuning.

Usage::

    python benchmarks/bench_idec_start.py --datasets digits --seeds 0,1,2 \\
        --settings "lr=1e-3;lr=1e-4;max_iter=500"
    python benchmarks/bench_idec_start.py --tiny
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from _common import machine_description
from _data import datasets
from _deep import deep_recipes
from sklearn.base import clone

from sk_aecluster import clustering_accuracy_score
from sk_aecluster.cluster._start import initial_centers, pretrained_encoder


def parse_settings(text):
    """``"lr=1e-3;max_iter=500,lr=1e-4"`` -> list of dicts of IDEC parameters."""
    out = []
    for setting in filter(None, (s.strip() for s in text.split(";"))):
        params = {}
        for item in setting.split(","):
            key, text = item.split("=")
            params[key.strip()] = int(text) if text.strip().isdigit() else float(text)
        out.append(params)
    return out


def run(X, y, seed, settings, tiny):
    """Accuracies of init, start and each IDEC setting for one seed."""
    k = len(np.unique(y))
    pipe = deep_recipes(k, seed, tiny)["idec_recipe"]
    idec = pipe.named_steps["idec"]
    encoder = pretrained_encoder(idec.encoder, X, seed, idec.memory)
    Z = encoder.transform(X)
    init_labels = clone(idec.init).fit_predict(Z)
    centers = initial_centers(idec.init, Z, k, seed, "IDEC")
    start_labels = ((Z[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1)
    row = {"init": clustering_accuracy_score(y, init_labels),
           "start": clustering_accuracy_score(y, start_labels)}
    for params in settings:
        est = clone(pipe).set_params(**{f"idec__{key}": v for key, v in params.items()})
        t0 = time.perf_counter()
        labels = est.fit_predict(X)
        name = "idec " + ", ".join(f"{key}={v:g}" for key, v in params.items())
        row[name] = clustering_accuracy_score(y, labels)
        row[name + " (s, iterations)"] = (time.perf_counter() - t0, est[-1].n_iter_)
    return row


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", default="digits")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--settings", default="lr=1e-3;lr=1e-4;max_iter=500",
                   help="IDEC parameter settings, ';' between settings, ',' within one")
    p.add_argument("--tiny", action="store_true", help="300 images, 1 epoch: a smoke test")
    args = p.parse_args()
    warnings.filterwarnings("ignore")
    settings = parse_settings(args.settings)
    print(machine_description())
    for name, X, y in datasets(args.datasets, args.tiny):
        rows = []
        for seed in map(int, args.seeds.split(",")):
            rows.append(run(X, y, seed, settings, args.tiny))
            print(f"{name} seed {seed}: " + "; ".join(
                f"{key} {v:.3f}" if isinstance(v, float) else f"{key} {v[0]:.0f} s, {v[1]}"
                for key, v in rows[-1].items()), flush=True)
        print(f"\n| data | step | accuracy (seeds {args.seeds}) |\n|---|---|---|")
        for key in rows[0]:
            if key.endswith("iterations)"):
                continue
            vals = [r[key] for r in rows]
            print(f"| {name} | {key} | {statistics.mean(vals):.3f} ["
                  f"{min(vals):.3f}-{max(vals):.3f}]: " + ", ".join(f"{v:.3f}" for v in vals)
                  + " |")


if __name__ == "__main__":
    main()
