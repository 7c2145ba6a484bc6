"""Choosing without labels: the stability pick of recipe and k against the labels.

For each data set and seed, fits the candidate recipes of
``make_recommended_pipeline`` (autoencoder, HOG, contrastive) through
:class:`~sk_aecluster.StabilityRecipeSelector` with the true number of
classes, and reports each candidate's stability score and clustering
accuracy, the accuracy of the label-free pick against the best and worst
candidate, and the cost of scoring relative to fitting the candidates. Then
chooses k on the picked pipeline with :func:`~sk_aecluster.select_n_clusters`
(its fitted encoder reused) and reports the k chosen. The last column is what
``sk-aecluster cluster --recipe auto`` would keep from the same scores (the
shape rule's recipe first, kept at a score of 0.9 or more), with the cost of
the candidates it fits.

Usage::

    python benchmarks/bench_selection.py --datasets digits --seeds 0,1,2
    python benchmarks/bench_selection.py --tiny      # smoke size: 300 images, 1 epoch
    python benchmarks/bench_selection.py --datasets cifar10,cifar2 --seeds 1 --memory /tmp/sel
    python benchmarks/bench_selection.py --datasets digits --n-jobs 2   # parallel repeats
"""

import argparse
import json
import time
import warnings

from _common import machine_description
from _data import datasets

from sk_aecluster import (
    StabilityRecipeSelector,
    clustering_accuracy_score,
    make_recommended_pipeline,
    recommended_features,
    select_n_clusters,
)
from sk_aecluster.cli._recipes import AUTO_ACCEPT


def auto_pick(row, first):
    """What ``sk-aecluster cluster --recipe auto`` keeps from the same scores.

    It tries ``first`` (the shape rule's recipe), then the others in the
    selector's order, and keeps the first whose score reaches AUTO_ACCEPT,
    else the most stable; its cost counts the candidates it fitted.
    """
    scores = row["scores"]
    order = [first, *(c for c in scores if c != first)]
    tried = next((order[:i + 1] for i, c in enumerate(order) if scores[c] >= AUTO_ACCEPT),
                 order)
    pick = max(tried, key=lambda c: (scores[c], -tried.index(c)))
    cost = sum(row["fit_times"][c] + row["score_times"][c] for c in tried)
    return dict(auto_pick=pick, auto_accuracy=row["accuracy"][pick], auto_tried=tried,
                auto_cost_ratio=cost / row["fit_s"])


def run(name, X, y, seed, args):
    n_classes = len(set(y.tolist()))
    params = dict(max_epochs=args.ae_epochs, random_state=seed,
                  features_params={"contrastive": {"flip": False, "max_epochs": args.cl_epochs}})
    if args.tiny:
        params.update(max_epochs=1, features_params={"contrastive": {"flip": False,
                                                                     "max_epochs": 1}})
    sel = StabilityRecipeSelector(n_classes, recipe_params=params, n_jobs=args.n_jobs,
                                  random_state=seed)
    if args.memory:
        # the same pipelines as the recipe names give, with a cache: data sets of
        # the same images (CIFAR-10 and CIFAR-2) then share the encoders' fits
        sel.set_params(candidates=[(c, make_recommended_pipeline(
            n_classes, features=c,
            **{**params, "features_params": params["features_params"].get(c)},
        ).set_params(memory=args.memory)) for c in sel.candidates])
    start = time.perf_counter()
    sel.fit(X)
    total = time.perf_counter() - start
    acc = {c: clustering_accuracy_score(y, est[-1].labels_) for c, est in sel.estimators_.items()}
    fit_time = sum(sel.fit_times_.values())
    row = dict(dataset=name, seed=seed, scores=sel.scores_, accuracy=acc, pick=sel.best_name_,
               pick_accuracy=acc[sel.best_name_], best=max(acc.values()),
               worst=min(acc.values()), fit_s=fit_time, select_s=total,
               cost_ratio=total / fit_time, fit_times=sel.fit_times_,
               score_times=sel.score_times_)
    row.update(auto_pick(row, recommended_features(X)))
    ks = range(2, 13) if not args.tiny else range(2, 5)
    start = time.perf_counter()
    k, by_k = select_n_clusters(sel.best_estimator_, X, ks, n_repeats=args.k_repeats,
                                n_jobs=args.n_jobs, random_state=seed)
    row.update(k=k, n_classes=n_classes, k_scores=by_k, k_s=time.perf_counter() - start)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="digits")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--ae-epochs", type=int, default=100)
    parser.add_argument("--cl-epochs", type=int, default=30)
    parser.add_argument("--k-repeats", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=None, metavar="N",
                        help="run the score's repeats in N parallel jobs (the scores do "
                        "not change; the cost does)")
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--json", default=None, help="write the rows to this file")
    parser.add_argument("--memory", default=None, metavar="DIR",
                        help="cache the candidates' steps here (a Pipeline memory), so that "
                        "data sets of the same images (cifar10,cifar2) train each encoder "
                        "once; the fit times and cost ratios of rows served from the cache "
                        "then measure the cache, not the training")
    args = parser.parse_args()
    print(machine_description())
    rows = []
    for name, X, y in datasets(args.datasets, args.tiny):
        for seed in map(int, args.seeds.split(",")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row = run(name, X, y, seed, args)
            rows.append(row)
            print(json.dumps(row, default=float), flush=True)
            if args.json:
                with open(args.json, "w") as f:
                    json.dump(rows, f, indent=1, default=float)
    print("| data set | seed | stability (ae / hog / contrastive) | accuracy (ae / hog / "
          "contrastive) | pick | pick acc | best - pick | cost ratio | k chosen (true) | "
          "auto: tried, pick acc, cost ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        names = list(r["scores"])
        print(f"| {r['dataset']} | {r['seed']} | "
              + " / ".join(f"{r['scores'][c]:.3f}" for c in names) + " | "
              + " / ".join(f"{r['accuracy'].get(c, float('nan')):.3f}" for c in names)
              + f" | {r['pick']} | {r['pick_accuracy']:.3f} | {r['best'] - r['pick_accuracy']:.3f}"
              f" | {r['cost_ratio']:.2f} | {r['k']} ({r['n_classes']}) | "
              f"{', '.join(r['auto_tried'])}: {r['auto_accuracy']:.3f}, "
              f"{r['auto_cost_ratio']:.2f} |")


if __name__ == "__main__":
    main()
