"""``device="cuda"`` end to end. Marked ``gpu``; every test skips without a CUDA GPU.

Run them on a GPU machine with ``python -m pytest -m gpu tests/test_gpu.py``
(``benchmarks/gpu_check.sh`` does, with the GPU benchmarks).
"""

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline

from sk_aecluster import (
    AE1Encoder,
    AE2Encoder,
    ConvAutoEncoder,
    DenseAutoEncoder,
    load_model,
    save_model,
)

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]

REPO = Path(__file__).resolve().parents[1]

# every trained encoder of the library, small enough to fit in seconds
ENCODERS = {
    "ae1": lambda **kw: AE1Encoder(**kw),
    "ae2": lambda **kw: AE2Encoder(**kw),
    "conv": lambda **kw: ConvAutoEncoder(latent_channels=4, **kw),
    "dense": lambda **kw: DenseAutoEncoder(
        hidden_units=(64,), latent_dim=8, augment_shift=1.0, augment_rotation=5.0, **kw
    ),
}


@pytest.fixture(scope="module")
def images():
    """200 random 16x16 RGB uint8 images in two groups (dark, bright)."""
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.randint(0, 100, (100, 16, 16, 3)),
                        rng.randint(150, 256, (100, 16, 16, 3))]).astype(np.uint8)
    return X, np.repeat([0, 1], 100)


def _codes_close(a, b):
    # cuDNN convolutions and cuBLAS matmuls may use TF32: agreement to ~1e-3 relative
    scale = max(1.0, float(np.abs(a).max()))
    return np.allclose(a, b, rtol=1e-2, atol=1e-2 * scale)


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_fit_transform_on_cuda(name, images):
    X, _ = images
    ae = ENCODERS[name](max_epochs=2, batch_size=32, device="cuda", random_state=0).fit(X)
    params = list(ae.net_.module_.parameters())
    assert all(p.is_cuda for p in params)
    assert torch.device(ae.net_.device).type == "cuda"
    # Adam runs PyTorch's fused kernel on CUDA too
    assert ae.net_.optimizer_.param_groups[0]["fused"] is True
    Z = ae.transform(X)
    assert isinstance(Z, np.ndarray) and Z.dtype == np.float32 and Z.shape[0] == len(X)
    assert np.isfinite(Z).all()
    assert ae.history_[-1, "train_loss"] < ae.history_[0, "train_loss"]
    assert ae.score(X) < 0
    rec = ae.reconstruct(X[:5])
    assert rec.shape == X[:5].shape and rec.dtype == np.uint8


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_untrained_network_gives_the_cpu_codes(name, images):
    # same seed -> same initial weights (initialised on the CPU generator); only the
    # kernels differ between the devices
    X, _ = images
    cpu = ENCODERS[name](max_epochs=0, device="cpu", random_state=0).fit(X).transform(X)
    gpu = ENCODERS[name](max_epochs=0, device="cuda", random_state=0).fit(X).transform(X)
    assert _codes_close(cpu, gpu)


def test_pipeline_fit_predict_on_cuda(images):
    X, y = images
    pipe = Pipeline([
        ("ae", AE2Encoder(max_epochs=3, batch_size=32, device="cuda", random_state=0)),
        ("pca", PCA(8, random_state=0)),
        ("km", KMeans(2, n_init=10, random_state=0)),
    ])
    labels = pipe.fit_predict(X)
    assert np.array_equal(pipe.predict(X), labels)
    assert max(np.mean(labels == y), np.mean(labels != y)) > 0.95


def test_save_on_gpu_load_on_cpu(images, tmp_path):
    X, _ = images
    pipe = Pipeline([
        ("ae", AE1Encoder(max_epochs=2, device="cuda", random_state=0)),
        ("km", KMeans(2, n_init=10, random_state=0)),
    ]).fit(X)
    path = tmp_path / "model.safetensors"
    save_model(pipe, path)
    on_gpu = load_model(path)  # the saved device is available: stays on the GPU
    assert on_gpu[0].device == "cuda"
    assert np.array_equal(on_gpu[0].transform(X), pipe[0].transform(X))
    on_cpu = load_model(path, device="cpu")
    assert on_cpu[0].device == "cpu"
    assert all(not p.is_cuda for p in on_cpu[0].net_.module_.parameters())
    assert _codes_close(on_cpu[0].transform(X), pipe[0].transform(X))
    assert np.mean(on_cpu.predict(X) == pipe.predict(X)) > 0.99


def test_pickle_round_trip_on_cuda(images):
    X, _ = images
    ae = AE1Encoder(max_epochs=1, device="cuda", random_state=0).fit(X)
    again = pickle.loads(pickle.dumps(ae))
    assert np.array_equal(again.transform(X), ae.transform(X))


def test_fit_leaves_global_cuda_rng_alone(images):
    X, _ = images
    torch.cuda.manual_seed(123)
    before = torch.cuda.get_rng_state()
    AE1Encoder(max_epochs=1, device="cuda", random_state=0).fit(X)
    assert torch.equal(torch.cuda.get_rng_state(), before)


_DETERMINISM_SCRIPT = textwrap.dedent("""
    import numpy as np, torch
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)
    from sk_aecluster import AE2Encoder, DenseAutoEncoder
    rng = np.random.RandomState(0)
    X = rng.randint(0, 256, (128, 16, 16, 3)).astype(np.uint8)
    for make in (lambda: AE2Encoder(max_epochs=2, batch_size=32, device="cuda", random_state=0),
                 lambda: DenseAutoEncoder(hidden_units=(64,), latent_dim=8,
                                          max_epochs=2, device="cuda", random_state=0)):
        a = make().fit(X).transform(X)
        b = make().fit(X).transform(X)
        assert np.array_equal(a, b), np.abs(a - b).max()
    print("deterministic")
""")


def test_deterministic_settings_give_identical_codes():
    # torch.use_deterministic_algorithms needs CUBLAS_WORKSPACE_CONFIG before CUDA starts:
    # a fresh process
    env = {**os.environ, "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", _DETERMINISM_SCRIPT], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "deterministic" in out.stdout


def test_cli_cluster_on_cuda(tmp_path):
    from sk_aecluster.__main__ import main

    out = tmp_path / "run"
    status = main(["cluster", "--recipe", "study", "--device", "cuda", "--epochs", "1",
                   "--out", str(out),
                   "--quiet"])
    assert status == 0
    assert (out / "complete.json").exists()
