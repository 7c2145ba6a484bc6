"""``sk-aecluster predict``: label new images with the model of an earlier run."""

import json
import time
from pathlib import Path

from .._version import __version__
from ._common import EXIT_OK, MARKER, MODEL_FILE, PROG, InputError
from ._inputs import check_device, check_out_vs_input, describe, load_input
from ._outputs import (
    OutputDir,
    embedding_axis,
    fit_summary,
    input_metrics,
    print_summary,
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
    first = pipe.steps[0][1]
    if args.batch_size is not None:
        if "batch_size" not in first.get_params():
            raise InputError(
                f"--batch-size does not apply: the model's first step, "
                f"{type(first).__name__}, has no network."
            )
        first.set_params(batch_size=args.batch_size)
    shape = tuple(first.input_format_.sample_shape)
    color_mode = "auto"
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
    plan = " \u2192 ".join(step_names(pipe))
    console.progress(f"[2/3] labelling {n} images with {plan}")
    Z = np.asarray(pipe[:-1].transform(X))
    labels = pipe.steps[-1][1].predict(Z)
    timings["predict"] = time.perf_counter() - start
    settings = trained.get("settings", {})
    if "batch_size" in first.get_params():
        settings = {**settings, "device": str(first.device), "batch_size": first.batch_size}
    metrics = {
        "command": "predict",
        "version": __version__,
        "model": str(run),
        "input": input_metrics(args, info, X, y),
        "recipe": trained.get("recipe"),
        "settings": settings,
        "pipeline": [f"{name}: {type(step).__name__}" for name, step in pipe.steps],
        **fit_summary(pipe, X, y, labels, trained=False),
    }
    axis_label = embedding_axis(pipe, Z)
    title = f"{n} new images: {plan}"
    try:
        write_results(out, console, X=X, Z=Z, labels=labels, info=info,
                      axis_label=axis_label, title=title, metrics=metrics,
                      timings=timings, pipeline=pipe, save=False)
    except BaseException:
        out.abort()
        raise
    print_summary(console, metrics, n, out)
    return EXIT_OK
