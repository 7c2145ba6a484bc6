"""The ``sk-aecluster`` command: cluster a folder or array of images from the shell.

A thin layer over the public API: it loads images with
:mod:`sk_aecluster.datasets`, builds a scikit-learn
:class:`~sklearn.pipeline.Pipeline` (autoencoder -> reducer -> clusterer),
draws the figures with :mod:`sk_aecluster.plotting` and saves the fitted
pipeline with :func:`sk_aecluster.save_model`.

Every output file is written under a temporary name and renamed when it is
complete; the marker file ``complete.json`` is written last. An interrupted
or failed run removes what it had written, so a folder without the marker
never holds a result that looks complete.
"""

import argparse
import csv
import io
import json
import os
import re
import sys
import time
import warnings
import zipfile
import zlib
from pathlib import Path

from ._version import __version__

PROG = "sk-aecluster"
MARKER = "complete.json"
MODEL_FILE = "model.safetensors"
OUTPUT_FILES = (
    "predictions.csv",
    "reconstructions.png",
    "embedding.png",
    "metrics.json",
    MODEL_FILE,
    MARKER,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

_AUTOENCODERS = {
    "ae1": "AE1Encoder",
    "ae2": "AE2Encoder",
    "conv": "ConvAutoEncoder",
    "dense": "DenseAutoEncoder",
}
_SIZE_MULTIPLE = {"ae1": 2, "ae2": 8, "conv": 8}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class InputError(Exception):
    """Bad input found by the command itself (exit status 2)."""


class Interrupted(Exception):
    """The run was interrupted (Ctrl-C), also when skorch swallowed it."""


# -- argument parsing ------------------------------------------------------------
def _number(cast, minimum, exclusive, words):
    """An argparse type: ``cast(text)`` at least (or above) ``minimum``, finite."""

    def parse(text):
        try:
            value = cast(text)
        except ValueError:
            value = None
        if value is None or value != value or value == float("inf") or value < minimum \
                or (exclusive and value == minimum):
            raise argparse.ArgumentTypeError(f"expected {words}, got {text!r}")
        return value

    return parse


_positive_int = _number(int, 1, False, "a positive integer")
_non_negative_int = _number(int, 0, False, "an integer >= 0")
_positive_float = _number(float, 0.0, True, "a positive number")


def _image_size(text):
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise argparse.ArgumentTypeError(
            f"expected HEIGHTxWIDTH such as 32x32, got {text!r}"
        )
    return int(match.group(1)), int(match.group(2))


_EPILOG_CLUSTER = """\
examples:
  sk-aecluster cluster --out run1
      cluster scikit-learn's bundled digits (about a minute on 2 cores)
  sk-aecluster cluster trainX.npy --out run2 --n-clusters 2 --epochs 20
  sk-aecluster cluster photos/ --labels-from-folders --resize 32x32 --out run3

outputs in DIR: predictions.csv (id,label[,path]), reconstructions.png,
embedding.png, metrics.json, model.safetensors and, written last,
complete.json. Exit status: 0 done, 2 bad input, 130 interrupted.
"""

_EPILOG_PREDICT = """\
example:
  sk-aecluster predict --model run1 new_images.npy --out run1-new

writes predictions.csv, reconstructions.png, embedding.png, metrics.json and
complete.json into DIR. Exit status: 0 done, 2 bad input, 130 interrupted.
"""


def _add_input_options(parser):
    group = parser.add_argument_group("true labels and image files")
    labels = group.add_mutually_exclusive_group()
    labels.add_argument(
        "--labels",
        metavar="FILE",
        help="true labels, one per image (.npy, .npz with key y/labels, or a "
        ".csv/.txt with one label per line or a 'label' column); clustering "
        "accuracy, NMI and ARI are then reported",
    )
    labels.add_argument(
        "--labels-from-folders",
        action="store_true",
        help="for a folder INPUT: the first-level sub-folder of each image is its true label",
    )
    group.add_argument(
        "--resize",
        metavar="HxW",
        type=_image_size,
        help="for a folder INPUT: resize every image to HEIGHTxWIDTH (e.g. 32x32); "
        "without it images of different sizes are an error",
    )


def _add_output_options(parser):
    group = parser.add_argument_group("output")
    group.add_argument(
        "--out", metavar="DIR", required=True, help="output folder (created if needed)"
    )
    group.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the results in an output folder that is not empty",
    )
    group.add_argument(
        "--quiet", "-q", action="store_true", help="print nothing but warnings and errors"
    )


def build_parser():
    """Build the command's argument parser.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser of ``sk-aecluster`` with its ``cluster`` and ``predict``
        sub-commands.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Cluster images with an autoencoder, a dimension reduction and "
        "a clustering algorithm (a scikit-learn Pipeline), and write predictions, "
        "figures, metrics and the fitted model into a folder.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    cluster = sub.add_parser(
        "cluster",
        help="fit a pipeline on images and label them",
        description="Fit autoencoder -> reducer -> clusterer on the images of INPUT\n"
        "and write one cluster label per image.",
        epilog=_EPILOG_CLUSTER,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cluster.add_argument(
        "input",
        nargs="?",
        metavar="INPUT",
        help="a .npy/.npz image array (e.g. the study's trainX.npy, uint8 "
        "(n, H, W, C)) or a folder of image files, searched recursively; "
        "default: scikit-learn's bundled digits (1797 8x8 images, with labels)",
    )
    _add_output_options(cluster)
    _add_input_options(cluster)
    model = cluster.add_argument_group("model")
    model.add_argument(
        "--autoencoder",
        choices=sorted(_AUTOENCODERS),
        default="ae2",
        help="ae1/ae2: the study's two networks, conv: ConvAutoEncoder, dense: "
        "DenseAutoEncoder (default: %(default)s). Conv networks pad images whose "
        "size they cannot take (e.g. 28x28 for ae2, which needs multiples of 8)",
    )
    model.add_argument(
        "--epochs", type=_non_negative_int, default=10, metavar="N",
        help="training epochs (default: %(default)s)",
    )
    model.add_argument(
        "--batch-size", type=_positive_int, default=64, metavar="N",
        help="mini-batch size (default: %(default)s)",
    )
    model.add_argument(
        "--lr", type=_positive_float, default=1e-3, metavar="LR",
        help="learning rate of Adam (default: %(default)s)",
    )
    model.add_argument(
        "--device", default="cpu", metavar="DEVICE",
        help="torch device: cpu, cuda, cuda:1, mps (default: %(default)s)",
    )
    model.add_argument(
        "--reducer",
        choices=("pca", "tsne", "none"),
        default="pca",
        help="dimension reduction of the latent codes (default: %(default)s)",
    )
    model.add_argument(
        "--n-components", type=_positive_int, default=None, metavar="N",
        help="dimensions kept by the reducer (default: 32 for pca, 2 for tsne)",
    )
    model.add_argument(
        "--clusterer",
        choices=("kmeans", "gmm"),
        default="kmeans",
        help="k-means or a Gaussian mixture (default: %(default)s)",
    )
    model.add_argument(
        "--n-clusters", type=_positive_int, default=None, metavar="K",
        help="number of clusters (default: the number of true classes when labels "
        "are known, else 2 as in the study)",
    )
    model.add_argument(
        "--random-state", type=int, default=0, metavar="SEED",
        help="seed of every random step (default: %(default)s)",
    )

    predict = sub.add_parser(
        "predict",
        help="label new images with the model of an earlier cluster run",
        description="Label the images of INPUT with the pipeline saved by an earlier\n"
        "`sk-aecluster cluster` run whose --out was RUN_DIR.",
        epilog=_EPILOG_PREDICT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    predict.add_argument(
        "--model", metavar="RUN_DIR", required=True,
        help="output folder of a completed `sk-aecluster cluster` run",
    )
    predict.add_argument(
        "input", metavar="INPUT",
        help="a .npy/.npz image array or a folder of image files, with images "
        "like those the model was fitted on",
    )
    _add_output_options(predict)
    _add_input_options(predict)
    opts = predict.add_argument_group("model")
    opts.add_argument(
        "--device", default=None, metavar="DEVICE",
        help="torch device for the autoencoder (default: the saved one when available, "
        "else cpu)",
    )
    opts.add_argument(
        "--batch-size", type=_positive_int, default=None, metavar="N",
        help="encoding batch size (default: the saved one)",
    )
    return parser


# -- console output ----------------------------------------------------------------
class _Console:
    """Progress lines on stderr (unless quiet), results on stdout."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()

    def progress(self, text):
        if not self.quiet:
            print(f"{PROG}: {text}", file=sys.stderr, flush=True)

    def table(self, text):
        """Sink for skorch's epoch table: stderr, without colours unless a terminal."""
        if not self.tty:
            text = _ANSI.sub("", text)
        print(text, file=sys.stderr, flush=True)

    def result(self, text):
        if not self.quiet:
            print(text, flush=True)

    def warning(self, message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        print(f"{PROG}: warning: {text}", file=sys.stderr, flush=True)


def _one_line(exc):
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError):
        text = text.strip("'\"")
    return text or type(exc).__name__


# -- the output folder -----------------------------------------------------------
class _OutputDir:
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


# -- inputs --------------------------------------------------------------------------
def _read_labels(path):
    """True labels from ``.npy``, ``.npz`` (key y/labels) or a text/CSV file."""
    import numpy as np

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labels file not found: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix in (".npy", ".npz"):
        try:
            if suffix == ".npy":
                labels = np.asarray(np.load(path, allow_pickle=False))
            else:
                with np.load(path, allow_pickle=False) as loaded:
                    keys = [k for k in ("y", "labels") if k in loaded.files]
                    if not keys and len(loaded.files) == 1:
                        keys = loaded.files
                    if not keys:
                        raise InputError(
                            f"labels file {str(path)!r} holds {sorted(loaded.files)}; "
                            "store the labels under 'y' or 'labels'."
                        )
                    labels = loaded[keys[0]]
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise InputError(f"cannot read labels file {str(path)!r}: {_one_line(exc)}") from exc
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read labels file {str(path)!r}: {_one_line(exc)}") from exc
        rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
        header = [c.strip().lower() for c in rows[0]] if rows else []
        if "label" in header:
            col = header.index("label")
            try:
                values = [r[col].strip() for r in rows[1:]]
            except IndexError:
                raise InputError(f"labels file {str(path)!r} has a row without a label.") from None
        else:
            if any(len(r) != 1 for r in rows):
                raise InputError(
                    f"labels file {str(path)!r} must hold one label per line, or a "
                    "CSV with a 'label' column."
                )
            values = [r[0].strip() for r in rows]
        try:
            labels = np.array([int(v) for v in values])
        except ValueError:
            labels = np.array(values)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1:
        raise InputError(
            f"labels file {str(path)!r} holds an array of shape {labels.shape}; "
            "expected one label per image (a 1-D array)."
        )
    return labels


def _load_input(args, color_mode="auto"):
    """Return a dict with images, optional labels/target names/paths and a description."""
    from .datasets import load_digits_images, load_image_array, load_image_folder

    info = {"target_names": None, "paths": None, "color_mode": None, "resize": None}
    if args.input is None:
        if args.labels_from_folders:
            raise InputError("--labels-from-folders needs a folder INPUT.")
        if args.resize is not None:
            raise InputError("--resize applies to a folder INPUT only.")
        data = load_digits_images()
        info.update(
            images=data.images, labels=data.target, kind="digits",
            path=None, source="scikit-learn's bundled digits (embedded default)",
        )
        info["target_names"] = data.target_names
    else:
        path = Path(args.input)
        if not path.exists():
            raise FileNotFoundError(f"INPUT not found: {str(path)!r}")
        if path.is_dir():
            try:
                data = load_image_folder(
                    path,
                    labels_from_folders=args.labels_from_folders,
                    resize=args.resize,
                    color_mode=color_mode,
                )
            except ValueError as exc:  # name the option, not the keyword argument
                text = str(exc).replace("Pass resize=(height, width)", "Pass --resize HxW")
                raise InputError(text) from exc
            info.update(
                images=data.images, labels=data.target, kind="folder",
                path=str(path), source=f"folder {str(path)!r}",
            )
            info["target_names"] = data.target_names
            info["paths"] = data.paths
            info["color_mode"] = "grey" if data.images.ndim == 3 else "rgb"
            info["resize"] = list(args.resize) if args.resize else None
        else:
            if args.labels_from_folders:
                raise InputError("--labels-from-folders needs a folder INPUT, not a file.")
            if args.resize is not None:
                raise InputError(
                    "--resize applies to a folder INPUT only; resize the array "
                    "before saving it."
                )
            data = load_image_array(path)
            info.update(
                images=data.images, labels=data.target, kind="array",
                path=str(path), source=f"array file {str(path)!r}",
            )
    if args.labels is not None:
        info["labels"] = _read_labels(args.labels)
        info["target_names"] = None
    images = info["images"]
    labels = info["labels"]
    if labels is not None and len(labels) != len(images):
        where = f"--labels {args.labels!r}" if args.labels else "the labels stored with INPUT"
        raise InputError(
            f"{where} has {len(labels)} labels but INPUT has {len(images)} images; "
            "expected one label per image."
        )
    if images.dtype.kind not in "biuf":
        raise InputError(f"INPUT holds an array of dtype {images.dtype}; images must be numbers.")
    return info


def _describe(images):
    shape = images.shape[1:]
    return f"{len(images)} images of shape {'x'.join(str(s) for s in shape)} ({images.dtype})"


def _check_device(device):
    """The library's device check, as a command-line error."""
    from ._training.seeding import check_device as check

    try:
        return str(check(device, "--device"))
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _check_out_vs_input(out, input_path):
    if input_path is None:
        return
    out, src = Path(out).resolve(), Path(input_path).resolve()
    if src.is_dir() and (out == src or src in out.parents):
        raise InputError(
            f"--out {str(out)!r} lies inside INPUT {str(src)!r}; choose a folder "
            "outside it (its figures would be read as images next time)."
        )


# -- the pipeline ------------------------------------------------------------------
def _progress_callbacks(console):
    if console.quiet:
        return None
    from skorch.callbacks import PrintLog, ProgressBar

    callbacks = [("cli_log", PrintLog(sink=console.table))]
    if console.tty:
        callbacks.append(("cli_progress", ProgressBar()))
    return callbacks


def _build_pipeline(args, n_components, n_clusters, console):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.mixture import GaussianMixture
    from sklearn.pipeline import Pipeline

    from . import AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder
    from .manifold import TSNETransformer

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
        "callbacks": _progress_callbacks(console),
        "verbose": 0,
    }
    if args.autoencoder in _SIZE_MULTIPLE:
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


def _step_names(pipe):
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


def _scores(y_true, y_pred):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from . import clustering_accuracy_score

    return {
        "clustering_accuracy": float(clustering_accuracy_score(y_true, y_pred)),
        "nmi": float(normalized_mutual_info_score(y_true, y_pred)),
        "ari": float(adjusted_rand_score(y_true, y_pred)),
    }


def _json_value(value):
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


def _input_metrics(args, info, X, y, **extra):
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


def _cluster_sizes(labels):
    import numpy as np

    values, counts = np.unique(labels, return_counts=True)
    return {str(_json_value(v)): int(c) for v, c in zip(values, counts, strict=True)}


def _predictions_csv(labels, paths):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "label"] + (["path"] if paths is not None else []))
    for i, label in enumerate(labels):
        row = [i, _json_value(label)]
        if paths is not None:
            row.append(paths[i])
        writer.writerow(row)
    return buf.getvalue()


def _use_agg():
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def _save_figure(out, name, figure):
    import matplotlib.pyplot as plt

    try:
        out.write(name, lambda temp: figure.savefig(temp, format="png", dpi=100))
    finally:
        plt.close(figure)


def _write_results(out, console, *, ae, X, Z, labels, info, axis_label, title, metrics,
                   timings, pipeline=None):
    """Figures, predictions, metrics, the model (cluster runs) and the marker."""
    from .plotting import EmbeddingDisplay, ReconstructionDisplay

    _use_agg()
    start = time.perf_counter()
    console.progress("drawing reconstructions.png and embedding.png")
    out.open()
    out.write_text("predictions.csv", _predictions_csv(labels, info["paths"]))
    rec = ReconstructionDisplay.from_estimator(ae, X, n_images=8)
    _save_figure(out, "reconstructions.png", rec.figure_)
    emb = EmbeddingDisplay.from_embedding(
        Z, labels, y_true=info["labels"], target_names=info["target_names"],
        axis_label=axis_label, random_state=0, title=title,
    )
    _save_figure(out, "embedding.png", emb.figure_)
    timings["figures"] = time.perf_counter() - start
    if pipeline is not None:
        from . import save_model

        console.progress(f"saving the fitted pipeline to {MODEL_FILE}")
        start = time.perf_counter()
        out.write(MODEL_FILE, lambda temp: save_model(pipeline, temp, overwrite=True))
        timings["save_model"] = time.perf_counter() - start
    timings["total"] = time.perf_counter() - timings.pop("_start")
    metrics["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    out.write_text("metrics.json", json.dumps(metrics, indent=2, default=_json_value) + "\n")
    out.finish({"command": metrics["command"], "version": __version__,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")})


def _report(console, metrics, n_images, out):
    total = metrics["timings_s"]["total"]
    k = metrics["n_clusters"]
    console.result(
        f"labelled {n_images} images with {k} cluster{'' if k == 1 else 's'} in {total:.1f} s; "
        f"reconstruction loss {metrics['reconstruction_loss']:.4f}"
    )
    if "clustering_accuracy" in metrics:
        console.result(
            f"clustering accuracy {metrics['clustering_accuracy']:.4f}  "
            f"NMI {metrics['nmi']:.4f}  ARI {metrics['ari']:.4f}"
        )
    console.result(f"results in {str(out.path)}{os.sep}")


def _cluster(args, console):
    import numpy as np

    timings = {"_start": time.perf_counter()}
    out = _OutputDir(args.out, overwrite=args.overwrite)
    out.check()
    _check_out_vs_input(args.out, args.input)
    args.device = _check_device(args.device)

    start = time.perf_counter()
    info = _load_input(args)
    X, y = info["images"], info["labels"]
    timings["load"] = time.perf_counter() - start
    n = len(X)
    console.progress(f"[1/4] loaded {_describe(X)} from {info['source']}")

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

    pipe = _build_pipeline(args, n_components, n_clusters, console)
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
            f"{args.autoencoder} needs sizes divisible by {_SIZE_MULTIPLE[args.autoencoder]}"
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
        "input": _input_metrics(args, info, X, y, padded_to=padded),
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
        "cluster_sizes": _cluster_sizes(labels),
    }
    if y is not None:
        metrics.update(_scores(y, labels))
    # Progress callbacks are not part of the model (and not plain data).
    ae.set_params(callbacks=None)
    title = f"{n} images: " + " \u2192 ".join(_step_names(pipe))
    try:
        _write_results(
            out, console, ae=ae, X=X, Z=Z, labels=labels, info=info,
            axis_label="t-SNE" if args.reducer == "tsne" and Z.shape[1] == 2 else None,
            title=title, metrics=metrics, timings=timings, pipeline=pipe,
        )
    except BaseException:
        out.abort()
        raise
    _report(console, metrics, n, out)
    return EXIT_OK


def _predict(args, console):
    import numpy as np

    from . import load_model

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
    out = _OutputDir(args.out, overwrite=args.overwrite)
    if Path(args.out).resolve() == run.resolve():
        raise InputError("--out must differ from --model: the run folder is not overwritten.")
    out.check()
    _check_out_vs_input(args.out, args.input)
    if args.device is not None:
        args.device = _check_device(args.device)
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
    info = _load_input(args, color_mode=color_mode)
    X, y = info["images"], info["labels"]
    timings["load"] = time.perf_counter() - start
    n = len(X)
    console.progress(f"      loaded {_describe(X)} from {info['source']}")
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
        "input": _input_metrics(args, info, X, y),
        "settings": {**settings, "device": str(ae.device), "batch_size": ae.batch_size},
        "pipeline": [f"{name}: {type(step).__name__}" for name, step in pipe.steps],
        "n_clusters": n_clusters,
        "reconstruction_loss": reconstruction_loss,
        "reconstruction_loss_note": "mean squared error on the network's [-1, 1] scale",
        "cluster_sizes": _cluster_sizes(labels),
    }
    if y is not None:
        metrics.update(_scores(y, labels))
    reducer = type(pipe.steps[1][1]).__name__ if len(pipe.steps) > 2 else None
    title = f"{n} new images: " + " \u2192 ".join(_step_names(pipe))
    Zp = np.asarray(Z)
    try:
        _write_results(
            out, console, ae=ae, X=X, Z=Zp, labels=labels, info=info,
            axis_label="t-SNE" if reducer == "TSNETransformer" and Zp.shape[1] == 2 else None,
            title=title, metrics=metrics, timings=timings,
        )
    except BaseException:
        out.abort()
        raise
    _report(console, metrics, n, out)
    return EXIT_OK


def main(argv=None):
    """Run the ``sk-aecluster`` command.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        0 when done, 1 when the run failed (training diverged, a file could
        not be written), 2 for bad input or usage (a one-line message on
        stderr), 130 when interrupted (Ctrl-C).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    console = _Console(args.quiet)
    command = _cluster if args.command == "cluster" else _predict
    try:
        with warnings.catch_warnings():
            warnings.showwarning = console.warning
            return command(args, console)
    except (KeyboardInterrupt, Interrupted) as exc:
        detail = f" ({exc})" if isinstance(exc, Interrupted) else ""
        print(
            f"{PROG}: interrupted{detail}; no complete results were written "
            f"(a finished run ends with {MARKER}).",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except (InputError, FileNotFoundError, FileExistsError, NotADirectoryError,
            ValueError, TypeError) as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, FloatingPointError, MemoryError) as exc:
        print(f"{PROG}: failed: {_one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
