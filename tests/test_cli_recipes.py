"""``sk-aecluster cluster --recipe``: the recommended recipes, ``auto``, the report, bad options."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils import Bunch
from test_cli import STUDY, files_in, read_csv, run_cli
from test_report import _Page

from sk_aecluster import load_model, make_recommended_pipeline, recommended_features
from sk_aecluster.cli import MARKER, _recipes

pytest.importorskip("umap")


@pytest.fixture(scope="module")
def digits_dir(tmp_path_factory):
    """300 bundled digits (8x8 grey, with labels) and 40 others to label later."""
    from sk_aecluster.datasets import load_digits_images

    digits = load_digits_images()
    d = tmp_path_factory.mktemp("digits")
    np.savez(d / "train.npz", X=digits.images[:300], y=digits.target[:300])
    np.save(d / "new.npy", digits.images[1000:1040])
    return Bunch(dir=d, X=digits.images[:300], y=digits.target[:300],
                 new=digits.images[1000:1040])


@pytest.fixture(scope="module")
def auto_run(digits_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "auto"
    status, stdout, stderr = run_cli("cluster", digits_dir.dir / "train.npz", "--out", out)
    assert status == 0, stderr
    return Bunch(out=out, stdout=stdout, stderr=stderr)


def test_recommended_features_rule():
    assert recommended_features(np.zeros((3, 8, 8))) == "hog"
    assert recommended_features(np.zeros((3, 15, 40))) == "hog"
    assert recommended_features(np.zeros((3, 16, 16))) == "autoencoder"
    assert recommended_features(np.zeros((3, 28, 28, 1))) == "autoencoder"
    assert recommended_features(np.zeros((3, 32, 32, 3))) == "hog"
    assert recommended_features(np.zeros((3, 64))) == "autoencoder"  # not images


def test_auto_chooses_hog_for_small_images(auto_run):
    assert ("trying hog, the rule's recipe for 8x8 grey images first: kept if its stability "
            "score is at least 0.9" in auto_run.stderr)
    assert "[StabilityRecipeSelector] fitting and scoring hog (1 of 3)" in auto_run.stderr
    for line in ("step 1 of 3 (hog) done", "step 2 of 3 (umap) started",
                 "step 2 of 3 (umap) done", "step 3 of 3 (cluster) done"):
        assert line in auto_run.stderr
    metrics = json.loads((auto_run.out / "metrics.json").read_text())
    assert metrics["recipe"] == "hog"
    score = metrics["selection"]["scores"]["hog"]
    assert list(metrics["selection"]["scores"]) == ["hog"] and score >= _recipes.AUTO_ACCEPT
    assert metrics["recipe_choice"] == (
        f"--recipe auto chose hog with 10 clusters, stability {score:.3f} (at least 0.9: the "
        "other recipes not tried)")
    assert metrics["recipe_choice"] in auto_run.stderr
    assert metrics["settings"] == {"recipe": "hog", "manifold": "umap", "n_neighbors": 20,
                                   "n_clusters": 10, "random_state": 0}
    assert metrics["pipeline"] == ["hog: HOGFeatures", "umap: UMAP", "cluster: KMeans"]
    assert "reconstruction_loss" not in metrics and metrics["clustering_accuracy"] > 0.8
    assert {"fit hog", "fit umap", "fit cluster", "stability hog", "report",
            "total"} <= set(metrics["timings_s"])
    # no decoder: no reconstructions
    assert files_in(auto_run.out) == sorted([
        "predictions.csv", "embedding.png", "model.safetensors", "report.html",
        "metrics.json", MARKER])
    marker = json.loads((auto_run.out / MARKER).read_text())
    assert marker["files"] == ["predictions.csv", "embedding.png", "model.safetensors",
                               "report.html", "metrics.json"]


def test_saved_recipe_predicts_like_the_in_memory_pipeline(auto_run, digits_dir, tmp_path):
    out = tmp_path / "new"
    status, _, stderr = run_cli("predict", "--model", auto_run.out, digits_dir.dir / "new.npy",
                                "--out", out)
    assert status == 0, stderr
    pipe = make_recommended_pipeline(10, features="hog", random_state=0)
    expected = pipe.fit(digits_dir.X).predict(digits_dir.new)
    labels = [int(r[1]) for r in read_csv(out / "predictions.csv")[1:]]
    assert labels == expected.tolist()
    assert labels == load_model(auto_run.out / "model.safetensors").predict(
        digits_dir.new).tolist()
    # the training labels are the fit's own
    trained = [int(r[1]) for r in read_csv(auto_run.out / "predictions.csv")[1:]]
    assert trained == pipe.named_steps["cluster"].labels_.tolist()


def test_report_page_has_every_part(auto_run):
    page = _Page((auto_run.out / "report.html").read_text(encoding="utf-8"))
    assert {"summary", "montage", "sizes", "labels", "embedding", "input", "recipe",
            "timings"} <= set(page.sections)
    assert "reconstructions" not in page.sections  # HOG has no decoder
    assert page.srcs and all(s.startswith("data:image/png;base64,") for s in page.srcs)
    assert "clustering accuracy" in page.all_text and "HOGFeatures" in page.all_text
    assert "umap" in page.all_text
    # the stability score of the recipe --recipe auto tried
    metrics = json.loads((auto_run.out / "metrics.json").read_text())
    assert "Chosen without labels by the stability score" in page.all_text
    assert f"{metrics['selection']['scores']['hog']:.3f}" in page.text


@pytest.mark.parametrize("recipe, first, step", [
    ("autoencoder", "DenseAutoEncoder", "ae"),
    ("contrastive", "ContrastiveEncoder", "contrastive"),
])
def test_learnt_recipes_train_and_predict(recipe, first, step, digits_dir, tmp_path):
    out = tmp_path / recipe
    status, stdout, stderr = run_cli(
        "cluster", digits_dir.dir / "train.npz", "--recipe", recipe, "--epochs", "1",
        "--batch-size", "128", "--manifold", "tsne", "--out", out)
    assert status == 0, stderr
    assert "train_loss" in stderr  # the network's epoch table
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["recipe"] == recipe and metrics["n_epochs"] == 1
    assert metrics["pipeline"][0] == f"{step}: {first}"
    assert metrics["settings"]["epochs"] == 1 and metrics["settings"]["batch_size"] == 128
    assert ("reconstructions.png" in files_in(out)) == (recipe == "autoencoder")
    assert ("reconstruction_loss" in metrics) == (recipe == "autoencoder")
    page = _Page((out / "report.html").read_text(encoding="utf-8"))
    assert ("reconstructions" in page.sections) == (recipe == "autoencoder")
    status, _, stderr = run_cli("predict", "--model", out, digits_dir.dir / "new.npy",
                                "--out", tmp_path / f"{recipe}-new")
    assert status == 0, stderr
    model = load_model(out / "model.safetensors")
    labels = [int(r[1]) for r in read_csv(tmp_path / f"{recipe}-new" / "predictions.csv")[1:]]
    assert labels == model.predict(digits_dir.new).tolist()


def test_quiet_auto_prints_nothing(digits_dir, tmp_path):
    status, stdout, stderr = run_cli("cluster", digits_dir.dir / "train.npz", "--quiet",
                                     "--manifold", "tsne", "--out", tmp_path / "q")
    # --quiet prints nothing but warnings and errors
    assert status == 0 and stdout == "", stderr
    assert all(line.startswith("sk-aecluster: warning:") for line in stderr.splitlines())
    metrics = json.loads((tmp_path / "q" / "metrics.json").read_text())
    assert "fit tsne" in metrics["timings_s"]  # step times are kept when quiet
    # the selection's lines are silenced too, its times kept
    assert list(metrics["selection"]["scores"]) == ["hog"]
    assert metrics["timings_s"]["stability hog"] > 0


def test_auto_without_umap_uses_tsne(monkeypatch, digits_dir, tmp_path):
    monkeypatch.setattr(_recipes, "umap_installed", lambda: False)
    status, _, stderr = run_cli("cluster", digits_dir.dir / "train.npz", "--out", tmp_path / "t")
    assert status == 0, stderr
    metrics = json.loads((tmp_path / "t" / "metrics.json").read_text())
    assert metrics["settings"]["manifold"] == "tsne"
    assert metrics["pipeline"][1] == "tsne: TSNETransformer"
    status, _, stderr = run_cli("cluster", digits_dir.dir / "train.npz", "--manifold", "umap",
                                "--out", tmp_path / "u")
    assert status == 2 and "needs umap-learn" in stderr and "--manifold tsne" in stderr


@pytest.mark.parametrize("options, message", [
    (["--recipe", "hog", "--epochs", "3"],
     "--epochs does not apply to the hog recipe: HOG features are computed, not trained. "
     "It applies to --recipe autoencoder, contrastive, study."),
    (["--epochs", "3"],
     "--epochs does not apply to the auto recipe: each recipe trains for its own default "
     "number of epochs (pass --recipe to choose one). It applies to --recipe autoencoder, "
     "contrastive, study."),
    (["--recipe", "autoencoder", "--reducer", "pca"],
     "--reducer does not apply to the autoencoder recipe"),
    (["--recipe", "contrastive", "--autoencoder", "ae1"],
     "--autoencoder does not apply to the contrastive recipe"),
    (["--recipe", "study", "--manifold", "umap"],
     "--manifold does not apply to the study recipe: the study's pipelines reduce with "
     "--reducer. It applies to --recipe auto, autoencoder, hog, contrastive, select."),
    (["--recipe", "hog", "--device", "cpu"], "--device does not apply to the hog recipe"),
    (["--recipe", "hog", "--manifold", "tsne", "--n-neighbors", "5"],
     "--n-neighbors does not apply to --manifold tsne"),
    (["--recipe", "study", "--reducer", "none", "--n-components", "3"],
     "--n-components does not apply to --reducer none"),
])
def test_options_that_do_not_fit_the_recipe(options, message, digits_dir, tmp_path):
    status, stdout, stderr = run_cli("cluster", digits_dir.dir / "train.npz", *options,
                                     "--out", tmp_path / "o")
    assert status == 2 and stdout == ""
    errors = [line for line in stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], stderr
    assert not (tmp_path / "o").exists()


def test_unknown_recipe(tmp_path):
    status, _, stderr = run_cli("cluster", "--recipe", "magic", "--out", tmp_path / "o")
    assert status == 2
    assert "invalid choice: 'magic'" in stderr and "study" in stderr
    assert not (tmp_path / "o").exists()


def test_study_recipe_keeps_its_options(digits_dir, tmp_path):
    status, _, stderr = run_cli("cluster", digits_dir.dir / "train.npz", *STUDY,
                                "--autoencoder", "ae1", "--epochs", "1", "--reducer", "tsne",
                                "--out", tmp_path / "s")
    assert status == 0, stderr
    metrics = json.loads((tmp_path / "s" / "metrics.json").read_text())
    assert metrics["pipeline"] == ["autoencoder: AE1Encoder", "reducer: TSNETransformer",
                                   "clusterer: KMeans"]
    assert "reconstructions.png" in files_in(tmp_path / "s")


def test_main_job_on_the_bundled_digits(tmp_path):
    """The README's main job: no options, the embedded digits, accuracy >= 0.95."""
    status, stdout, stderr = run_cli("cluster", "--out", tmp_path / "main")
    assert status == 0, stderr
    metrics = json.loads((tmp_path / "main" / "metrics.json").read_text())
    assert metrics["recipe"] == "hog" and metrics["input"]["n_images"] == 1797
    assert metrics["clustering_accuracy"] >= 0.95, metrics["clustering_accuracy"]
    assert f"clustering accuracy {metrics['clustering_accuracy']:.4f}" in stdout
    assert Path(tmp_path / "main" / "report.html").stat().st_size > 10_000


def test_n_clusters_auto_without_labels(tmp_path):
    from sk_aecluster.datasets import load_digits_images

    np.save(tmp_path / "x.npy", load_digits_images().images[:120])
    status, _, stderr = run_cli("cluster", tmp_path / "x.npy", "--manifold", "tsne",
                                "--out", tmp_path / "o")
    assert status == 0, stderr
    assert "chosen among 2 to 12 by the stability score (no labels" in stderr
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    selection = metrics["selection"]
    assert sorted(map(int, selection["n_clusters_scores"]["hog"])) == list(range(2, 13))
    assert metrics["n_clusters"] == selection["n_clusters"]
    assert len(metrics["cluster_sizes"]) == selection["n_clusters"]
    status, _, stderr = run_cli("cluster", tmp_path / "x.npy", "--n-clusters", "many",
                                "--out", tmp_path / "bad")
    assert status == 2 and "expected a positive integer or auto, got 'many'" in stderr


def test_recipe_select_keeps_the_most_stable(digits_dir, tmp_path):
    np.savez(tmp_path / "few.npz", X=digits_dir.X[:120], y=digits_dir.y[:120])
    status, _, stderr = run_cli("cluster", tmp_path / "few.npz", "--recipe", "select",
                                "--manifold", "tsne", "--n-clusters", "10",
                                "--out", tmp_path / "s")
    assert status == 0, stderr
    metrics = json.loads((tmp_path / "s" / "metrics.json").read_text())
    scores = metrics["selection"]["scores"]
    assert set(scores) == {"autoencoder", "hog", "contrastive"}
    assert metrics["recipe"] == max(scores, key=scores.get)
    assert metrics["recipe_choice"].startswith(f"--recipe select chose {metrics['recipe']}")
    status, _, stderr = run_cli("cluster", digits_dir.dir / "train.npz", "--recipe", "select",
                                "--epochs", "3", "--out", tmp_path / "e")
    assert status == 2 and "--epochs does not apply to the select recipe" in stderr


def test_auto_tries_the_others_when_the_rule_is_not_stable_enough(monkeypatch, digits_dir,
                                                                    tmp_path):
    monkeypatch.setattr(_recipes, "AUTO_ACCEPT", 1.0)
    np.savez(tmp_path / "few.npz", X=digits_dir.X[:120], y=digits_dir.y[:120])
    status, _, stderr = run_cli("cluster", tmp_path / "few.npz", "--manifold", "tsne",
                                "--out", tmp_path / "a")
    assert status == 0, stderr
    metrics = json.loads((tmp_path / "a" / "metrics.json").read_text())
    scores = metrics["selection"]["scores"]
    # the rule's recipe first, then the others
    assert list(scores) == ["hog", "autoencoder", "contrastive"] and scores["hog"] < 1.0
    assert metrics["recipe"] == max(scores, key=scores.get)
    assert metrics["recipe_choice"].startswith(f"--recipe auto chose {metrics['recipe']} with "
                                               "10 clusters")
    assert "not tried" not in metrics["recipe_choice"]
    assert "stability of each recipe tried: hog " in stderr
    # the steps' times of three candidates: by recipe, not by step name
    timings = metrics["timings_s"]
    assert {"fit hog recipe", "fit autoencoder recipe", "fit contrastive recipe",
            "stability contrastive"} <= set(timings) and "fit umap" not in timings
    assert metrics["settings"]["recipe"] == metrics["recipe"]
    page = _Page((tmp_path / "a" / "report.html").read_text(encoding="utf-8"))
    cells = page.text[page.text.index("recipe tried"):]
    rows = [cells[i:i + 2] for i in range(4, 4 + 4 * len(scores), 4)]
    # one row per recipe tried, in the order tried
    assert rows == [[name, f"{score:.3f}"] for name, score in scores.items()]

