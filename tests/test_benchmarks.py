"""Smoke tests: every benchmark script runs at a tiny size (no time is asserted)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.datasets import load_digits

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script, *args):
    out = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=BENCH, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_bench_speed_smoke():
    out = run("bench_speed.py", "--n", "128", "--rounds", "1", "--encode-reps", "1",
              "--warm-allocator")
    assert "AE1 fit" in out and "AE2 transform" in out and "% of matmul peak" in out
    assert "A/A" in out


@pytest.mark.parametrize("adam, says", [("plain", "both: torch's default kernel"),
                                         ("fused", "both: fused kernel")])
def test_bench_speed_adam_choices_smoke(adam, says):
    out = run("bench_speed.py", "--n", "128", "--rounds", "1", "--encode-reps", "1",
              "--models", "ae1", "--no-aa", "--adam", adam)
    assert says in out and "AE1 fit" in out


def test_bench_speed_simclr_smoke():
    out = run("bench_speed.py", "--n", "64", "--rounds", "1", "--encode-reps", "1",
              "--models", "simclr", "--simclr-batch-size", "32", "--no-aa")
    assert "SIMCLR fit" in out and "SIMCLR transform" in out and "(simclr: 32)" in out


def test_bench_speed_bf16_smoke():
    pytest.importorskip("accelerate")
    out = run("bench_speed.py", "--n", "64", "--rounds", "1", "--encode-reps", "1",
              "--models", "simclr", "--simclr-batch-size", "32", "--no-aa", "--bf16")
    assert "bf16 mixed precision" in out and "SIMCLR fit" in out


def test_bench_grid_smoke():
    out = run("bench_grid.py", "--n", "120", "--epochs", "1")
    assert "encoder fits in the grid:           1" in out
    assert "ratio grid / one fit" in out


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_bench_memory_smoke():
    out = run("bench_memory.py", "--sizes", "1000")
    assert "1000" in out and "yes" in out


def test_bench_quality_smoke():
    out = run("bench_quality.py", "--datasets", "digits", "--seeds", "0", "--tiny",
              "--recipes", "kmeans_pixels,ae1_pca32,ae2_tsne2,recommended")
    rows = [line for line in out.splitlines() if line.startswith("| digits")]
    assert [r.split("|")[2].strip() for r in rows] == [
        "kmeans_pixels", "ae1_pca32", "ae2_tsne2", "recommended"]
    for r in rows:
        assert 0.1 < float(r.split("|")[3]) <= 1.0


def test_bench_quality_deep_clustering_rows_smoke(tmp_path, monkeypatch):
    monkeypatch.setenv("SK_AECLUSTER_BENCH_MEMORY", str(tmp_path))
    out = run("bench_quality.py", "--datasets", "digits", "--seeds", "0", "--tiny",
              "--recipes", "dec,idec")
    rows = [line for line in out.splitlines() if line.startswith("| digits")]
    assert [r.split("|")[2].strip() for r in rows] == ["dec", "idec"]
    for r in rows:
        assert 0.1 < float(r.split("|")[3]) <= 1.0


def test_bench_idec_start_smoke(tmp_path, monkeypatch):
    pytest.importorskip("umap")
    monkeypatch.setenv("SK_AECLUSTER_BENCH_MEMORY", str(tmp_path))
    out = run("bench_idec_start.py", "--tiny", "--seeds", "0",
              "--settings", "lr=1e-4;max_iter=5,gamma=0.5")
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| digits")]
    assert [r[2].strip() for r in rows] == [
        "init", "start", "idec lr=0.0001", "idec max_iter=5, gamma=0.5"]
    for r in rows:
        assert 0.1 <= float(r[3].split()[0]) <= 1.0
    assert re.search(r"idec max_iter=5, gamma=0.5 \(s, iterations\) \d+ s, 5\b", out)


def test_bench_quality_contrastive_rows_smoke(tmp_path, monkeypatch):
    pytest.importorskip("umap")
    monkeypatch.setenv("SK_AECLUSTER_BENCH_CONTRASTIVE_MEMORY", str(tmp_path))
    out = run("bench_quality.py", "--datasets", "digits", "--seeds", "0", "--tiny",
              "--recipes", "contrastive")
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| digits")]
    assert [r[2].strip() for r in rows] == [
        "contrastive", "contrastive: 5-fold kNN on its features",
        "contrastive: per seed 0: accuracy " + rows[0][3].strip() + "; kNN "
        + rows[1][3].strip()]
    for r in rows[:2]:
        assert 0.1 < float(r[3]) <= 1.0
    assert any(tmp_path.iterdir())  # the encoder went through the cache


def test_bench_quality_contrastive_bf16_row_smoke(tmp_path, monkeypatch):
    pytest.importorskip("umap")
    pytest.importorskip("accelerate")
    monkeypatch.setenv("SK_AECLUSTER_BENCH_CONTRASTIVE_MEMORY", str(tmp_path))
    out = run("bench_quality.py", "--datasets", "digits", "--seeds", "0", "--tiny",
              "--recipes", "contrastive_bf16")
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| digits")]
    assert [r[2].strip() for r in rows][:2] == [
        "contrastive_bf16", "contrastive_bf16: 5-fold kNN on its features"]
    assert 0.1 < float(rows[0][3]) <= 1.0


def test_contrastive_bf16_row_trains_in_bf16_through_the_accelerator():
    pytest.importorskip("accelerate")
    code = (
        "import numpy as np, _contrastive as c\n"
        "X = np.random.RandomState(0).rand(40, 8, 8).astype('float32')\n"
        "pipes = c.contrastive_recipes(X, 3, 0, tiny=True)\n"
        "assert 'contrastive_bf16' not in pipes\n"
        "enc = c.contrastive_recipes(X, 3, 0, tiny=True, bf16=True)['contrastive_bf16'][0]\n"
        "print(enc.accelerator.mixed_precision, enc.max_epochs, enc.flip)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=BENCH, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["bf16", "1", "False"]


def test_bench_quality_plain_adam_sets_torch_default_kernel(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import bench_quality

    X = load_digits().images[:40].astype("uint8")
    pipes = bench_quality.recipes(X, 10, 0, tiny=True)
    for name in ("ae1_pca32", "ae2_tsne2", "n2d", "recommended"):
        if name not in pipes:  # n2d and recommended need umap-learn
            continue
        pipe = bench_quality.plain_adam(pipes[name])
        kernels = [step.get_params()["optimizer_params"] for _, step in pipe.steps
                   if "optimizer_params" in step.get_params(deep=False)]
        assert kernels == [{"fused": False}], name
    out = run("bench_quality.py", "--datasets", "digits", "--seeds", "0", "--tiny",
              "--recipes", "ae1_pca32", "--plain-adam")
    assert "| digits | ae1_pca32 |" in out


def test_bench_quality_on_device_moves_every_network(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import bench_quality

    X = load_digits().images[:40].astype("uint8")
    pipes = bench_quality.recipes(X, 10, 0, tiny=True)
    for name in ("ae1_pca32", "recommended_tsne", "hog_kmeans"):
        pipe = bench_quality.on_device(pipes[name], "meta")
        devices = [step.get_params()["device"] for _, step in pipe.steps
                   if "device" in step.get_params(deep=False)]
        assert devices == ([] if name == "hog_kmeans" else ["meta"]), name


def test_bench_speed_device_option_smoke():
    out = run("bench_speed.py", "--n", "64", "--rounds", "1", "--encode-reps", "1",
              "--models", "ae1", "--no-aa", "--device", "cpu")
    assert "device cpu" in out and "AE1 fit" in out


def test_gpu_check_script_is_complete():
    # the script itself runs on a GPU machine; here: it names every part of the check
    script = (BENCH / "gpu_check.sh").read_text()
    for part in ("-m gpu", "bench_speed.py --device", "bench_quality.py --device",
                 "gpu_check.txt"):
        assert part in script


def test_bench_selection_smoke(tmp_path):
    # the same data set twice through --memory: the cache is written, and the
    # second row (its steps served from it) is the first one, score for score
    out = run("bench_selection.py", "--datasets", "digits,digits", "--seeds", "0", "--tiny",
              "--memory", str(tmp_path), "--k-repeats", "2")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(rows) == 2 and any(tmp_path.iterdir())
    for key in ("scores", "accuracy", "pick", "k"):
        assert rows[0][key] == rows[1][key]
    assert set(rows[0]["scores"]) == {"autoencoder", "hog", "contrastive"}
    rows = [line for line in out.splitlines() if line.startswith("| digits")]
    assert len(rows) == 2
    cells = [c.strip() for c in rows[0].split("|")]
    assert cells[5] in {"autoencoder", "hog", "contrastive"}
    assert 0.1 < float(cells[6]) <= 1.0 and float(cells[8]) >= 1.0
    # --recipe auto: HOG (the rule for 8x8 images) tried first, at most the full cost
    tried, rest = cells[10].split(": ")
    accuracy, cost = map(float, rest.split(", "))
    assert tried.split(", ")[0] == "hog" and 0.1 < accuracy <= 1.0
    assert cost <= float(cells[8])
