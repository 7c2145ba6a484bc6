"""``sk-aecluster cluster``: fit a recipe's pipeline on images and label them."""

import contextlib
import time
import warnings

from .._version import __version__
from . import _console, _recipes
from ._common import EXIT_OK, InputError, Interrupted
from ._inputs import check_device, check_out_vs_input, describe, load_input
from ._interrupt import interrupt_requested
from ._outputs import (
    OutputDir,
    clusterer_input,
    fit_summary,
    input_metrics,
    network_step,
    print_summary,
    step_names,
    write_results,
)
from ._parser import SIZE_MULTIPLE

# UMAP says this on every seeded fit; the command always seeds it.
_QUIET_WARNINGS = (".*n_jobs value .* overridden to 1 by setting random_state",
                   ".*training stopped after")


def choose_n_clusters(args, y, n):
    """The number of clusters (or ``"auto"``) and the words that say why."""
    import numpy as np

    low, high = _recipes.K_RANGE[0], _recipes.K_RANGE[-1]
    k = args.n_clusters
    if k is None:
        n_classes = None if y is None else len(np.unique(y))
        if n_classes is not None and n_classes >= 2:
            return n_classes, " (the number of true classes)"
        if n <= high:
            return 2, (f" (default: {n} images are too few to choose among {low} to "
                       f"{high}; set --n-clusters)")
        k, why = "auto", " (no labels; set --n-clusters)"
    else:
        why = ""
    if k != "auto":
        if k > n:
            raise InputError(f"{k} clusters are more than the {n} images of INPUT; "
                             "pass a smaller --n-clusters.")
        return k, why
    if n <= high:
        raise InputError(f"choosing the number of clusters among {low} to {high} needs "
                         f"more than the {n} images of INPUT; pass --n-clusters.")
    if args.recipe == "study" and args.clusterer == "gmm":
        raise InputError("--n-clusters auto needs --clusterer kmeans; pass a number.")
    return k, f" chosen among {low} to {high} by the stability score{why}"


def fit(estimator, X, console, timings):
    """Fit, with per-step lines and times routed to the console; the fitted pipeline.

    ``estimator`` is a recipe's pipeline (``fit_predict``) or a
    :class:`~sk_aecluster.StabilityRecipeSelector` over such pipelines,
    whose chosen pipeline is returned.
    """
    # the recipes' pipelines differ only in their first step
    first = next(iter(estimator.candidates.values())) if hasattr(
        estimator, "candidates") else estimator
    stage_log = _console.StageLog(console, [name for name, _ in first.steps])
    start = time.perf_counter()
    with warnings.catch_warnings(), contextlib.redirect_stdout(stage_log):
        for message in _QUIET_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        labels = estimator.fit_predict(X)
    timings["fit"] = time.perf_counter() - start
    timings.update({f"fit {name}": t for name, t in stage_log.timings.items()})
    pipe = getattr(estimator, "best_estimator_", estimator)
    net = network_step(pipe)
    if net is not None and net.n_epochs_ < net.max_epochs:
        # skorch ends training quietly on Ctrl-C
        raise Interrupted(f"training stopped after {net.n_epochs_} of {net.max_epochs} epochs")
    if interrupt_requested():  # Ctrl-C that a step swallowed
        raise Interrupted("Ctrl-C during the fit")
    return pipe, labels


def selection_summary(selector, args, console):
    """What a selector chose, for the console and ``metrics.json``; and the words for it."""
    def fmt(scores):
        return ", ".join(f"{name} {score:.3f}" for name, score in scores.items())

    summary = {
        "chosen": selector.best_name_, "n_clusters": selector.n_clusters_,
        "scores": dict(selector.scores_),
        "n_clusters_scores": {name: {str(k): v for k, v in by_k.items()}
                              for name, by_k in selector.n_clusters_scores_.items()},
        "fit_times_s": dict(selector.fit_times_), "score_times_s": dict(selector.score_times_),
    }
    if selector.accept_score is not None:
        summary["accept_score"] = selector.accept_score
    for name, by_k in selector.n_clusters_scores_.items():
        console.progress(f"      {name}: stability by number of clusters: {fmt(by_k)}")
    if len(selector.scores_) > 1:
        console.progress(f"      stability of each recipe tried: {fmt(selector.scores_)}")
    note = (f"{selector.best_name_} with {selector.n_clusters_} clusters, stability "
            f"{selector.best_score_:.3f}")
    if args.recipe in _recipes.SELECTING:
        kept = selector.accept_score is not None and (
            selector.best_score_ >= selector.accept_score)
        why = (f" (at least {selector.accept_score:g}: the other recipes not tried)"
               if kept and len(selector.scores_) == 1 else "")
        note = f"--recipe {args.recipe} chose {note}{why}"
    console.progress(f"      chosen: {note}")
    return summary, note


def _plan(args, order, estimator, X):
    """The words for what ``cluster`` is about to fit."""
    if args.recipe == "select":
        return "choosing among " + ", ".join(order) + " by the stability score"
    if args.recipe == "auto":
        return (f"trying {_recipes.rule_note(X, order[0])} first: kept if its stability "
                f"score is at least {_recipes.AUTO_ACCEPT:g}, else the most stable of "
                + ", ".join(order))
    pipe = estimator.candidates[args.recipe] if hasattr(estimator, "candidates") else estimator
    return " \u2192 ".join(step_names(pipe))


def run_cluster(args, console):
    timings = {"_start": time.perf_counter()}
    out = OutputDir(args.out, overwrite=args.overwrite)
    out.check()
    check_out_vs_input(args.out, args.input)
    if args.device is not None:
        args.device = check_device(args.device)

    start = time.perf_counter()
    info = load_input(args)
    X, y = info["images"], info["labels"]
    timings["load"] = time.perf_counter() - start
    n = len(X)
    console.progress(f"[1/3] loaded {describe(X)} from {info['source']}")
    order = _recipes.resolve(args, X)
    n_clusters, why = choose_n_clusters(args, y, n)
    n_components = None
    if args.recipe == "study":
        n_components = _recipes.study_components(args, n, selecting=n_clusters == "auto")

    estimator = _recipes.build(args, order, n_clusters, n_components, n,
                               _console.progress_callbacks(console))
    selecting = not hasattr(estimator, "steps")
    training = ""
    if args.recipe in _recipes.LEARNT:
        plural = "" if args.epochs == 1 else "s"
        training = (f"; training {args.epochs} epoch{plural} on {args.device} "
                    f"(batch size {args.batch_size}, lr {args.lr:g})")
    k_text = "" if n_clusters == "auto" else f"{n_clusters} "
    console.progress(f"[2/3] fitting the {args.recipe} recipe with {k_text}clusters{why}: "
                     f"{_plan(args, order, estimator, X)}{training}")
    pipe, labels = fit(estimator, X, console, timings)
    selection, recipe, note = None, args.recipe, None
    if selecting:
        selection, note = selection_summary(estimator, args, console)
        n_clusters = estimator.n_clusters_
        recipe = estimator.best_name_ if order else recipe
        if len(estimator.scores_) > 1:
            # step times of several candidates share names: keep the selector's
            timings = {key: t for key, t in timings.items() if not key.startswith("fit ")}
            timings.update({f"fit {name} recipe": t for name, t in estimator.fit_times_.items()})
        timings.update({f"stability {name}": t for name, t in estimator.score_times_.items()})
    plan = " \u2192 ".join(step_names(pipe))
    Z, axis_label = clusterer_input(pipe, X)

    padded = None
    fmt = getattr(pipe.steps[0][1], "input_format_", None)
    if args.recipe == "study" and any(fmt.pad):
        top, bottom, left, right = fmt.pad
        _, h, w = fmt.network_shape
        padded = [h, w]
        console.progress(
            f"      {h - top - bottom}x{w - left - right} images were padded to {h}x{w}: "
            f"{args.autoencoder} needs sizes divisible by {SIZE_MULTIPLE[args.autoencoder]}"
        )
    extra = {"n_components": n_components} if args.recipe == "study" else {}
    metrics = {
        "command": "cluster",
        "version": __version__,
        "input": input_metrics(args, info, X, y, padded_to=padded),
        "recipe": recipe,
        "recipe_choice": note,
        "settings": _recipes.settings(args, recipe, **extra, n_clusters=n_clusters),
        **({"selection": selection} if selection else {}),
        "pipeline": [f"{name}: {type(step).__name__}" for name, step in pipe.steps],
        **fit_summary(pipe, X, y, labels),
    }
    # progress reporting is the command's, not part of the model
    pipe.set_params(verbose=False)
    net = network_step(pipe)
    if net is not None:
        net.set_params(callbacks=None)
    title = f"{n} images: {plan}"
    try:
        write_results(out, console, X=X, Z=Z, labels=labels, info=info,
                      axis_label=axis_label, title=title, metrics=metrics,
                      timings=timings, pipeline=pipe, save=True)
    except BaseException:
        out.abort()
        raise
    print_summary(console, metrics, n, out)
    return EXIT_OK
