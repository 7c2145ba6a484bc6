"""``sk-aecluster predict``: label new images with the model of an earlier run."""

import json
import time
from pathlib import Path

from .._version import __version__
from ._common import EXIT_OK, MARKER, MODEL_FILE, PROG, InputError
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


def run_predict(args, console):
    import numpy as np

    from .. import load_model

    timings = {"_start": time.perf_counter()}
    run = Path(args.model)
    if not run.is_dir():
        raise FileNotFoundError(f"--model {str(run)!r} is not a folder.")
    if not (run / MARKER).is_file() or not (run / MODEL_FILE).is_file():
        raise InputError(
            f"--model {str(run)!r} is not the output folder of a completed "
            f"`{PROG} cluster` run (no {MARKER} or {MODEL_FILE}); it was interrupted "
            "or never written."
        )
    out = OutputDir(args.out, overwrite=args.overwrite)
    if Path(args.out).resolve() == run.resolve():
        raise InputError("--out must differ from --model: the run folder is not overwritten.")
    out.check()
    check_out_vs_input(args.out, args.input)
    if args.device is not None:
        args.device = check_device(args.device)
    try:
        trained = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        trained = {}

    start = time.perf_counter()
    console.progress(f"[1/3] loading the model from {str(run / MODEL_FILE)!r}")
    pipe = load_model(run / MODEL_FILE, device=args.device)
    ae = pipe.steps[0][1]
    if args.batch_size is not None:
        ae.set_params(batch_size=args.batch_size)
    color_mode = "auto"
    shape = tuple(ae.input_format_.sample_shape)
    if len(shape) == 2:
        color_mode = "grey"
    elif len(shape) == 3 and shape[-1] == 3:
        color_mode = "rgb"
    info = load_input(args, color_mode=color_mode)
    X, y = info["images"], info["labels"]
    timings["load"] = time.perf_counter() - start
    n = len(X)
    console.progress(f"      loaded {describe(X)} from {info['source']}")
    if tuple(X.shape[1:]) != shape:
        hint = ""
        if info["kind"] == "folder" and len(shape) >= 2:
            hint = f"; pass --resize {shape[0]}x{shape[1]}"
        raise InputError(
            f"the model was fitted on images of shape {'x'.join(map(str, shape))} but INPUT "
            f"holds images of shape {'x'.join(map(str, X.shape[1:]))}{hint}."
        )

    start = time.perf_counter()
    console.progress(f"[2/3] encoding and reducing {n} images")
    Z = pipe[:-1].transform(X)
    timings["transform"] = time.perf_counter() - start
    start = time.perf_counter()
    clusterer = pipe.steps[-1][1]
    console.progress(f"[3/3] labelling with {type(clusterer).__name__}")
    labels = clusterer.predict(Z)
    timings["clusterer"] = time.perf_counter() - start
    reconstruction_loss = -float(ae.score(X))
    n_clusters = int(getattr(clusterer, "n_clusters", getattr(clusterer, "n_components", 0)))
    settings = trained.get("settings", {})
    metrics = {
        "command": "predict",
        "version": __version__,
        "model": str(run),
        "input": input_metrics(args, info, X, y),
        "settings": {**settings, "device": str(ae.device), "batch_size": ae.batch_size},
        "pipeline": [f"{name}: {type(step).__name__}" for name, step in pipe.steps],
        "n_clusters": n_clusters,
        "reconstruction_loss": reconstruction_loss,
        "reconstruction_loss_note": "mean squared error on the network's [-1, 1] scale",
        "cluster_sizes": cluster_sizes(labels),
    }
    if y is not None:
        metrics.update(scores(y, labels))
    reducer = type(pipe.steps[1][1]).__name__ if len(pipe.steps) > 2 else None
    title = f"{n} new images: " + " \u2192 ".join(step_names(pipe))
    Zp = np.asarray(Z)
    try:
        write_results(
            out, console, ae=ae, X=X, Z=Zp, labels=labels, info=info,
            axis_label="t-SNE" if reducer == "TSNETransformer" and Zp.shape[1] == 2 else None,
            title=title, metrics=metrics, timings=timings,
        )
    except BaseException:
        out.abort()
        raise
    print_summary(console, metrics, n, out)
    return EXIT_OK
