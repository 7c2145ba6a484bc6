"""save_model / load_model on every recipe of make_recommended_pipeline, the
contrastive encoder and UMAP: same labels and features after loading, and
tampered files refused."""

import json
import warnings

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from sklearn.datasets import load_digits

from sk_aecluster import ContrastiveEncoder, load_model, make_recommended_pipeline, save_model

SMALL_CONTRASTIVE = {"width": 4, "depth": 2, "projection_dim": 8, "flip": False}


def round_trip(model, tmp_path, name="model.safetensors"):
    path = tmp_path / name
    save_model(model, path, overwrite=True)
    return load_model(path)


def read(path):
    with safe_open(str(path), framework="np") as f:
        metadata = f.metadata()
    return load_file(str(path)), metadata, json.loads(metadata["model"])


def rewrite(path, arrays, metadata, tree):
    save_file(arrays, str(path), metadata={**metadata, "model": json.dumps(tree)})


@pytest.fixture(scope="module")
def digits():
    """300 training digits and 100 new ones (8x8 grey images)."""
    images = load_digits().images.astype(np.float32)
    return images[:300], images[300:400]


@pytest.fixture(scope="module")
def contrastive(digits):
    X, _ = digits
    return ContrastiveEncoder(**SMALL_CONTRASTIVE, max_epochs=1, batch_size=64,
                              random_state=0).fit(X)


def test_contrastive_encoder_round_trips_bit_identically(contrastive, digits, tmp_path):
    X, new = digits
    contrastive.set_output(transform="pandas")
    try:
        again = round_trip(contrastive, tmp_path)
    finally:
        contrastive.set_output(transform="default")
    assert type(again) is ContrastiveEncoder
    assert again.get_params() == {**contrastive.get_params(), "callbacks": None}
    assert again._sklearn_output_config == {"transform": "pandas"}
    again.set_output(transform="default")
    assert again.input_format_ == contrastive.input_format_
    assert again.latent_shape_ == contrastive.latent_shape_ == (8,)
    assert again.n_epochs_ == 1 and again.fit_time_ == contrastive.fit_time_
    for data in (X, new):
        assert np.array_equal(again.transform(data), contrastive.transform(data))
    unfitted = round_trip(ContrastiveEncoder(width=3, callbacks="disable"), tmp_path)
    assert unfitted.get_params()["callbacks"] == "disable" and not hasattr(unfitted, "net_")


def _set(path, value):
    def tamper(tree):
        node = tree
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return tamper


@pytest.mark.parametrize(
    "tamper, match",
    [
        (_set(["class"], "sk_aecluster.Evil"), "'sk_aecluster.Evil' is not a contrastive"),
        (_set(["params", "width"], 10**9), "cannot be built|has shape"),
        (_set(["params", "depth"], 3), "latent shape .* does not match"),
        (_set(["params", "projection_dim"], 3), "has shape"),
        (_set(["params", "width"], 0), "invalid parameters"),
        (_set(["params", "crop_scale"], {"$t": "tuple", "v": [0.5, 2.0]}),
         "invalid parameters.*crop_scale"),
        (_set(["fitted", "latent_shape"], [16]), "latent shape"),
        (_set(["fitted", "n_features_in"], 65), "n_features_in does not match"),
        (_set(["fitted", "n_epochs"], "1"), "bad n_epochs"),
        (_set(["fitted", "input_format", "network_shape"], [64]), "cannot be built"),
        (_set(["fitted", "weights"], None), "missing weights"),
        (_set(["fitted", "feature_names_in"], ["a"]), "bad feature names"),
    ],
)
def test_tampered_contrastive_files_are_refused(tamper, match, contrastive, tmp_path):
    path = tmp_path / "c.safetensors"
    save_model(contrastive, path)
    arrays, metadata, tree = read(path)
    tamper(tree)
    rewrite(path, arrays, metadata, tree)
    with pytest.raises(ValueError, match=match):
        load_model(path)


def test_tampered_contrastive_weights_are_refused(contrastive, tmp_path):
    path = tmp_path / "c.safetensors"
    save_model(contrastive, path)
    arrays, metadata, tree = read(path)
    key = tree["fitted"]["weights"]["head.3.weight"]["key"]
    for bad, match in [(np.zeros((8, 3), np.float32), "head.3.weight"),
                       (arrays[key].astype(np.float64), "dtype")]:
        rewrite(path, {**arrays, key: bad}, metadata, tree)
        with pytest.raises(ValueError, match=match):
            load_model(path)
