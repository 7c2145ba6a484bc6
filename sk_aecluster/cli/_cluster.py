"""``sk-aecluster cluster``: fit a recipe's pipeline on images and label them."""

import contextlib
import time
import warnings

from .._version import __version__
from . import _console, _recipes
from ._common import EXIT_OK, InputError, Interrupted
from ._inputs import check_device, check_out_vs_input, describe, load_input
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
    import numpy as np

    n_classes = None if y is None else len(np.unique(y))
    n_clusters = args.n_clusters
    if n_clusters is None:
        n_clusters = n_classes if n_classes is not None and n_classes >= 2 else 2
    if n_clusters > n:
        raise InputError(
            f"{n_clusters} clusters are more than the {n} images of INPUT; "
            "pass a smaller --n-clusters."
        )
    if args.n_clusters is not None:
        why = ""
    elif n_classes is not None and n_clusters == n_classes:
        why = " (the number of true classes)"
    else:
        why = " (default; set --n-clusters)"
    return n_clusters, why


def fit(pipe, X, console, timings):
    """``pipe.fit_predict(X)``, its per-step lines and times routed to the console."""
    stage_log = _console.StageLog(console)
    start = time.perf_counter()
    with warnings.catch_warnings(), contextlib.redirect_stdout(stage_log):
        for message in _QUIET_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        labels = pipe.fit_predict(X)
    timings["fit"] = time.perf_counter() - start
    timings.update({f"fit {name}": t for name, t in stage_log.timings.items()})
    net = network_step(pipe)
    if net is not None and net.n_epochs_ < net.max_epochs:
        # skorch ends training quietly on Ctrl-C
        raise Interrupted(f"training stopped after {net.n_epochs_} of {net.max_epochs} epochs")
    return labels


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
    note = _recipes.resolve(args, X)
    if note:
        console.progress(f"      {note}")
    n_clusters, why = choose_n_clusters(args, y, n)
    n_components = None
    if args.recipe == "study":
        n_components = _recipes.study_components(args, n)

    pipe = _recipes.build(args, n_clusters, n_components, n,
                          _console.progress_callbacks(console))
    plan = " \u2192 ".join(step_names(pipe))
    training = ""
    if args.recipe in _recipes.LEARNT:
        plural = "" if args.epochs == 1 else "s"
        training = (f"; training {args.epochs} epoch{plural} on {args.device} "
                    f"(batch size {args.batch_size}, lr {args.lr:g})")
    console.progress(f"[2/3] fitting the {args.recipe} recipe, {plan}, "
                     f"{n_clusters} clusters{why}{training}")
    labels = fit(pipe, X, console, timings)
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
        "recipe": args.recipe,
        "recipe_choice": note,
        "settings": _recipes.settings(args, **extra, n_clusters=n_clusters),
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
