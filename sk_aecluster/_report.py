"""``report.html``: one self-contained page a person can look at after a run.

The page shows the input, the recipe and its settings, the timings, the
cluster sizes, a montage of each cluster (:class:`~sk_aecluster.plotting.
ClusterMontageDisplay`), the 2-D embedding, the reconstructions when the
recipe has a decoder and, with known labels, the accuracy, NMI, ARI and the
clusters-by-classes matrix in Hungarian order
(:class:`~sk_aecluster.plotting.ClusterConfusionDisplay`). Figures are PNG
data URIs and the style sheet is inline: the page fetches nothing.
"""

import time

import numpy as np

from . import _report_html as H
from ._version import __version__

REPORT_FILE = "report.html"
_CLUSTERS_PER_MONTAGE = 20
_FILES_LISTED = 16


def _class_name(c, target_names):
    from .plotting._utils import class_names

    return class_names([c], target_names)[0]


def _input_section(metrics):
    info = dict(metrics.get("input") or {})
    if "sample_shape" in info:
        info["sample_shape"] = "x".join(str(s) for s in info["sample_shape"])
    return H.key_values(info) if info else '<p class="note">Not recorded.</p>'


def _recipe_section(metrics):
    parts = []
    recipe = metrics.get("recipe")
    if recipe is not None:
        parts.append(f"<p>Recipe: <code>{H.esc(recipe)}</code></p>")
    if metrics.get("recipe_choice"):
        parts.append(f'<p class="note">{H.esc(metrics["recipe_choice"])}</p>')
    steps = metrics.get("pipeline") or []
    if steps:
        parts.append("<p>Pipeline: " + " \u2192 ".join(
            f"<code>{H.esc(s)}</code>" for s in steps) + "</p>")
    settings = metrics.get("settings") or {}
    if settings:
        parts.append(H.key_values(settings))
    parts.append(_selection_table(metrics.get("selection")))
    return "".join(parts) or '<p class="note">Not recorded.</p>'


def _selection_table(selection):
    """The stability score of each recipe a selection tried, with its fit and scoring time."""
    if not selection or not selection.get("scores"):
        return ""
    fits, scoring = selection.get("fit_times_s", {}), selection.get("score_times_s", {})
    rows = [(name, f"{float(score):.3f}", f"{float(fits.get(name, float('nan'))):.1f}",
             f"{float(scoring.get(name, float('nan'))):.1f}")
            for name, score in selection["scores"].items()]
    header = ("recipe tried", "stability score", "fit (s)", "scoring (s)")
    return ("<p>Chosen without labels by the stability score (higher is better):</p>"
            + H.table(rows, header, numeric=(1, 2, 3)))


def _timings_section(timings):
    if not timings:
        return '<p class="note">Not recorded.</p>'
    rows = [(name.replace("_", " "), f"{float(t):.2f}") for name, t in timings.items()]
    note = ('<p class="note">Seconds of wall-clock time; "total" runs until this page '
            "was drawn.</p>")
    return H.table(rows, ("stage", "seconds"), numeric=(1,)) + note


def _scores(metrics, labels, y_true):
    """Accuracy, NMI and ARI: those in ``metrics``, else computed from ``y_true``."""
    if y_true is None:
        return []
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from .metrics import clustering_accuracy_score

    scores = [
        ("clustering accuracy", "clustering_accuracy", clustering_accuracy_score),
        ("NMI", "nmi", normalized_mutual_info_score),
        ("ARI", "ari", adjusted_rand_score),
    ]
    return [(name, metrics[key] if key in metrics else float(score(y_true, labels)))
            for name, key, score in scores]


def _results_section(metrics, labels, y_true):
    items = [("images", len(labels)), ("clusters", len(np.unique(labels)))]
    labelled = _scores(metrics, labels, y_true)
    items += labelled
    if metrics.get("reconstruction_loss") is not None:
        items.append(("reconstruction loss", metrics["reconstruction_loss"]))
    out = H.cards(items)
    if labelled:
        out += ('<p class="note">Scored against the known labels: accuracy under the '
                "best one-to-one matching of clusters to classes (Hungarian), "
                "normalised mutual information, adjusted Rand index.</p>")
    else:
        out += '<p class="note">No true labels were given: no scores.</p>'
    steps = metrics.get("pipeline") or []
    recipe = metrics.get("recipe")
    if recipe is not None or steps:
        out += "<p>" + (f"Recipe <code>{H.esc(recipe)}</code>: " if recipe else "Pipeline: ")
        out += " \u2192 ".join(f"<code>{H.esc(s.split(': ')[-1])}</code>" for s in steps)
        out += "</p>"
    return out


def _sizes_section(labels, y_true, target_names):
    clusters, counts = np.unique(labels, return_counts=True)
    n = len(labels)
    matched = {}
    header = ["cluster", "images", "share", ""]
    if y_true is not None:
        from .plotting._confusion import hungarian_order

        matrix, order, classes, n_matched = hungarian_order(y_true, labels)
        for i in range(n_matched):
            matched[order[i].item() if hasattr(order[i], "item") else order[i]] = (
                _class_name(classes[i], target_names), matrix[i, i] / matrix[i].sum())
        header += ["matched class", "its share"]
    rows = []
    biggest = counts.max()
    for c, k in zip(clusters.tolist(), counts.tolist(), strict=True):
        bar = f'<div class="bar" style="width:{160 * k / biggest:.0f}px"></div>'
        row = [c, k, f"{k / n:.1%}", bar]
        if y_true is not None:
            name, purity = matched.get(c, ("\u2014", None))
            row += [name, "\u2014" if purity is None else f"{purity:.0%}"]
        rows.append(row)
    return H.table(rows, header, numeric=(1, 2), raw=(3,))


def _montage_section(images, labels, *, features, centres, paths, n_closest, n_random,
                     random_state, data_format, image_shape):
    from .plotting import ClusterMontageDisplay
    from .plotting._montage_picks import distances_to_centres

    distances = None
    if features is not None:
        distances = distances_to_centres(features, labels, centres)
    clusters = np.unique(labels)
    parts = []
    for start in range(0, len(clusters), _CLUSTERS_PER_MONTAGE):
        chunk = clusters[start:start + _CLUSTERS_PER_MONTAGE]
        disp = ClusterMontageDisplay.from_predictions(
            images, labels, distances=distances, n_closest=n_closest, n_random=n_random,
            clusters=chunk, random_state=random_state, data_format=data_format,
            image_shape=image_shape,
            title=None if len(clusters) <= _CLUSTERS_PER_MONTAGE
            else f"clusters {fmt_range(chunk)}",
        )
        picks = list(zip(disp.cluster_labels.tolist(), disp.closest_indices,
                         disp.sample_indices, strict=True))
        parts.append(H.figure(H.figure_png(disp.figure_),
                              f"montage of clusters {fmt_range(chunk)}"))
        if paths is not None:
            parts.append(_file_lists(picks, paths))
    if distances is None:
        how = "a random sample of each cluster (no space to measure closeness in)"
    else:
        how = ("left, the images closest to the cluster's centre in the space the "
               "clusterer works in (nearest first); right, a random sample of the others")
    note = (f'<p class="note">One row per cluster: {H.esc(how)}; the sample is drawn '
            f"with seed {H.esc(random_state)}.</p>")
    return note + "".join(parts)


def fmt_range(values):
    values = list(values)
    return H.fmt(values[0]) if len(values) == 1 else f"{H.fmt(values[0])}\u2013{H.fmt(values[-1])}"


def _file_lists(picks, paths):
    """Per cluster, the files of the images shown (a collapsed list)."""
    out = []
    for c, near, sample in picks:
        names = [str(paths[i]) for i in list(near) + list(sample)][:_FILES_LISTED]
        items = "".join(f"<li>{H.esc(name)}</li>" for name in names)
        out.append(f"<details><summary>cluster {H.esc(c)}: the files shown</summary>"
                   f"<ul>{items}</ul></details>")
    return "".join(out)


def render_report(metrics, *, images, labels, features=None, centres=None, y_true=None,
                  target_names=None, paths=None, embedding=None, axis_label=None,
                  reconstruction_estimator=None, figures=None, timings=None,
                  data_format="auto", image_shape=None, n_closest=8, n_random=8,
                  random_state=0):
    """The report of a run as one self-contained HTML page.

    Parameters
    ----------
    metrics : dict
        What ``metrics.json`` holds: ``command``, ``input``, ``recipe``,
        ``settings``, ``pipeline``, ``reconstruction_loss`` and, with labels,
        ``clustering_accuracy``, ``nmi`` and ``ari``.
    images : ndarray of shape (n_samples, ...)
        The clustered images.
    labels : ndarray of shape (n_samples,)
        Their cluster labels.
    features : ndarray of shape (n_samples, n_features) or None, default=None
        The space the clusterer worked in (its input); the montage then shows
        the images closest to each centre.
    centres : ndarray of shape (n_clusters, n_features) or None, default=None
        The clusterer's ``cluster_centers_``, indexed by label; ``None`` uses
        the cluster means of ``features``.
    y_true, target_names : array-like or None, default=None
        True labels (and class names) when known.
    paths : sequence of str or None, default=None
        The file of each image (folder input): the files shown are listed.
    embedding : ndarray of shape (n_samples, n_dims) or None, default=None
        The points of the embedding figure (projected to 2-D by PCA if needed).
    axis_label : str or None, default=None
        Axis name of the embedding figure.
    reconstruction_estimator : estimator or None, default=None
        The autoencoder (anything with ``reconstruct``) when the recipe has a
        decoder.
    figures : dict or None, default=None
        PNG bytes already drawn, by name (``"embedding"``,
        ``"reconstructions"``), used instead of drawing them again.
    timings : dict or None, default=None
        Seconds per stage; ``None`` uses ``metrics["timings_s"]``.
    data_format, image_shape
        How to read ``images`` (as in the displays).
    n_closest, n_random, random_state
        The montage's images per cluster and the seed of its samples.

    Returns
    -------
    html : str
        The page.
    """
    from .plotting import ClusterConfusionDisplay, EmbeddingDisplay, ReconstructionDisplay

    labels = np.asarray(labels)
    figures = dict(figures or {})
    n, k = len(labels), len(np.unique(labels))
    summary = _results_section(metrics, labels, y_true)
    later = [
        ("input", "Input", _input_section(metrics)),
        ("recipe", "Recipe and settings", _recipe_section(metrics)),
        ("timings", "Timings", _timings_section(timings or metrics.get("timings_s"))),
    ]
    sections = [
        ("summary", "Summary", summary),
        ("montage", "What landed in each cluster", _montage_section(
            images, labels, features=features, centres=centres, paths=paths,
            n_closest=n_closest, n_random=n_random, random_state=random_state,
            data_format=data_format, image_shape=image_shape)),
        ("sizes", "Cluster sizes", _sizes_section(labels, y_true, target_names)),
    ]
    if y_true is not None:
        conf = ClusterConfusionDisplay.from_predictions(y_true, labels,
                                                        target_names=target_names)
        sections.append(("labels", "Clusters against the known labels", H.figure(
            H.figure_png(conf.figure_), "clusters by classes",
            "Samples of each true class (columns) in each cluster (rows), ordered so "
            "that the matched pairs lie on the outlined diagonal; its share is the "
            f"clustering accuracy, {conf.accuracy_:.4f}.")))
    if "embedding" not in figures and embedding is not None:
        emb = EmbeddingDisplay.from_embedding(
            embedding, labels, y_true=y_true, target_names=target_names,
            axis_label=axis_label, random_state=0)
        figures["embedding"] = H.figure_png(emb.figure_)
    if "embedding" in figures:
        sections.append(("embedding", "2-D embedding", H.figure(
            figures["embedding"], "2-D embedding",
            "The clusterer's input in the plane (its first two principal components "
            "when it has more dimensions), coloured by cluster"
            + (" and by true label." if y_true is not None else ".")))
        )
    if "reconstructions" not in figures and reconstruction_estimator is not None:
        rec = ReconstructionDisplay.from_estimator(
            reconstruction_estimator, images, n_images=8,
            data_format=None if data_format == "auto" else data_format)
        figures["reconstructions"] = H.figure_png(rec.figure_)
    if "reconstructions" in figures:
        sections.append(("reconstructions", "Reconstructions", H.figure(
            figures["reconstructions"], "reconstructions",
            "Originals (top) and what the autoencoder makes of them (bottom).")))
    sections += later
    command = metrics.get("command", "cluster")
    title = f"sk-aecluster {command}: {n} images in {k} cluster{'s' if k != 1 else ''}"
    source = (metrics.get("input") or {}).get("path") or (metrics.get("input") or {}).get(
        "kind", "")
    subtitle = f"input: {source}" if source else ""
    footer = f"sk_aecluster {__version__}, written {time.strftime('%Y-%m-%d %H:%M:%S %z')}"
    return H.page(title, subtitle, sections, footer)
