"""The output folder and what goes into it: predictions, figures, metrics, model, marker.

Every output file is written under a temporary name and renamed when it is
complete; the marker file ``complete.json`` is written last. An interrupted
or failed run removes what it had written, so a folder without the marker
never holds a result that looks complete.
"""

import csv
import io
import json
import os
import sys
import time
from pathlib import Path

from .._version import __version__
from ._common import MARKER, MODEL_FILE, InputError

#: every file a run can write, in the order written (``reconstructions.png``
#: only for a model with a decoder, the model only by ``cluster``)
OUTPUT_FILES = (
    "predictions.csv",
    "reconstructions.png",
    "embedding.png",
    MODEL_FILE,
    "report.html",
    "metrics.json",
    MARKER,
)


class OutputDir:
    """An output folder written file by file, each atomically, marker last."""

    def __init__(self, path, *, overwrite):
        self.path = Path(path)
        self.overwrite = overwrite
        self.written = []
        self.temps = []
        self.created = False

    def check(self):
        """Refuse a non-empty folder without ``--overwrite`` (before any work)."""
        path = self.path
        if path.exists() and not path.is_dir():
            raise InputError(f"--out {str(path)!r} exists and is not a folder.")
        if path.is_dir() and any(path.iterdir()) and not self.overwrite:
            names = sorted(p.name for p in path.iterdir())
            shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
            raise InputError(
                f"output folder {str(path)!r} is not empty ({shown}); pass --overwrite "
                "to replace its results, or choose another --out."
            )

    def open(self):
        """Create the folder; an old marker goes first so nothing looks complete."""
        self.check()
        self.created = not self.path.exists()
        self.path.mkdir(parents=True, exist_ok=True)
        marker = self.path / MARKER
        if marker.exists():
            marker.unlink()

    def _temp(self, name):
        temp = self.path / f".{name}.{os.getpid()}.partial"
        self.temps.append(temp)
        return temp

    def write(self, name, writer):
        """Call ``writer(temp_path)``, then rename the temporary file to ``name``."""
        temp = self._temp(name)
        writer(temp)
        os.replace(temp, self.path / name)
        self.temps.remove(temp)
        self.written.append(name)

    def write_bytes(self, name, data):
        def writer(temp):
            with open(temp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())

        self.write(name, writer)

    def write_text(self, name, text):
        def writer(temp):
            with open(temp, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())

        self.write(name, writer)

    def finish(self, summary):
        files = list(self.written)
        self.write_text(MARKER, json.dumps({**summary, "files": files}, indent=2) + "\n")

    def abort(self):
        """Remove temporary files and every file this run had completed."""
        for temp in list(self.temps):
            try:
                temp.unlink()
            except OSError:
                pass
        for name in self.written:
            try:
                (self.path / name).unlink()
            except OSError:
                pass
        self.temps, self.written = [], []
        if self.created:
            try:
                self.path.rmdir()  # only succeeds when empty
            except OSError:
                pass


def step_names(pipe):
    """Short names of the pipeline's steps for titles: ``PCA(32)``, ``KMeans(10)``."""
    names = []
    for _, step in pipe.steps:
        size = None
        for attr in ("n_clusters", "n_components"):
            if isinstance(getattr(step, attr, None), int):
                size = getattr(step, attr)
                break
        names.append(type(step).__name__ + ("" if size is None else f"({size})"))
    return names


def scores(y_true, y_pred):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from .. import clustering_accuracy_score

    return {
        "clustering_accuracy": float(clustering_accuracy_score(y_true, y_pred)),
        "nmi": float(normalized_mutual_info_score(y_true, y_pred)),
        "ari": float(adjusted_rand_score(y_true, y_pred)),
    }


def json_value(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def input_metrics(args, info, X, y, **extra):
    """The ``input`` section of ``metrics.json``: what was read and from where."""
    described = {
        "kind": info["kind"],
        "path": info["path"],
        "n_images": len(X),
        "sample_shape": list(X.shape[1:]),
        "dtype": str(X.dtype),
        "color_mode": info["color_mode"],
        "resize": info["resize"],
        **extra,
        "labels": "folders" if args.labels_from_folders else (
            args.labels or ("stored with INPUT" if y is not None else None)
        ),
    }
    return described


def cluster_sizes(labels):
    import numpy as np

    values, counts = np.unique(labels, return_counts=True)
    return {str(json_value(v)): int(c) for v, c in zip(values, counts, strict=True)}


def predictions_csv(labels, paths):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "label"] + (["path"] if paths is not None else []))
    for i, label in enumerate(labels):
        row = [i, json_value(label)]
        if paths is not None:
            row.append(paths[i])
        writer.writerow(row)
    return buf.getvalue()


def use_agg():
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def network_step(pipe):
    """The pipeline's first step when it is a trained network (has epochs), else ``None``."""
    first = pipe.steps[0][1]
    return first if hasattr(first, "n_epochs_") and hasattr(first, "max_epochs") else None


def decoder_step(pipe):
    """The pipeline's first step when it reconstructs (an autoencoder), else ``None``."""
    first = pipe.steps[0][1]
    return first if hasattr(first, "reconstruct") else None


def clusterer_input(pipe, X):
    """What the last step clustered, and the embedding's axis name (or ``None``).

    The embedding of the training images as the fit computed it (UMAP's and
    t-SNE's ``embedding_``); otherwise the transform of ``X`` by all steps
    but the last.
    """
    import numpy as np

    before = pipe.steps[-2][1] if len(pipe.steps) > 1 else None
    embedding = getattr(before, "embedding_", None)
    if embedding is not None and len(embedding) == len(X):
        Z = np.asarray(embedding)
    else:
        Z = np.asarray(pipe[:-1].transform(X))
    return Z, embedding_axis(pipe, Z)


def embedding_axis(pipe, Z):
    """Axis name of the embedding figure: ``UMAP`` or ``t-SNE`` for their 2-D outputs."""
    before = pipe.steps[-2][1] if len(pipe.steps) > 1 else None
    names = {"UMAP": "UMAP", "TSNETransformer": "t-SNE"}
    return names.get(type(before).__name__) if Z.shape[1] == 2 else None


def cluster_centres(clusterer):
    """The clusterer's centres in its input space (k-means, Gaussian mixture), or ``None``."""
    for attr in ("cluster_centers_", "means_"):
        if hasattr(clusterer, attr):
            return getattr(clusterer, attr)
    return None


def fit_summary(pipe, X, y, labels, *, trained=True):
    """The result part of ``metrics.json``: sizes, losses and, with labels, scores."""
    clusterer = pipe.steps[-1][1]
    k = getattr(clusterer, "n_clusters", getattr(clusterer, "n_components", None))
    summary = {"n_clusters": None if k is None else int(k)}
    net = network_step(pipe)
    if trained and net is not None:
        history = getattr(net, "history_", [])
        summary["n_epochs"] = int(net.n_epochs_)
        summary["final_train_loss"] = float(history[-1]["train_loss"]) if len(history) else None
    decoder = decoder_step(pipe)
    if decoder is not None:
        summary["reconstruction_loss"] = -float(decoder.score(X))
        summary["reconstruction_loss_note"] = "mean squared error on the network's [-1, 1] scale"
    summary["cluster_sizes"] = cluster_sizes(labels)
    if y is not None:
        summary.update(scores(y, labels))
    return summary


def write_results(out, console, *, X, Z, labels, info, axis_label, title, metrics,
                  timings, pipeline, save):
    """Predictions, figures, the model (``save``), the report, metrics and the marker."""
    from .._report import REPORT_FILE, render_report
    from .._report_html import figure_png
    from ..plotting import EmbeddingDisplay, ReconstructionDisplay

    use_agg()
    start = time.perf_counter()
    decoder = decoder_step(pipeline)
    drawn = "reconstructions.png and embedding.png" if decoder is not None else "embedding.png"
    console.progress(f"[3/3] writing predictions.csv, {drawn}, {REPORT_FILE}"
                     + (f" and {MODEL_FILE}" if save else ""))
    out.open()
    out.write_text("predictions.csv", predictions_csv(labels, info["paths"]))
    figures = {}
    if decoder is not None:
        rec = ReconstructionDisplay.from_estimator(decoder, X, n_images=8)
        figures["reconstructions"] = figure_png(rec.figure_)
        out.write_bytes("reconstructions.png", figures["reconstructions"])
    emb = EmbeddingDisplay.from_embedding(
        Z, labels, y_true=info["labels"], target_names=info["target_names"],
        axis_label=axis_label, random_state=0, title=title,
    )
    figures["embedding"] = figure_png(emb.figure_)
    out.write_bytes("embedding.png", figures["embedding"])
    timings["figures"] = time.perf_counter() - start
    if save:
        from .. import save_model

        start = time.perf_counter()
        out.write(MODEL_FILE, lambda temp: save_model(pipeline, temp, overwrite=True))
        timings["save_model"] = time.perf_counter() - start
    start = time.perf_counter()
    final = {k: v for k, v in timings.items() if not k.startswith("_")}
    final["total"] = time.perf_counter() - timings["_start"]
    page = render_report(
        metrics, images=X, labels=labels, features=Z,
        centres=cluster_centres(pipeline.steps[-1][1]), y_true=info["labels"],
        target_names=info["target_names"], paths=info["paths"], figures=figures,
        timings=final,
    )
    out.write_text(REPORT_FILE, page)
    timings["report"] = time.perf_counter() - start
    timings["total"] = time.perf_counter() - timings.pop("_start")
    metrics["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    out.write_text("metrics.json", json.dumps(metrics, indent=2, default=json_value) + "\n")
    out.finish({"command": metrics["command"], "version": __version__,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")})


def print_summary(console, metrics, n_images, out):
    total = metrics["timings_s"]["total"]
    k = metrics["n_clusters"]
    loss = metrics.get("reconstruction_loss")
    console.result(
        f"labelled {n_images} images with {k} cluster{'' if k == 1 else 's'} in {total:.1f} s"
        + ("" if loss is None else f"; reconstruction loss {loss:.4f}")
    )
    if "clustering_accuracy" in metrics:
        console.result(
            f"clustering accuracy {metrics['clustering_accuracy']:.4f}  "
            f"NMI {metrics['nmi']:.4f}  ARI {metrics['ari']:.4f}"
        )
    console.result(f"results in {str(out.path)}{os.sep}")
