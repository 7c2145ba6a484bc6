"""Tests of report.html: the page parsed (html.parser) and rendered by headless Chromium."""

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from sk_aecluster import AE1Encoder  # noqa: E402
from sk_aecluster._report import render_report  # noqa: E402
from sk_aecluster.datasets import load_digits_images  # noqa: E402

HOSTILE = '<script>alert("x")</script> & \'q\''


class _Page(HTMLParser):
    """What a test needs from the page: tags, ids, links, image sources, text."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.ids, self.srcs, self.hrefs, self.text = [], [], [], [], []
        self.sections = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
            if tag == "section":
                self.sections.append(attrs["id"])
        for key in ("src", "href", "action", "poster", "data"):
            if key in attrs:
                (self.srcs if key != "href" else self.hrefs).append(attrs[key])
        if "style" in attrs:
            self.text.append(attrs["style"])

    def handle_data(self, data):
        self.text.append(data)

    @property
    def all_text(self):
        return " ".join(self.text)


@pytest.fixture(scope="module")
def run():
    digits = load_digits_images()
    X, y = digits.images[:240], digits.target[:240]
    pipe = Pipeline([
        ("autoencoder", AE1Encoder(latent_channels=2, max_epochs=1, random_state=0)),
        ("reducer", PCA(6, random_state=0)),
        ("clusterer", KMeans(4, n_init=2, random_state=0)),
    ])
    labels = pipe.fit_predict(X)
    Z = pipe[:-1].transform(X)
    metrics = {
        "command": "cluster",
        "input": {"kind": "folder", "path": f"/data/{HOSTILE}", "n_images": len(X),
                  "sample_shape": [8, 8], "dtype": "uint8"},
        "recipe": "study",
        "settings": {"autoencoder": "ae1", "epochs": 1, "note": HOSTILE},
        "pipeline": ["autoencoder: AE1Encoder", "reducer: PCA", "clusterer: KMeans"],
        "reconstruction_loss": 0.25,
        "clustering_accuracy": 0.5, "nmi": 0.4, "ari": 0.3,
    }
    common = dict(
        images=X, labels=labels, features=Z, centres=pipe[-1].cluster_centers_,
        embedding=Z, timings={"load": 0.01, "autoencoder": 1.5, "total": 2.0},
    )
    return {"X": X, "y": y, "pipe": pipe, "labels": labels, "metrics": metrics,
            "common": common, "names": digits.target_names}


@pytest.fixture(scope="module")
def labelled_page(run):
    paths = [f"photos/{HOSTILE}_{i}.png" for i in range(len(run["X"]))]
    return render_report(
        run["metrics"], **run["common"], y_true=run["y"], target_names=run["names"],
        paths=paths, reconstruction_estimator=run["pipe"][0],
    )


@pytest.fixture(scope="module")
def unlabelled_page(run):
    metrics = {k: v for k, v in run["metrics"].items()
               if k not in ("clustering_accuracy", "nmi", "ari")}
    return render_report(metrics, **run["common"])


def test_scores_computed_from_labels_when_metrics_lack_them(run):
    from sklearn.metrics import adjusted_rand_score

    page = render_report({}, images=run["X"], labels=run["labels"], y_true=run["y"])
    ari = adjusted_rand_score(run["y"], run["labels"])
    assert f"{ari:.4g}" in page.split('id="metric-ari"')[1][:60]


def test_sections_present(run, labelled_page):
    page = _Page(labelled_page)
    assert page.sections == [
        "summary", "montage", "sizes", "labels", "embedding", "reconstructions",
        "input", "recipe", "timings",
    ]
    assert labelled_page.startswith("<!DOCTYPE html>")
    # the table of contents links to every section, inside the page only
    assert sorted(page.hrefs) == sorted(f"#{s}" for s in page.sections)
    text = page.all_text
    assert "sk-aecluster cluster: 240 images in 4 clusters" in text
    assert "AE1Encoder" in text and "study" in text and "autoencoder" in text
    assert "1.50" in text  # the timings
    sizes = labelled_page.split('id="sizes"', 1)[1].split("</table>", 1)[0]
    for size in np.bincount(run["labels"]):
        assert f'<td class="num">{size}</td>' in sizes


def test_images_are_embedded_pngs_and_nothing_is_fetched(labelled_page):
    page = _Page(labelled_page)
    assert page.tags.count("img") == len(page.srcs) >= 4  # montage, confusion, embedding, recs
    for src in page.srcs:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
    for tag in ("script", "link", "iframe", "object", "embed", "base"):
        assert tag not in page.tags
    for url in page.srcs + page.hrefs:
        assert not url.lower().startswith(("http:", "https:", "//", "file:"))
    lowered = labelled_page.lower()
    assert "http://" not in lowered and "https://" not in lowered
    assert "@import" not in lowered and "url(" not in lowered


def test_label_scores_shown_only_with_labels(labelled_page, unlabelled_page):
    with_labels, without = _Page(labelled_page), _Page(unlabelled_page)
    for card in ("metric-clustering-accuracy", "metric-nmi", "metric-ari"):
        assert card in with_labels.ids
        assert card not in without.ids
    assert "labels" in with_labels.sections and "labels" not in without.sections
    assert "matched class" in with_labels.all_text
    assert "0.5" in labelled_page.split('id="metric-clustering-accuracy"')[1][:60]
    assert "matched class" not in without.all_text
    assert "No true labels" in without.all_text
    # without a decoder estimator or figure, no reconstructions section
    assert "reconstructions" not in without.sections
    assert "embedding" in without.sections and "montage" in without.sections


def test_user_strings_are_escaped(labelled_page):
    page = _Page(labelled_page)
    assert "script" not in page.tags
    text = page.all_text
    assert f"/data/{HOSTILE}" in text  # shown as text, unchanged
    assert f"photos/{HOSTILE}_" in text  # file names of the shown images
    assert HOSTILE not in labelled_page  # never raw in the markup
    assert "&lt;script&gt;" in labelled_page


def test_given_figures_are_used_and_no_features_means_random_sample(run):
    png = b"\x89PNG\r\n\x1a\nfake"
    page_text = render_report(
        run["metrics"], images=run["X"], labels=run["labels"],
        figures={"embedding": png, "reconstructions": png},
    )
    page = _Page(page_text)
    expected = "data:image/png;base64," + base64.b64encode(png).decode()
    assert page.srcs.count(expected) == 2
    assert "random sample of each cluster" in page.all_text
    assert "timings" in page.sections and "Not recorded" in page.all_text


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed")
def test_report_renders_in_chromium(labelled_page, tmp_path):
    from PIL import Image

    report = tmp_path / "report.html"
    report.write_text(labelled_page, encoding="utf-8")
    shot = tmp_path / "out.png"
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}", "--window-size=1200,2400", report.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert shot.is_file(), f"no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
    with Image.open(shot) as im:
        assert im.size == (1200, 2400)
        pixels = np.asarray(im.convert("RGB"), dtype=np.float64)
    assert pixels.std() > 20  # not blank
    # the header band, the dark montage cells and white background all appear
    assert (pixels.mean(axis=2) < 40).mean() > 0.01
    assert (pixels.mean(axis=2) > 240).mean() > 0.3
