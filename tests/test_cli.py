"""End-to-end tests of the ``sk-aecluster`` command (in-process and as a subprocess)."""

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from sklearn.utils import Bunch

from sk_aecluster import load_model
from sk_aecluster.cli import MARKER, OUTPUT_FILES, InputError, _console, _inputs, main

REPO = Path(__file__).resolve().parents[1]
CIFAR_TAR = REPO.parent / "shared" / "data" / "cifar10_test" / "cifar10_test_jpegs.tar.gz"
STUDY = ["--recipe", "study"]
FAST = [*STUDY, "--epochs", "2", "--random-state", "0"]


def run_cli(*args):
    """Run ``main(args)`` in-process; return (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in args])
    return status, out.getvalue(), err.getvalue()


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def files_in(folder):
    folder = Path(folder)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def panel_grid(png):
    """Count panels per row of a figure: runs of non-white pixels on a white page."""
    page = np.asarray(Image.open(png).convert("L"))
    ink = page < 255

    def runs(mask, min_len):
        edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
        return [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= min_len]

    grid = []
    for start, stop in runs(ink.mean(axis=1) > 0.5, 10):
        grid.append(len(runs(ink[(start + stop) // 2], 40)))
    return grid


def frame_columns(png):
    """Number of vertical axis spines (long black lines) in a figure."""
    page = np.asarray(Image.open(png).convert("L"))
    dark = (page < 60).mean(axis=0) > 0.6
    return int(np.sum(np.diff(np.r_[0, dark.astype(np.int8)]) == 1))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """24 grey 8x8 uint8 images in two groups, as .npz (with labels) and .npy."""
    rng = np.random.RandomState(0)
    dark = rng.randint(0, 60, (12, 8, 8))
    bright = rng.randint(140, 200, (12, 8, 8))
    X = np.concatenate([dark, bright]).astype(np.uint8)
    y = np.repeat([0, 1], 12)
    d = tmp_path_factory.mktemp("data")
    np.savez(d / "train.npz", X=X, y=y)
    np.save(d / "trainX.npy", X)
    np.save(d / "labels.npy", y)
    (d / "labels.txt").write_text("\n".join(str(v) for v in y[:10]) + "\n")
    np.save(d / "first10.npy", X[:10])
    return Bunch(dir=d, X=X, y=y)


@pytest.fixture(scope="module")
def cluster_run(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    status, stdout, stderr = run_cli("cluster", data_dir.dir / "train.npz", "--out", out, *FAST)
    return Bunch(out=out, status=status, stdout=stdout, stderr=stderr)


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """Ten 8x8 RGB PNG files in two class folders (one nested deeper)."""
    root = tmp_path_factory.mktemp("folder") / "images"
    rng = np.random.RandomState(1)
    for cls, low in (("dark", 0), ("light", 150)):
        for i in range(5):
            sub = root / cls / ("deep" if i == 4 else "")
            sub.mkdir(parents=True, exist_ok=True)
            img = rng.randint(low, low + 60, (8, 8, 3)).astype(np.uint8)
            Image.fromarray(img).save(sub / f"img{i}.png")
    return root


# -- a full cluster run ---------------------------------------------------------------
def test_cluster_writes_every_output(cluster_run):
    assert cluster_run.status == 0, cluster_run.stderr
    assert files_in(cluster_run.out) == sorted(OUTPUT_FILES)
    for stage in ("[1/3] loaded 24 images", "[2/3] fitting the study recipe with 2 clusters",
                  "AE2Encoder", "step 1 of 3 (autoencoder) done",
                  "step 2 of 3 (reducer) started", "step 3 of 3 (clusterer) done", "[3/3]"):
        assert stage in cluster_run.stderr
    assert "train_loss" in cluster_run.stderr  # skorch's epoch table
    assert "\x1b[" not in cluster_run.stderr  # no colour codes off a terminal
    assert "clustering accuracy" in cluster_run.stdout and "NMI" in cluster_run.stdout
    marker = json.loads((cluster_run.out / MARKER).read_text())
    assert sorted(marker["files"]) == sorted(set(OUTPUT_FILES) - {MARKER})


def test_cluster_predictions_csv_row_by_row(cluster_run, data_dir):
    rows = read_csv(cluster_run.out / "predictions.csv")
    assert rows[0] == ["id", "label"]
    assert len(rows) == 1 + len(data_dir.X)
    model = load_model(cluster_run.out / "model.safetensors")
    expected = model.predict(data_dir.X)
    for i, row in enumerate(rows[1:]):
        assert row == [str(i), str(expected[i])]
    assert set(expected) <= {0, 1}  # two true classes -> two clusters by default


def test_cluster_metrics_json(cluster_run, data_dir):
    metrics = json.loads((cluster_run.out / "metrics.json").read_text())
    assert metrics["recipe"] == "study" and metrics["recipe_choice"] is None
    assert metrics["settings"] == {
        "recipe": "study",
        "autoencoder": "ae2", "epochs": 2, "batch_size": 64, "lr": 0.001, "device": "cpu",
        "reducer": "pca", "n_components": 24, "clusterer": "kmeans", "n_clusters": 2,
        "random_state": 0,
    }
    assert metrics["input"]["n_images"] == 24 and metrics["input"]["sample_shape"] == [8, 8]
    for key in ("clustering_accuracy", "nmi", "ari"):
        assert -1.0 <= metrics[key] <= 1.0
    assert 0.5 <= metrics["clustering_accuracy"] <= 1.0
    assert metrics["reconstruction_loss"] > 0 and metrics["n_epochs"] == 2
    assert sum(metrics["cluster_sizes"].values()) == 24
    assert {"load", "fit", "fit autoencoder", "fit reducer", "fit clusterer", "figures",
            "save_model", "report", "total"} <= set(
        metrics["timings_s"]
    )
    assert f"{metrics['clustering_accuracy']:.4f}" in cluster_run.stdout


def test_cluster_pngs_hold_the_grids(cluster_run):
    rec = cluster_run.out / "reconstructions.png"
    with Image.open(rec) as img:
        assert img.format == "PNG" and img.size == (1130, 340)
    assert panel_grid(rec) == [8, 8]  # 8 originals above 8 reconstructions
    emb = cluster_run.out / "embedding.png"
    with Image.open(emb) as img:
        assert img.size == (1120, 500)
        rgb = np.asarray(img.convert("RGB")).astype(int)
    assert frame_columns(emb) == 4  # two panels: by cluster, by true label
    saturated = (rgb.max(axis=2) - rgb.min(axis=2)) > 80
    assert saturated.sum() > 200  # coloured points


def test_predict_labels_new_images(cluster_run, data_dir, tmp_path):
    out = tmp_path / "pred"
    status, stdout, stderr = run_cli(
        "predict", "--model", cluster_run.out, data_dir.dir / "first10.npy",
        "--labels", data_dir.dir / "labels.txt", "--out", out,
    )
    assert status == 0, stderr
    assert files_in(out) == sorted(set(OUTPUT_FILES) - {"model.safetensors"})
    rows = read_csv(out / "predictions.csv")
    train_rows = read_csv(cluster_run.out / "predictions.csv")
    assert rows[0] == ["id", "label"] and len(rows) == 11
    for i in range(10):
        assert rows[1 + i] == [str(i), train_rows[1 + i][1]]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["command"] == "predict" and "clustering_accuracy" in metrics
    assert panel_grid(out / "reconstructions.png") == [8, 8]
    assert "clustering accuracy" in stdout


def test_quiet_prints_nothing(data_dir, tmp_path):
    status, stdout, stderr = run_cli(
        "cluster", data_dir.dir / "trainX.npy", "--out", tmp_path / "q", "--quiet",
        *STUDY, "--epochs", "1", "--n-clusters", "3",
    )
    # --quiet prints nothing but warnings and errors
    assert status == 0 and stdout == "", stderr
    assert all(line.startswith("sk-aecluster: warning:") for line in stderr.splitlines())
    rows = read_csv(tmp_path / "q" / "predictions.csv")
    assert {r[1] for r in rows[1:]} <= {"0", "1", "2"}
    metrics = json.loads((tmp_path / "q" / "metrics.json").read_text())
    assert "clustering_accuracy" not in metrics and metrics["n_clusters"] == 3


def test_subprocess_python_m(data_dir, tmp_path):
    out = tmp_path / "sub"
    cmd = [sys.executable, "-m", "sk_aecluster", "cluster", str(data_dir.dir / "trainX.npy"),
           "--labels", str(data_dir.dir / "labels.npy"), "--out", str(out), *STUDY, "--epochs", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "clustering accuracy" in proc.stdout
    assert (out / MARKER).is_file()
    assert len(read_csv(out / "predictions.csv")) == 25
    help_proc = subprocess.run([sys.executable, "-m", "sk_aecluster", "--help"],
                               capture_output=True, text=True, timeout=120, cwd=REPO)
    assert help_proc.returncode == 0
    assert "cluster" in help_proc.stdout and "predict" in help_proc.stdout


def test_help_and_version():
    for args in (["--help"], ["cluster", "--help"], ["predict", "--help"], ["--version"]):
        status, stdout, _ = run_cli(*args)
        assert status == 0 and stdout
    status, stdout, _ = run_cli("cluster", "--help")
    for option in ("--recipe", "--manifold", "--n-neighbors",
                   "--autoencoder", "--epochs", "--batch-size", "--lr", "--device", "--reducer",
                   "--n-components", "--clusterer", "--n-clusters", "--random-state",
                   "--labels", "--labels-from-folders", "--resize", "--overwrite", "--quiet"):
        assert option in stdout


# -- inputs -------------------------------------------------------------------------------
def test_default_input_is_digits(monkeypatch, tmp_path):
    import sk_aecluster.datasets as datasets

    full = datasets.load_digits_images()
    small = Bunch(images=full.images[:60], target=full.target[:60],
                  target_names=full.target_names)
    monkeypatch.setattr(datasets, "load_digits_images", lambda: small)
    status, stdout, stderr = run_cli("cluster", "--out", tmp_path / "d", *STUDY, "--epochs", "1")
    assert status == 0, stderr
    assert "bundled digits" in stderr and "10 clusters (the number of true classes)" in stderr
    metrics = json.loads((tmp_path / "d" / "metrics.json").read_text())
    assert metrics["input"]["kind"] == "digits" and metrics["n_clusters"] == 10
    assert len(read_csv(tmp_path / "d" / "predictions.csv")) == 61


def test_folder_input_with_paths(image_folder, tmp_path):
    out = tmp_path / "f"
    status, _, stderr = run_cli(
        "cluster", image_folder, "--labels-from-folders", "--autoencoder", "ae1",
        "--out", out, *FAST,
    )
    assert status == 0, stderr
    rows = read_csv(out / "predictions.csv")
    assert rows[0] == ["id", "label", "path"]
    paths = [r[2] for r in rows[1:]]
    assert paths == sorted(paths, key=lambda p: p.split("/"))
    assert paths[0] == "dark/deep/img4.png" and paths[-1] == "light/img3.png"
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(10)]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["input"]["color_mode"] == "rgb" and "clustering_accuracy" in metrics
    with Image.open(out / "reconstructions.png") as img:
        assert img.size == (1130, 340)
    assert panel_grid(out / "reconstructions.png") == [8, 8]
    # the saved model labels the same folder the same way
    status, _, stderr = run_cli("predict", "--model", out, image_folder, "--out", tmp_path / "p")
    assert status == 0, stderr
    assert read_csv(tmp_path / "p" / "predictions.csv") == rows


def test_folder_of_different_sizes(tmp_path):
    root = tmp_path / "mixed"
    root.mkdir()
    for name, shape in (("a.png", (8, 8)), ("b.png", (8, 8)), ("c.png", (10, 6))):
        Image.fromarray(np.full(shape, 90, np.uint8)).save(root / name)
    status, _, stderr = run_cli("cluster", root, "--out", tmp_path / "o", *STUDY, "--epochs", "1")
    assert status == 2 and "a.png" in stderr and "c.png" in stderr and "--resize" in stderr
    status, _, stderr = run_cli(
        "cluster", root, "--resize", "16x8", "--out", tmp_path / "o", *STUDY, "--epochs", "1",
    )
    assert status == 0, stderr
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert metrics["input"]["sample_shape"] == [16, 8] and metrics["input"]["resize"] == [16, 8]


def test_images_padded_for_ae2(tmp_path):
    X = np.random.RandomState(0).randint(0, 256, (10, 12, 12)).astype(np.uint8)
    np.save(tmp_path / "x.npy", X)
    status, _, stderr = run_cli("cluster", tmp_path / "x.npy", "--out", tmp_path / "o",
                                *STUDY, "--epochs", "1")
    assert status == 0, stderr
    assert "12x12 images were padded to 16x16" in stderr
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert metrics["input"]["padded_to"] == [16, 16]
    assert panel_grid(tmp_path / "o" / "reconstructions.png") == [8, 8]


def test_dense_tsne_gmm_and_predict(data_dir, tmp_path):
    out = tmp_path / "t"
    status, _, stderr = run_cli(
        "cluster", data_dir.dir / "train.npz", "--autoencoder", "dense", "--reducer", "tsne",
        "--clusterer", "gmm", "--out", out, *FAST,
    )
    assert status == 0, stderr
    assert "TSNETransformer" in stderr and "GaussianMixture" in stderr
    assert frame_columns(out / "embedding.png") == 4
    status, _, stderr = run_cli("predict", "--model", out, data_dir.dir / "first10.npy",
                                "--out", tmp_path / "tp")
    assert status == 0, stderr
    assert len(read_csv(tmp_path / "tp" / "predictions.csv")) == 11


def test_conv_without_reducer(data_dir, tmp_path):
    status, _, stderr = run_cli(
        "cluster", data_dir.dir / "trainX.npy", "--autoencoder", "conv", "--reducer", "none",
        "--out", tmp_path / "c", *STUDY, "--epochs", "1",
    )
    assert status == 0, stderr
    assert "ConvAutoEncoder \u2192 KMeans(2)" in stderr
    metrics = json.loads((tmp_path / "c" / "metrics.json").read_text())
    assert metrics["pipeline"] == ["autoencoder: ConvAutoEncoder", "clusterer: KMeans"]


@pytest.mark.skipif(not CIFAR_TAR.is_file(), reason="../shared/data CIFAR-10 JPEGs not present")
def test_cifar_jpeg_folder(tmp_path):
    wanted = {"airplane": 0, "frog": 0}
    with tarfile.open(CIFAR_TAR) as tar:
        members = []
        for m in tar:
            parts = Path(m.name).parts
            if m.isfile() and len(parts) >= 2 and wanted.get(parts[-2], 99) < 8:
                wanted[parts[-2]] += 1
                members.append(m)
            if all(v == 8 for v in wanted.values()):
                break
        tar.extractall(tmp_path / "cifar", members=members, filter="data")
    root = next((tmp_path / "cifar").rglob("*.jpg")).parent.parent
    status, stdout, stderr = run_cli("cluster", root, "--labels-from-folders", "--out",
                                     tmp_path / "o", *FAST)
    assert status == 0, stderr
    assert "16 images of shape 32x32x3" in stderr and "clustering accuracy" in stdout
    rows = read_csv(tmp_path / "o" / "predictions.csv")
    assert [r[2].split("/")[0] for r in rows[1:]] == ["airplane"] * 8 + ["frog"] * 8


# -- bad input: one line on stderr, exit status 2 --------------------------------------------
def _bad_inputs(d):
    """(name, arguments, expected text) for each bad input; built inside tmp folder d."""
    (d / "empty").mkdir()
    (d / "corrupt").mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(d / "corrupt" / "ok.png")
    (d / "corrupt" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    np.save(d / "flat1d.npy", np.zeros(5, np.uint8))
    np.save(d / "five_d.npy", np.zeros((2, 2, 2, 2, 2), np.uint8))
    np.save(d / "strings.npy", np.array([["a", "b"], ["c", "d"]]))
    np.save(d / "wide.npy", np.full((4, 8, 8), 300, np.int16))
    np.save(d / "good.npy", np.random.RandomState(0).randint(0, 256, (6, 8, 8)).astype(np.uint8))
    np.save(d / "labels5.npy", np.arange(5))
    obj = np.empty(2, dtype=object)
    np.save(d / "objects.npy", obj, allow_pickle=True)
    (d / "incomplete_run").mkdir()
    (d / "incomplete_run" / "predictions.csv").write_text("id,label\n")
    (d / "tampered_run").mkdir()
    (d / "tampered_run" / MARKER).write_text("{}")
    (d / "tampered_run" / "model.safetensors").write_bytes(b"\x80\x04pickle")
    (d / "full").mkdir()
    (d / "full" / "keep.txt").write_text("precious")
    good = d / "good.npy"
    return [
        ("missing path", ["cluster", d / "nope.npy"], "not found"),
        ("missing folder", ["cluster", d / "nope"], "not found"),
        ("corrupt image", ["cluster", d / "corrupt"], "broken.png"),
        ("empty folder", ["cluster", d / "empty"], "No image files"),
        ("1-D array", ["cluster", d / "flat1d.npy"], "shape"),
        ("5-D array", ["cluster", d / "five_d.npy"], "shape"),
        ("string dtype", ["cluster", d / "strings.npy"], "dtype"),
        ("pickled objects", ["cluster", d / "objects.npy"], "objects.npy"),
        ("values over 255", ["cluster", d / "wide.npy"], "0..255"),
        ("labels of wrong length", ["cluster", good, "--labels", d / "labels5.npy"], "5 labels"),
        ("missing labels file", ["cluster", good, "--labels", d / "nope.txt"], "not found"),
        ("more clusters than images", ["cluster", good, "--n-clusters", "7"], "more than"),
        ("too many components", ["cluster", good, "--n-components", "9"], "more than"),
        ("unknown device", ["cluster", good, "--device", "floppy"], "not a torch device"),
        ("folders flag on an array", ["cluster", good, "--labels-from-folders"], "folder"),
        ("resize on an array", ["cluster", good, "--resize", "8x8"], "folder"),
        ("output not empty", ["cluster", good, "--out", d / "full"], "not empty"),
        ("output inside input", ["cluster", d / "corrupt", "--out", d / "corrupt" / "o"],
         "inside"),
        ("incomplete model run", ["predict", "--model", d / "incomplete_run", good],
         "completed"),
        ("missing model run", ["predict", "--model", d / "nope", good], "not a folder"),
        ("tampered model", ["predict", "--model", d / "tampered_run", good], "model.safetensors"),
    ]


@pytest.fixture(scope="module")
def bad_cases(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    return d, {name: (args, text) for name, args, text in _bad_inputs(d)}


@pytest.mark.parametrize(
    "name",
    [
        "missing path", "missing folder", "corrupt image", "empty folder", "1-D array",
        "5-D array", "string dtype", "pickled objects", "values over 255",
        "labels of wrong length", "missing labels file", "more clusters than images",
        "too many components", "unknown device", "folders flag on an array",
        "resize on an array", "output not empty", "output inside input",
        "incomplete model run", "missing model run", "tampered model",
    ],
)
def test_bad_input_exits_2_with_one_line(bad_cases, tmp_path, name):
    d, cases = bad_cases
    args, text = cases[name]
    if "--out" not in args:
        args = [*args, "--out", tmp_path / "out"]
    status, stdout, stderr = run_cli(*args, *STUDY, "--epochs", "1") if args[0] == "cluster" else \
        run_cli(*args)
    assert status == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    # progress lines may come first; the error is a single last line
    assert all(line.startswith("sk-aecluster: ") for line in lines), stderr
    errors = [line for line in lines if line.startswith("sk-aecluster: error: ")]
    assert errors == lines[-1:], stderr
    assert text in errors[0]
    assert not (tmp_path / "out").exists()
    if name == "output not empty":
        assert files_in(d / "full") == ["keep.txt"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is available here")
def test_cuda_without_gpu(data_dir, tmp_path):
    status, _, stderr = run_cli("cluster", data_dir.dir / "trainX.npy", "--device", "cuda",
                                *STUDY, "--out", tmp_path / "o")
    assert status == 2 and "no CUDA GPU" in stderr and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args", [["cluster", "--resize", "big"], ["cluster"],
                                  ["cluster", "--out", "x", "--epochs", "-1"], []])
def test_usage_errors_exit_2(args):
    status, _, stderr = run_cli(*args)
    assert status == 2 and "error:" in stderr and "Traceback" not in stderr


def test_overwrite_replaces_results(cluster_run, data_dir, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(cluster_run.out, out)
    (out / "notes.txt").write_text("mine")
    status, _, stderr = run_cli("cluster", data_dir.dir / "trainX.npy", "--out", out,
                                "--overwrite", "--n-clusters", "3", *STUDY, "--epochs", "1")
    assert status == 0, stderr
    assert files_in(out) == sorted([*OUTPUT_FILES, "notes.txt"])
    assert json.loads((out / "metrics.json").read_text())["n_clusters"] == 3


# -- interruption ---------------------------------------------------------------------------
def _with_interrupting_callback(monkeypatch):
    from skorch.callbacks import Callback

    class Interrupt(Callback):
        def on_epoch_end(self, net, **kwargs):
            raise KeyboardInterrupt

    monkeypatch.setattr(_console, "progress_callbacks", lambda console: [("ctrl_c", Interrupt())])


def test_interrupt_during_training_swallowed_by_skorch(monkeypatch, data_dir, tmp_path):
    _with_interrupting_callback(monkeypatch)
    out = tmp_path / "o"
    status, stdout, stderr = run_cli("cluster", data_dir.dir / "trainX.npy", "--out", out,
                                     *STUDY, "--epochs", "3")
    assert status == 130
    assert "interrupted" in stderr and "training stopped after 1 of 3 epochs" in stderr
    assert "Traceback" not in stderr and stdout == ""
    assert not out.exists()


def test_interrupt_while_writing_leaves_nothing(monkeypatch, data_dir, tmp_path):
    from sk_aecluster.plotting import EmbeddingDisplay

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(EmbeddingDisplay, "from_embedding", ctrl_c)
    out = tmp_path / "o"
    status, _, stderr = run_cli("cluster", data_dir.dir / "trainX.npy", "--out", out,
                                *STUDY, "--epochs", "1")
    assert status == 130 and "interrupted" in stderr
    assert not out.exists()  # predictions.csv and reconstructions.png were removed


def test_interrupted_overwrite_does_not_look_complete(monkeypatch, cluster_run, data_dir,
                                                     tmp_path):
    out = tmp_path / "old"
    shutil.copytree(cluster_run.out, out)

    def fail_saving(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sk_aecluster.save_model", fail_saving)
    status, _, _ = run_cli("cluster", data_dir.dir / "trainX.npy", "--out", out, "--overwrite",
                           *STUDY, "--epochs", "1")
    assert status == 130
    assert MARKER not in files_in(out)
    assert not [n for n in files_in(out) if n.startswith(".")]  # no temporary files left
    status, _, stderr = run_cli("predict", "--model", out, data_dir.dir / "first10.npy",
                                "--out", tmp_path / "p")
    assert status == 2 and "completed" in stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_a_subprocess(data_dir, tmp_path):
    out = tmp_path / "sig"
    cmd = [sys.executable, "-m", "sk_aecluster", "cluster", str(data_dir.dir / "trainX.npy"),
           "--out", str(out), "--recipe", "study", "--epochs", "100000"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO, env=env)
    try:
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if line.strip().startswith("1 "):  # first row of the epoch table
                break
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = "".join(seen) + rest
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_a_swallowed_ctrl_c_still_ends_training(monkeypatch):
    # Ctrl-C that lands in a finaliser: Python reports the KeyboardInterrupt as
    # unraisable and goes on; the flag the signal set still ends the training
    # after the next batch (StopOnInterrupt), and the command sees it
    from skorch.callbacks import Callback

    from sk_aecluster import DenseAutoEncoder
    from sk_aecluster.cli._interrupt import (
        StopOnInterrupt,
        interrupt_requested,
        interrupts_remembered,
    )

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    class SignalsWhenDeleted:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)

    class CtrlCInAFinaliser(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 2:
                SignalsWhenDeleted()  # deleted at once

    X = np.random.RandomState(0).randint(0, 256, (32, 8, 8)).astype(np.uint8)
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, max_epochs=300, batch_size=16,
                          callbacks=[("cli_interrupt", StopOnInterrupt()),
                                     ("ctrl_c", CtrlCInAFinaliser())], random_state=0)
    before = signal.getsignal(signal.SIGINT)
    with interrupts_remembered():
        with pytest.warns(RuntimeWarning, match="training stopped after 3 of 300 epochs"):
            ae.fit(X)
        assert interrupt_requested()
    assert [u.exc_type for u in unraisable] == [KeyboardInterrupt]  # it was swallowed
    assert ae.n_epochs_ == 3
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


def test_progress_callbacks_stop_on_ctrl_c_also_when_quiet():
    names = [name for name, _ in _console.progress_callbacks(_console.Console(quiet=True))]
    assert names == ["cli_interrupt"]
    names = [name for name, _ in _console.progress_callbacks(_console.Console(quiet=False))]
    assert names[:2] == ["cli_interrupt", "cli_log"]


# -- label files ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, write, expected",
    [
        ("y.npy", lambda p: np.save(p, np.array([1, 0, 1])), [1, 0, 1]),
        ("y.npy", lambda p: np.save(p, np.array([[1], [0], [1]])), [1, 0, 1]),
        ("y.npz", lambda p: np.savez(p, labels=np.array(["a", "b", "a"])), ["a", "b", "a"]),
        ("y.npz", lambda p: np.savez(p, whatever=np.array([3, 4, 5])), [3, 4, 5]),
        ("y.txt", lambda p: p.write_text("2\n0\n2\n\n"), [2, 0, 2]),
        ("y.csv", lambda p: p.write_text("id,label\n0,cat\n1,dog\n2,cat\n"), ["cat", "dog", "cat"]),
    ],
)
def test_label_file_formats(tmp_path, name, write, expected):
    path = tmp_path / name
    write(path)
    assert _inputs.read_labels(path).tolist() == expected


@pytest.mark.parametrize(
    "name, write, match",
    [
        ("y.npy", lambda p: np.save(p, np.zeros((3, 2))), "1-D"),
        ("y.npz", lambda p: np.savez(p, a=np.zeros(3), b=np.zeros(3)), "'y' or 'labels'"),
        ("y.csv", lambda p: p.write_text("a,b\n1,2\n"), "one label per line"),
        ("y.npy", lambda p: p.write_bytes(b"junk"), "cannot read"),
    ],
)
def test_bad_label_files(tmp_path, name, write, match):
    path = tmp_path / name
    write(path)
    with pytest.raises(InputError, match=match):
        _inputs.read_labels(path)


def test_string_labels_from_csv(data_dir, tmp_path):
    names = np.where(data_dir.y == 1, "bright", "dark")
    rows = "".join(f"{i},{v}\n" for i, v in enumerate(names))
    (tmp_path / "labels.csv").write_text("id,label\n" + rows)
    status, stdout, stderr = run_cli("cluster", data_dir.dir / "trainX.npy", "--labels",
                                     tmp_path / "labels.csv", "--out", tmp_path / "o", *FAST)
    assert status == 0, stderr
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert metrics["n_clusters"] == 2 and "clustering_accuracy" in metrics
