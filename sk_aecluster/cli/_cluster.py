"""``sk-aecluster cluster``: fit a pipeline on images and label them."""

import time
import warnings

from .._version import __version__
from . import _console
from ._common import EXIT_OK, InputError, Interrupted
from ._inputs import check_device, check_out_vs_input, describe, load_input
from ._outputs import (
    OutputDir,
    cluster_sizes,
    input_metrics,
    print_summary,
    scores,
    step_names,
    write_results,
)
from ._parser import SIZE_MULTIPLE


def build_pipeline(args, n_components, n_clusters, console):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.mixture import GaussianMixture
    from sklearn.pipeline import Pipeline

    from .. import AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder
    from ..manifold import TSNETransformer

    classes = {
        "ae1": AE1Encoder, "ae2": AE2Encoder,
        "conv": ConvAutoEncoder, "dense": DenseAutoEncoder,
    }
    params = {
        "max_epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "device": args.device,
        "random_state": args.random_state,
        "callbacks": _console.progress_callbacks(console),
        "verbose": 0,
    }
    if args.autoencoder in SIZE_MULTIPLE:
        params["pad_images"] = True
    steps = [("autoencoder", classes[args.autoencoder](**params))]
    if args.reducer == "pca":
        steps.append(("reducer", PCA(n_components, random_state=args.random_state)))
    elif args.reducer == "tsne":
        steps.append(("reducer", TSNETransformer(n_components, random_state=args.random_state)))
    if args.clusterer == "kmeans":
        clusterer = KMeans(n_clusters, n_init=10, random_state=args.random_state)
    else:
        clusterer = GaussianMixture(n_clusters, random_state=args.random_state)
    steps.append(("clusterer", clusterer))
    return Pipeline(steps)


def run_cluster(args, console):
    import numpy as np

    timings = {"_start": time.perf_counter()}
    out = OutputDir(args.out, overwrite=args.overwrite)
    out.check()
    check_out_vs_input(args.out, args.input)
    args.device = check_device(args.device)

    start = time.perf_counter()
    info = load_input(args)
    X, y = info["images"], info["labels"]
    timings["load"] = time.perf_counter() - start
    n = len(X)
    console.progress(f"[1/4] loaded {describe(X)} from {info['source']}")

    n_classes = None if y is None else len(np.unique(y))
    n_clusters = args.n_clusters
    if n_clusters is None:
        n_clusters = n_classes if n_classes is not None and n_classes >= 2 else 2
    if n_clusters > n:
        raise InputError(
            f"{n_clusters} clusters are more than the {n} images of INPUT; "
            "pass a smaller --n-clusters."
        )
    n_components = args.n_components
    if args.reducer == "pca":
        if n_components is None:
            n_components = min(32, n)
        elif n_components > n:
            raise InputError(
                f"--n-components {n_components} is more than the {n} images of INPUT "
                "(PCA keeps at most one component per image)."
            )
    elif args.reducer == "tsne":
        n_components = 2 if n_components is None else n_components
        if n < 2:
            raise InputError("t-SNE needs at least 2 images.")
    else:
        n_components = None

    pipe = build_pipeline(args, n_components, n_clusters, console)
    ae = pipe.named_steps["autoencoder"]
    console.progress(
        f"[2/4] training {type(ae).__name__} for {args.epochs} epochs on {args.device} "
        f"(batch size {args.batch_size}, lr {args.lr:g})"
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*training stopped after", category=RuntimeWarning
        )
        codes = ae.fit_transform(X)
    if ae.n_epochs_ < args.epochs:
        raise Interrupted(f"training stopped after {ae.n_epochs_} of {args.epochs} epochs")
    timings["autoencoder"] = time.perf_counter() - start
    fmt = ae.input_format_
    padded = None
    if any(fmt.pad):
        top, bottom, left, right = fmt.pad
        _, h, w = fmt.network_shape
        padded = [h, w]
        console.progress(
            f"      {h - top - bottom}x{w - left - right} images were padded to {h}x{w}: "
            f"{args.autoencoder} needs sizes divisible by {SIZE_MULTIPLE[args.autoencoder]}"
        )
    reconstruction_loss = -float(ae.score(X))

    start = time.perf_counter()
    Z = codes
    if "reducer" in pipe.named_steps:
        reducer = pipe.named_steps["reducer"]
        console.progress(
            f"[3/4] reducing {codes.shape[1]} latent dimensions to {n_components} with "
            f"{type(reducer).__name__}"
        )
        Z = reducer.fit_transform(codes)
    else:
        console.progress(f"[3/4] no reducer: clustering the {codes.shape[1]} latent dimensions")
    timings["reducer"] = time.perf_counter() - start

    start = time.perf_counter()
    clusterer = pipe.named_steps["clusterer"]
    note = "" if args.n_clusters is not None else (
        " (the number of true classes)" if n_classes is not None and n_clusters == n_classes
        else " (default; set --n-clusters)"
    )
    console.progress(
        f"[4/4] clustering into {n_clusters} clusters{note} with {type(clusterer).__name__}"
    )
    labels = clusterer.fit_predict(Z)
    timings["clusterer"] = time.perf_counter() - start

    metrics = {
        "command": "cluster",
        "version": __version__,
        "input": input_metrics(args, info, X, y, padded_to=padded),
        "settings": {
            "autoencoder": args.autoencoder,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "device": args.device,
            "reducer": args.reducer,
            "n_components": n_components,
            "clusterer": args.clusterer,
            "n_clusters": n_clusters,
            "random_state": args.random_state,
        },
        "pipeline": [f"{name}: {type(step).__name__}" for name, step in pipe.steps],
        "n_clusters": n_clusters,
        "n_epochs": ae.n_epochs_,
        "final_train_loss": float(ae.history_[-1]["train_loss"]) if len(ae.history_) else None,
        "reconstruction_loss": reconstruction_loss,
        "reconstruction_loss_note": "mean squared error on the network's [-1, 1] scale",
        "cluster_sizes": cluster_sizes(labels),
    }
    if y is not None:
        metrics.update(scores(y, labels))
    # Progress callbacks are not part of the model (and not plain data).
    ae.set_params(callbacks=None)
    title = f"{n} images: " + " \u2192 ".join(step_names(pipe))
    try:
        write_results(
            out, console, ae=ae, X=X, Z=Z, labels=labels, info=info,
            axis_label="t-SNE" if args.reducer == "tsne" and Z.shape[1] == 2 else None,
            title=title, metrics=metrics, timings=timings, pipeline=pipe,
        )
    except BaseException:
        out.abort()
        raise
    print_summary(console, metrics, n, out)
    return EXIT_OK
