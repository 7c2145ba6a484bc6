"""The command's argument parser."""

import argparse
import re

from .._version import __version__
from ._common import PROG
from ._recipes import AUTO_ACCEPT, RECIPES

AUTOENCODERS = {
    "ae1": "AE1Encoder",
    "ae2": "AE2Encoder",
    "conv": "ConvAutoEncoder",
    "dense": "DenseAutoEncoder",
}
SIZE_MULTIPLE = {"ae1": 2, "ae2": 8, "conv": 8}


def number(cast, minimum, exclusive, words):
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


positive_int = number(int, 1, False, "a positive integer")
non_negative_int = number(int, 0, False, "an integer >= 0")
positive_float = number(float, 0.0, True, "a positive number")


def n_clusters(text):
    """``--n-clusters``: a positive integer or ``auto``."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or auto, got {text!r}") from None


def image_size(text):
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise argparse.ArgumentTypeError(
            f"expected HEIGHTxWIDTH such as 32x32, got {text!r}"
        )
    return int(match.group(1)), int(match.group(2))


EPILOG_CLUSTER = """\
examples:
  sk-aecluster cluster --out run1
      cluster scikit-learn's bundled digits (HOG -> UMAP -> k-means, checked by
      its stability score: under a minute)
  sk-aecluster cluster photos/ --labels-from-folders --resize 32x32 --out run2
  sk-aecluster cluster trainX.npy --recipe contrastive --n-clusters 2 --out run3
  sk-aecluster cluster trainX.npy --recipe study --autoencoder ae1 --epochs 20 --out run4

outputs in DIR: predictions.csv (id,label[,path]), embedding.png,
reconstructions.png (recipes with a decoder), model.safetensors, report.html
(a page to open in a browser), metrics.json and, written last, complete.json.
Exit status: 0 done, 2 bad input, 130 interrupted.
"""

EPILOG_PREDICT = """\
example:
  sk-aecluster predict --model run1 new_images.npy --out run1-new

writes predictions.csv, embedding.png, reconstructions.png (models with a
decoder), report.html, metrics.json and complete.json into DIR.
Exit status: 0 done, 2 bad input, 130 interrupted.
"""


def add_input_options(parser):
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
        type=image_size,
        help="for a folder INPUT: resize every image to HEIGHTxWIDTH (e.g. 32x32); "
        "without it images of different sizes are an error",
    )


def add_output_options(parser):
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
        description="Cluster images with learnt or computed features, a 2-D "
        "embedding and k-means (a scikit-learn Pipeline), and write predictions, "
        "figures, a report, metrics and the fitted model into a folder.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    cluster = sub.add_parser(
        "cluster",
        help="fit a pipeline on images and label them",
        description="Fit a clustering pipeline (a --recipe) on the images of INPUT\n"
        "and write one cluster label per image, and a report.",
        epilog=EPILOG_CLUSTER,
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
    add_output_options(cluster)
    add_input_options(cluster)
    recipe = cluster.add_argument_group(
        "recipe", "what is fitted; options a recipe does not use are an error")
    recipe.add_argument(
        "--recipe",
        choices=RECIPES,
        default="auto",
        help="autoencoder, hog, contrastive: the library's recommended recipe "
        "(features -> 2-D UMAP or t-SNE -> k-means) with a dense autoencoder, HOG "
        "features or a contrastive (SimCLR) encoder; study: the study's pipelines "
        "(--autoencoder, --reducer, --clusterer); select: fit autoencoder, hog and "
        "contrastive and keep the most stable, without labels (the sum of their "
        "training times); auto: try first hog for colour or small (side < 16 px) "
        "images, else autoencoder, and keep it if its stability score is at least "
        f"{AUTO_ACCEPT:g}, else select (default: %(default)s)",
    )
    recipe.add_argument(
        "--n-clusters", type=n_clusters, default=None, metavar="K",
        help="number of clusters, or auto: chosen among 2 to 12 by the stability "
        "score (default: the number of true classes when labels are known, else auto)",
    )
    recipe.add_argument(
        "--random-state", type=int, default=0, metavar="SEED",
        help="seed of every random step (default: %(default)s)",
    )
    embed = cluster.add_argument_group(
        "recommended recipes (autoencoder, hog, contrastive, auto, select)")
    embed.add_argument(
        "--manifold", choices=("auto", "umap", "tsne"), default=None,
        help="the 2-D embedding; auto: UMAP when umap-learn is installed, else "
        "t-SNE (default: auto)",
    )
    embed.add_argument(
        "--n-neighbors", type=positive_int, default=None, metavar="N",
        help="UMAP's neighbourhood size (default: 20, at most the number of images - 1)",
    )
    train = cluster.add_argument_group(
        "training (autoencoder, contrastive, study; auto and select: not --epochs)")
    train.add_argument(
        "--epochs", type=non_negative_int, default=None, metavar="N",
        help="training epochs (default: 250 autoencoder, 30 contrastive, 10 study)",
    )
    train.add_argument(
        "--batch-size", type=positive_int, default=None, metavar="N",
        help="mini-batch size (default: 256, study 64)",
    )
    train.add_argument(
        "--lr", type=positive_float, default=None, metavar="LR",
        help="learning rate of Adam (default: 0.001)",
    )
    train.add_argument(
        "--device", default=None, metavar="DEVICE",
        help="torch device: cpu, cuda, cuda:1, mps (default: cpu)",
    )
    study = cluster.add_argument_group("the study's pipelines (--recipe study)")
    study.add_argument(
        "--autoencoder",
        choices=sorted(AUTOENCODERS),
        default=None,
        help="ae1/ae2: the study's two networks, conv: ConvAutoEncoder, dense: "
        "DenseAutoEncoder (default: ae2). Conv networks pad images whose "
        "size they cannot take (e.g. 28x28 for ae2, which needs multiples of 8)",
    )
    study.add_argument(
        "--reducer",
        choices=("pca", "tsne", "none"),
        default=None,
        help="dimension reduction of the latent codes (default: pca)",
    )
    study.add_argument(
        "--n-components", type=positive_int, default=None, metavar="N",
        help="dimensions kept by the reducer (default: 32 for pca, 2 for tsne)",
    )
    study.add_argument(
        "--clusterer",
        choices=("kmeans", "gmm"),
        default=None,
        help="k-means or a Gaussian mixture (default: kmeans)",
    )

    predict = sub.add_parser(
        "predict",
        help="label new images with the model of an earlier cluster run",
        description="Label the images of INPUT with the pipeline saved by an earlier\n"
        "`sk-aecluster cluster` run whose --out was RUN_DIR.",
        epilog=EPILOG_PREDICT,
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
    add_output_options(predict)
    add_input_options(predict)
    opts = predict.add_argument_group("model")
    opts.add_argument(
        "--device", default=None, metavar="DEVICE",
        help="torch device of the model's network (default: the saved one when "
        "available, else cpu)",
    )
    opts.add_argument(
        "--batch-size", type=positive_int, default=None, metavar="N",
        help="encoding batch size of the model's network (default: the saved one)",
    )
    return parser
