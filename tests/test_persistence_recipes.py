"""save_model / load_model on every recipe of make_recommended_pipeline, the
contrastive encoder and UMAP: same labels and features after loading, and
tampered files refused."""

import json
import os
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


# -- every recipe of make_recommended_pipeline -----------------------------------

RECIPES = [
    ("autoencoder", "umap"), ("hog", "umap"), ("contrastive", "umap"),
    ("autoencoder", "tsne"), ("hog", "tsne"), ("contrastive", "tsne"),
]


def recipe(features, manifold):
    if manifold == "umap":
        pytest.importorskip("umap")
    extra = SMALL_CONTRASTIVE if features == "contrastive" else {}
    pipe = make_recommended_pipeline(10, features=features, manifold=manifold, max_epochs=1,
                                     n_neighbors=10, features_params=extra, random_state=0)
    if manifold == "umap":
        pipe.set_params(umap__n_epochs=50)
    else:
        pipe.set_params(tsne__n_iter=50, tsne__early_exaggeration_iter=20)
    return pipe


@pytest.fixture(scope="module", params=RECIPES, ids=["-".join(r) for r in RECIPES])
def fitted_recipe(request, digits):
    X, _ = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return request.param, recipe(*request.param).fit(X)


def test_every_recipe_round_trips(fitted_recipe, digits, tmp_path):
    (features, manifold), pipe = fitted_recipe
    X, new = digits
    again = round_trip(pipe, tmp_path)
    assert [name for name, _ in again.steps] == [name for name, _ in pipe.steps]
    assert type(again[1]) is type(pipe[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for data in (new, X):
            np.testing.assert_allclose(again[:-1].transform(data), pipe[:-1].transform(data),
                                       rtol=1e-6, atol=1e-6)
            assert np.array_equal(again.predict(data), pipe.predict(data))
    # the training data itself is recognised: its embedding, as fit left it
    if manifold == "umap":
        Z = pipe[:1].transform(X)
        assert np.array_equal(again[1].transform(Z), pipe[1].embedding_)


# -- UMAP entries: refused when tampered, clear errors --------------------------------
@pytest.fixture(scope="module")
def small_umap():
    umap = pytest.importorskip("umap")
    X = np.random.RandomState(0).rand(60, 5).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return umap.UMAP(n_neighbors=5, n_epochs=20, random_state=0).fit(X), X


def test_umap_round_trip_transforms_alike(small_umap, tmp_path):
    model, X = small_umap
    new = np.random.RandomState(1).rand(10, 5).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = round_trip(model, tmp_path)
        np.testing.assert_array_equal(loaded.transform(new), model.transform(new))
        np.testing.assert_array_equal(loaded.transform(X), model.embedding_)


@pytest.mark.skipif(os.environ.get("SK_AECLUSTER_SLOW_TESTS") != "1",
                    reason="about 2 minutes on 2 cores (numba compiles pynndescent); "
                           "run with SK_AECLUSTER_SLOW_TESTS=1")
def test_umap_of_4096_samples_and_more_rebuilds_its_search_index(tmp_path):
    """From 4096 samples UMAP searches neighbours with a pynndescent index, rebuilt at load."""
    umap = pytest.importorskip("umap")
    X = np.random.RandomState(0).rand(4200, 5).astype(np.float32)
    new = np.random.RandomState(1).rand(30, 5).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = umap.UMAP(n_neighbors=5, n_epochs=10, random_state=0).fit(X)
        assert model._small_data is False  # the index path, not exact distances
        loaded = round_trip(model, tmp_path)
        assert loaded._small_data is False
        np.testing.assert_array_equal(loaded.transform(new), model.transform(new))


@pytest.mark.parametrize("tamper, match", [
    (lambda t, a: a.update({t["fitted"]["raw_data"]["key"]: np.zeros((60,), np.float32)}),
     "training data must be a 2-D"),
    (lambda t, a: a.update({t["fitted"]["embedding"]["key"]: np.zeros((59, 2), np.float32)}),
     "the embedding has shape"),
    (lambda t, a: t["fitted"].update(n_neighbors=-3), "bad n_neighbors"),
    (lambda t, a: t["fitted"].update(small_data="yes"), "bad small_data"),
    (lambda t, a: t.update({"class": "os.system"}), "class|not umap.UMAP"),
])
def test_tampered_umap_files_are_refused(tamper, match, small_umap, tmp_path):
    path = tmp_path / "u.safetensors"
    save_model(small_umap[0], path)
    arrays, metadata, tree = read(path)
    tamper(tree, arrays)
    rewrite(path, arrays, metadata, tree)
    with pytest.raises(ValueError, match=match):
        load_model(path)


def test_umap_with_a_callable_metric_is_not_saved(small_umap, tmp_path):
    model, _ = small_umap
    from sklearn.base import clone

    odd = clone(model).set_params(metric=lambda a, b: 0.0)
    odd.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    with pytest.raises(TypeError, match="metric=<callable>.*cannot be saved"):
        save_model(odd, tmp_path / "odd.safetensors")
    assert not (tmp_path / "odd.safetensors").exists()


def test_loading_a_umap_without_umap_learn(small_umap, tmp_path, monkeypatch):
    import builtins
    import sys

    path = tmp_path / "u.safetensors"
    save_model(small_umap[0], path)
    real_import = builtins.__import__

    def no_umap(name, *args, **kwargs):
        if name == "umap" or name.startswith("umap."):
            raise ImportError("No module named 'umap'")
        return real_import(name, *args, **kwargs)

    for name in [m for m in sys.modules if m == "umap" or m.startswith("umap.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(builtins, "__import__", no_umap)
    with pytest.raises(ImportError, match=r'pip install "sk-aecluster\[umap\]"'):
        load_model(path)
