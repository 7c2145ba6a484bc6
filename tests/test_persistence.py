"""save_model / load_model: bit-identical round trips, and no way in for tampered files."""

import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA, KernelPCA
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    KernelCenterer,
    MinMaxScaler,
    StandardScaler,
)
from skorch.callbacks import ProgressBar

from sk_aecluster import (
    AE1Encoder,
    AE2Encoder,
    ConvAutoEncoder,
    DenseAutoEncoder,
    HOGFeatures,
    TSNETransformer,
    load_model,
    save_model,
)
from sk_aecluster.persistence import SKLEARN_ESTIMATORS

AE = dict(max_epochs=1, batch_size=16, random_state=0)
TSNE = dict(n_iter=50, early_exaggeration_iter=20, perplexity=5, random_state=0)


def round_trip(model, tmp_path, **load_kw):
    path = tmp_path / "model.safetensors"
    save_model(model, path, overwrite=True)
    return load_model(path, **load_kw)


def fitted_pipeline(images):
    """AE1 -> PCA -> t-SNE -> KMeans, fitted on ``images``."""
    return Pipeline([
        ("ae", AE1Encoder(**AE)),
        ("pca", PCA(4, random_state=0)),
        ("tsne", TSNETransformer(**TSNE)),
        ("km", KMeans(2, n_init=2, random_state=0)),
    ]).fit(images)


def read(path):
    with safe_open(str(path), framework="np") as f:
        metadata = f.metadata()
    return load_file(str(path)), metadata


def rewrite(path, arrays, metadata, model=None):
    if model is not None:
        metadata = {**metadata, "model": json.dumps(model)}
    save_file(arrays, str(path), metadata=metadata)


@pytest.fixture(scope="module")
def images():
    rng = np.random.RandomState(0)
    return rng.randint(0, 256, (24, 8, 8, 3)).astype(np.uint8)


@pytest.fixture(scope="module")
def features():
    return np.random.RandomState(1).rand(40, 6)


@pytest.mark.parametrize(
    "make",
    [
        lambda: AE1Encoder(**AE),
        lambda: AE2Encoder(latent_channels=4, **AE),
        lambda: ConvAutoEncoder(hidden_channels=(4,), latent_channels=2, downsampling="stride",
                                **AE),
    ],
)
def test_conv_autoencoders_round_trip_bit_identically(make, images, tmp_path):
    ae = make().fit(images)
    again = round_trip(ae, tmp_path)
    assert type(again) is type(ae)
    assert again.get_params() == ae.get_params()
    assert np.array_equal(again.transform(images), ae.transform(images))
    assert np.array_equal(again.reconstruct(images), ae.reconstruct(images))
    assert again.score(images) == ae.score(images)
    assert again.input_format_ == ae.input_format_
    assert again.latent_shape_ == ae.latent_shape_ and again.n_epochs_ == ae.n_epochs_
    # the loaded estimator can be trained again, like the original
    if isinstance(ae, AE1Encoder):
        assert again.fit(images).transform(images).shape == ae.transform(images).shape


def test_dense_autoencoder_keeps_names_optimizer_and_random_state(features, tmp_path):
    df = pd.DataFrame(features, columns=[f"f{i}" for i in range(6)])
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, optimizer=torch.optim.SGD,
                          optimizer_params={"momentum": 0.9},
                          random_state=np.random.RandomState(3), max_epochs=1).fit(df)
    again = round_trip(ae, tmp_path)
    assert again.optimizer is torch.optim.SGD and again.optimizer_params == {"momentum": 0.9}
    assert list(again.feature_names_in_) == list(df.columns)
    assert isinstance(again.random_state, np.random.RandomState)
    assert np.array_equal(again.random_state.get_state()[1], ae.random_state.get_state()[1])
    assert np.array_equal(again.transform(df), ae.transform(df))


def test_callbacks_are_not_saved_and_unfitted_models_round_trip(features, tmp_path):
    ae = DenseAutoEncoder(hidden_units=(4,), latent_dim=2, callbacks=[ProgressBar()], **AE)
    assert round_trip(ae, tmp_path).callbacks is None  # unfitted, and callbacks dropped
    ae.set_params(callbacks="disable").fit(features)
    again = round_trip(ae, tmp_path)
    assert again.callbacks == "disable" and len(again.history_) == 0
    assert np.array_equal(again.transform(features), ae.transform(features))


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a machine without a GPU")
def test_a_gpu_model_loads_on_a_cpu_only_machine(images, tmp_path):
    ae = AE1Encoder(**AE).fit(images)
    ae.set_params(device="cuda")  # as if it had been trained on a GPU
    with pytest.warns(UserWarning, match="device='cuda'.*not available.*CPU"):
        again = round_trip(ae, tmp_path)
    assert again.device == "cpu"
    assert np.array_equal(again.transform(images), ae.set_params(device="cpu").transform(images))
    with pytest.raises(ValueError, match="not available"):
        load_model(tmp_path / "model.safetensors", device="cuda")


@pytest.mark.parametrize(
    "est, methods",
    [
        (PCA(3, random_state=0), ["transform", "inverse_transform"]),
        (KernelPCA(3, kernel="rbf", fit_inverse_transform=True), ["transform"]),
        (StandardScaler(), ["transform"]),
        (MinMaxScaler(), ["transform"]),
        (KMeans(3, n_init=2, random_state=0), ["predict", "transform"]),
        (MiniBatchKMeans(3, n_init=2, random_state=0), ["predict"]),
        (GaussianMixture(2, random_state=0), ["predict", "predict_proba"]),
    ],
)
def test_sklearn_estimators_round_trip_bit_identically(est, methods, features, tmp_path):
    est.fit(features)
    again = round_trip(est, tmp_path)
    assert type(again) is type(est)
    for method in methods:
        X = features if method != "inverse_transform" else est.transform(features)
        assert np.array_equal(getattr(again, method)(X), getattr(est, method)(X)), method


@pytest.mark.parametrize("name", sorted(SKLEARN_ESTIMATORS))
def test_every_supported_sklearn_estimator_round_trips(name, features, tmp_path):
    cls = SKLEARN_ESTIMATORS[name]
    defaults = cls().get_params()
    kw = {k: v for k, v in {"n_components": 2, "n_clusters": 3, "random_state": 0}.items()
          if k in defaults}
    X = features @ features.T if cls is KernelCenterer else features
    est = cls(**kw).fit(X)
    again = round_trip(est, tmp_path)
    for method in ("transform", "predict"):
        if hasattr(est, method):
            assert np.array_equal(getattr(again, method)(X), getattr(est, method)(X))


def test_tsne_places_new_points_exactly_as_before(features, tmp_path):
    tsne = TSNETransformer(**TSNE).fit(features[:30])
    again = round_trip(tsne, tmp_path)
    assert np.array_equal(again.embedding_, tsne.embedding_)
    assert np.array_equal(again.transform(features[:30]), tsne.transform(features[:30]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new = tsne.transform(features[30:])
        assert np.array_equal(again.transform(features[30:]), new)


def test_whole_pipeline_round_trips(images, tmp_path):
    pipe = fitted_pipeline(images)
    again = round_trip(pipe, tmp_path)
    assert [name for name, _ in again.steps] == ["ae", "pca", "tsne", "km"]
    assert np.array_equal(again.predict(images), pipe.predict(images))
    new = images[::-1] // 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.array_equal(again.predict(new), pipe.predict(new))


def test_hog_pipeline_round_trips_and_tampered_hog_is_refused(tmp_path):
    X = np.random.RandomState(3).randint(0, 256, (30, 16, 16, 3)).astype(np.uint8)
    pipe = Pipeline([
        ("hog", HOGFeatures(cell_size=4, image_shape=(16, 16, 3))),
        ("scale", StandardScaler()),
        ("km", KMeans(2, n_init=2, random_state=0)),
    ])
    pipe.named_steps["hog"].set_output(transform="pandas")
    pipe.fit(X.reshape(30, -1))
    again = round_trip(pipe, tmp_path)
    hog, hog2 = pipe.named_steps["hog"], again.named_steps["hog"]
    assert type(hog2) is HOGFeatures and hog2.get_params() == hog.get_params()
    assert hog2.input_format_ == hog.input_format_ and hog2.feature_shape_ == (2, 2, 3, 3, 9)
    assert hog2.cell_size_ == 4
    pd.testing.assert_frame_equal(hog2.transform(X.reshape(30, -1)),
                                  hog.transform(X.reshape(30, -1)))
    assert np.array_equal(again.predict(X.reshape(30, -1)), pipe.predict(X.reshape(30, -1)))
    assert type(round_trip(HOGFeatures(n_bins=4), tmp_path)) is HOGFeatures

    path = tmp_path / "hog.safetensors"
    save_model(hog, path)
    arrays, metadata = read(path)
    for key, value, match in [
        ("n_features_in", 10, "n_features_in does not match"),
        ("input_format", {**json.loads(metadata["model"])["fitted"]["input_format"],
                          "network_shape": [3, 2, 128]}, "at least 12x12 pixels"),
    ]:
        tree = json.loads(metadata["model"])
        tree["fitted"][key] = value
        rewrite(path, arrays, metadata, tree)
        with pytest.raises(ValueError, match=match):
            load_model(path)


def test_existing_file_needs_overwrite(features, tmp_path):
    path = tmp_path / "m.safetensors"
    save_model(StandardScaler().fit(features), path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_model(StandardScaler(), path)
    save_model(StandardScaler(), path, overwrite=True)


@pytest.mark.parametrize(
    "model, match",
    [
        (FunctionTransformer(np.log1p), "FunctionTransformer is not supported"),
        (Pipeline([("f", FunctionTransformer()), ("s", StandardScaler())]), "not supported"),
        (DenseAutoEncoder(optimizer=lambda params, lr: None), "optimizer=.*cannot be saved"),
        (DenseAutoEncoder(net_params={"train_split": object()}), "parameter net_params"),
        (TSNETransformer(metric=lambda a, b: 0.0), "callable metric"),
        (Pipeline([("s", StandardScaler())], memory=object()), "cannot be saved safely"),
    ],
)
def test_unsupported_content_is_refused_at_save_time(model, match, tmp_path):
    path = tmp_path / "m.safetensors"
    with pytest.raises(TypeError, match=match):
        save_model(model, path)
    assert not path.exists() and not list(tmp_path.iterdir())


class _Evil:
    def __reduce__(self):
        import os

        return (os.mkdir, ("/tmp/sk_aecluster_pwned_dir",))


def test_a_pickle_disguised_as_a_model_file_is_refused(tmp_path):
    import os

    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps(_Evil()))
    with pytest.raises(ValueError, match="not a safetensors model file"):
        load_model(path)
    assert not os.path.exists("/tmp/sk_aecluster_pwned_dir")
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="not a safetensors model file"):
        load_model(path)


@pytest.fixture
def saved_pipeline(images, tmp_path):
    pipe = Pipeline([("ae", AE1Encoder(**AE)), ("pca", PCA(2)),
                     ("km", KMeans(2, n_init=2, random_state=0))]).fit(images)
    path = tmp_path / "pipe.safetensors"
    save_model(pipe, path)
    arrays, metadata = read(path)
    return path, arrays, metadata, json.loads(metadata["model"])


def _tamper_class(tree):
    tree["steps"][1][1]["class"] = "os.system"


def _tamper_nested_class(tree):
    tree["steps"][2][1]["state"]["v"]["init"] = {"$t": "estimator", "class": "builtins.eval",
                                                 "state": {"$t": "dict", "v": {}}}


def _tamper_optimizer(tree):
    tree["steps"][0][1]["params"]["optimizer"]["v"] = "subprocess.Popen"


def _tamper_dunder(tree):
    tree["steps"][1][1]["state"]["v"]["__class__"] = "x"


def _tamper_unknown_tag(tree):
    tree["steps"][1][1]["state"]["v"]["mean_"] = {"$t": "pickle", "v": "gASV"}


def _tamper_architecture(tree):
    # a huge network: must be refused by the shape check, not built
    tree["steps"][0][1]["params"]["latent_channels"] = 10**9


def _tamper_latent(tree):
    tree["steps"][0][1]["fitted"]["latent_shape"] = [8, 2, 2]


def _tamper_missing_tensor(tree):
    tree["steps"][1][1]["state"]["v"]["mean_"]["key"] = "nope"


def _tamper_param_value(tree):
    tree["steps"][0][1]["params"]["lr"] = "fast"


def _tamper_unknown_param(tree):
    tree["steps"][0][1]["params"]["exec"] = "rm -rf /"


def _tamper_huge_image(tree):
    fmt = tree["steps"][0][1]["fitted"]["input_format"]
    fmt["sample_shape"] = [2**40, 2**40, 3]
    fmt["network_shape"] = [3, 2**40, 2**40]


def _tamper_leading_dimension(tree):
    tree["steps"][1][1]["state"]["v"]["components_"]["ld"] = 10**9


def _tamper_dtype(tree):
    tree["steps"][0][1]["fitted"]["input_format"]["dtype"] = "O"


@pytest.mark.parametrize(
    "tamper, match",
    [
        (_tamper_class, "'os.system' is not in the list"),
        (_tamper_nested_class, "'builtins.eval' is not in the list"),
        (_tamper_optimizer, "'subprocess.Popen' is not an allowed"),
        (_tamper_dunder, "'__class__' is not allowed"),
        (_tamper_unknown_tag, "unknown entry type 'pickle'"),
        (_tamper_architecture, "does not match|do not match|has shape"),
        (_tamper_latent, "latent shape"),
        (_tamper_missing_tensor, "does not hold"),
        (_tamper_param_value, "invalid parameters"),
        (_tamper_unknown_param, "invalid parameters"),
        (_tamper_dtype, "unsupported dtype"),
        (_tamper_huge_image, "bad shape"),
        (_tamper_leading_dimension, "bad leading dimension"),
    ],
)
def test_tampered_descriptions_are_refused(tamper, match, saved_pipeline):
    path, arrays, metadata, tree = saved_pipeline
    tamper(tree)
    rewrite(path, arrays, metadata, tree)
    with pytest.raises(ValueError, match=match):
        load_model(path)


def test_tampered_tensors_and_json_are_refused(saved_pipeline):
    path, arrays, metadata, tree = saved_pipeline
    ae_key = tree["steps"][0][1]["fitted"]["weights"]["encoder.weight"]["key"]
    pca_key = tree["steps"][1][1]["state"]["v"]["components_"]["key"]
    cases = [
        ({**arrays, ae_key: np.zeros((8, 3, 5, 5), np.float32)}, metadata, "encoder.weight"),
        ({**arrays, ae_key: arrays[ae_key].astype(np.float64)}, metadata, "dtype"),
        ({**arrays, pca_key: np.zeros((2, 7))}, metadata, "components_ has shape"),
        ({**arrays, "extra": np.zeros(3)}, metadata, "tensors the model does not use"),
        (arrays, {**metadata, "model": "{not json"}, "not valid JSON"),
        (arrays, {**metadata, "model": '{"$t": "estimator", "x": NaN}'}, "not valid JSON"),
        (arrays, {**metadata, "model": "[" * 100000 + "]" * 100000}, "JSON|deeply"),
        (arrays, {**metadata, "format": "other"}, "not written by"),
        (arrays, {**metadata, "format_version": "99"}, "format version"),
    ]
    for arr, meta, match in cases:
        rewrite(path, arr, meta)
        with pytest.raises(ValueError, match=match):
            load_model(path)
    # a truncated file
    save_file(arrays, str(path), metadata=metadata)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="not a valid safetensors file"):
        load_model(path)


def test_pickle_and_joblib_round_trips_of_a_whole_pipeline_are_bit_identical(images, tmp_path):
    import joblib

    pipe = fitted_pipeline(images)
    new = images[::-1] // 2
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    for again in (pickle.loads(pickle.dumps(pipe)), joblib.load(tmp_path / "pipe.joblib")):
        assert np.array_equal(again[:-1].transform(images), pipe[:-1].transform(images))
        assert np.array_equal(again.predict(images), pipe.predict(images))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert np.array_equal(again[:-1].transform(new), pipe[:-1].transform(new))


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a machine without a GPU")
def test_a_pickled_gpu_model_unpickles_on_a_cpu_only_machine(images):
    ae = AE1Encoder(**AE).fit(images)
    expected = ae.transform(images)
    ae.set_params(device="cuda")
    ae.net_.device = "cuda"  # as if trained on a GPU: skorch pickles the device
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        again = pickle.loads(pickle.dumps(ae))
    assert any("no CUDA devices are available" in str(w.message) for w in record)
    assert str(again.net_.device) == "cpu"
    assert np.array_equal(again.transform(images), expected)


def test_set_output_configuration_is_kept(features, tmp_path):
    ae = DenseAutoEncoder(hidden_units=(4,), latent_dim=2, **AE).set_output(transform="pandas")
    again = round_trip(ae.fit(features), tmp_path)
    out = again.transform(features)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["denseautoencoder0", "denseautoencoder1"]
    assert np.array_equal(out.to_numpy(), ae.transform(features).to_numpy())


def test_saved_file_has_ordinary_permissions(tmp_path):
    import os
    import stat

    from sklearn.decomposition import PCA

    from sk_aecluster import save_model

    path = save_model(PCA(1).fit(np.random.RandomState(0).rand(5, 3)), tmp_path / "m.safetensors")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
