"""Hostile and broken input, table-driven, for every estimator and the command line.

Each case either gives the correct result (the result of the same data as a
clean ndarray) or raises a ``ValueError``/``TypeError`` whose message names
the problem; never an error from deep inside torch. The caller's array is
never modified.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline

from sk_aecluster import (
    DEC,
    IDEC,
    AE1Encoder,
    AE2Encoder,
    ContrastiveEncoder,
    ConvAutoEncoder,
    DenseAutoEncoder,
    HOGFeatures,
    TSNETransformer,
)

TINY = dict(max_epochs=1, batch_size=8, random_state=0)

ESTIMATORS = {
    "dense": lambda: DenseAutoEncoder(hidden_units=(4,), latent_dim=2, **TINY),
    "conv": lambda: ConvAutoEncoder(hidden_channels=(2,), latent_channels=2, **TINY),
    "ae1": lambda: AE1Encoder(latent_channels=2, **TINY),
    "ae2": lambda: AE2Encoder(latent_channels=2, **TINY),
    "tsne": lambda: TSNETransformer(n_iter=10, early_exaggeration_iter=5, perplexity=2,
                                    random_state=0),
    "hog": lambda: HOGFeatures(cell_size=2),
    "contrastive": lambda: ContrastiveEncoder(width=2, depth=2, projection_dim=4, **TINY),
    "dec": lambda: DEC(1, encoder=DenseAutoEncoder(hidden_units=(4,), latent_dim=2, **TINY),
                       update_interval=2, max_iter=4, batch_size=8, random_state=0),
    "idec": lambda: IDEC(1, encoder=AE1Encoder(latent_channels=2, **TINY),
                         update_interval=2, max_iter=4, batch_size=8, random_state=0),
}
IMAGE_MODELS = ("conv", "ae1", "ae2", "hog", "contrastive", "idec")


def images(n=8, size=8, channels=3, dtype=np.uint8, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randint(0, 256, (n, size, size, channels)).astype(dtype)


def clean(kind):
    """Valid training data for an estimator kind: images, flat rows for t-SNE."""
    X = images()
    return X.reshape(len(X), -1).astype(np.float64) if kind == "tsne" else X


def _with(value):
    def make(kind):
        X = clean(kind).astype(np.float32)
        X.flat[5] = value
        return X
    return make


def _flip(kind):
    X = clean(kind)
    return X[:, ::-1] if kind == "tsne" else X[:, ::-1, :, ::-1]  # negative strides


def _strided(kind):
    big = np.repeat(np.repeat(clean(kind), 2, axis=1), 1, axis=0)
    return big[:, ::2]


def _readonly(kind):
    X = clean(kind).copy()
    X.setflags(write=False)
    return X


def _frame(kind):
    X = clean(kind)
    if kind in IMAGE_MODELS:  # one grey channel, 8x8, as 64 columns
        X = X[..., 0]
    flat = X.reshape(len(X), -1)
    return pd.DataFrame(flat, columns=[f"px{i}" for i in range(flat.shape[1])])


def _frame_reference(kind):
    X = clean(kind)
    if kind in IMAGE_MODELS:
        X = X[..., 0]
    return X.reshape(len(X), -1)


def _objects(kind):
    return clean(kind).astype(object)


def _objects_with_none(kind):
    X = clean(kind).astype(object)
    X.flat[3] = None
    return X


def _strings(kind):
    return clean(kind).astype(str)


def _complex(kind):
    return clean(kind).astype(np.complex64)


def _bools(kind):
    return clean(kind) > 127


def _big_ints(kind):
    return clean(kind).astype(np.int32) * 4 - 100


def _one_d(kind):
    return clean(kind).ravel()[:64]


def _five_d(kind):
    return np.zeros((2, 2, 2, 2, 2), dtype=np.float32)


def _empty(kind):
    return clean(kind)[:0]


def _single(kind):
    return clean(kind)[:1]


def _tiny_images(kind):
    X = images(size=4)
    return X.reshape(len(X), -1) if kind == "tsne" else X


# name -> (make X, {kind: expectation}); expectation: "ok" (compare with the
# clean ndarray given by "ref"), or (exception types, regex of the message).
ERR = (ValueError, TypeError)
OK = "ok"
CASES = {
    "nan": (_with(np.nan), {k: (ValueError, "NaN") for k in ESTIMATORS}),
    "+inf": (_with(np.inf), {k: (ValueError, "infinity") for k in ESTIMATORS}),
    "-inf": (_with(-np.inf), {k: (ValueError, "infinity") for k in ESTIMATORS}),
    "empty": (_empty, {k: (ValueError, "0 sample") for k in ESTIMATORS}),
    "single sample": (_single, {**{k: OK for k in ESTIMATORS},
                                "tsne": (ValueError, "1 sample")}),
    "object numbers": (_objects, {k: OK for k in ESTIMATORS}),
    "object with None": (_objects_with_none, {k: (ERR, "numeric|NaN|float") for k in ESTIMATORS}),
    "strings": (_strings, {k: (TypeError, "numeric") for k in ESTIMATORS}),
    "complex": (_complex, {k: (ERR, "[Cc]omplex") for k in ESTIMATORS}),
    "bool": (_bools, {k: OK for k in ESTIMATORS}),
    "ints outside 0..255": (_big_ints, {**{k: OK for k in ESTIMATORS},
                                        **{k: (ValueError, "0..255") for k in IMAGE_MODELS}}),
    "1-D": (_one_d, {k: (ValueError, "Expected 2D array") for k in ESTIMATORS}),
    "5-D": (_five_d, {**{k: (ValueError, "5 dimensions") for k in ESTIMATORS},
                      "tsne": (ValueError, "dim 5")}),
    "images too small": (_tiny_images, {**{k: OK for k in ESTIMATORS},
                                        "ae2": (ValueError, "divisible by 8.*4x4"),
                                        "hog": (ValueError, "at least 6x6 pixels.*4x4")}),
    "negative strides": (_flip, {k: OK for k in ESTIMATORS}),
    "non-contiguous": (_strided, {k: OK for k in ESTIMATORS}),
    "read-only": (_readonly, {k: OK for k in ESTIMATORS}),
    "DataFrame": (_frame, {k: OK for k in ESTIMATORS}),
    "list": (lambda kind: clean(kind).tolist(), {k: OK for k in ESTIMATORS}),
}
REFERENCE = {"DataFrame": _frame_reference}


def _reference(name, kind, X):
    if name in REFERENCE:
        return REFERENCE[name](kind)
    return np.ascontiguousarray(np.asarray(X if not isinstance(X, list) else clean(kind)))


def _snapshot(X):
    if isinstance(X, pd.DataFrame):
        return X.copy(deep=True)
    if isinstance(X, list):
        import copy

        return copy.deepcopy(X)
    return X.copy()


def _unchanged(X, before):
    if isinstance(X, pd.DataFrame):
        return X.equals(before)
    if isinstance(X, list):
        return X == before
    if X.dtype == object:
        pairs = zip(X.ravel(), before.ravel(), strict=True)
        return X.shape == before.shape and all(
            (a is None and b is None) or a == b for a, b in pairs
        )
    return np.array_equal(X, before, equal_nan=X.dtype.kind == "f")


def _fit_transform(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # t-SNE lowers its perplexity on tiny data
        return est.fit(X).transform(X)


@pytest.mark.parametrize("kind", list(ESTIMATORS))
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_to_fit(name, kind):
    make, expected = CASES[name]
    X = make(kind)
    before = _snapshot(X)
    expect = expected[kind]
    est = ESTIMATORS[kind]()
    if expect == OK:
        out = _fit_transform(est, X)
        ref = _fit_transform(ESTIMATORS[kind](), _reference(name, kind, X))
        assert out.shape == ref.shape and np.isfinite(out).all()
        np.testing.assert_array_equal(out, ref)
    else:
        types, pattern = expect
        with pytest.raises(types, match=pattern) as info:
            _fit_transform(est, X)
        assert "torch" not in str(info.value).lower()
        assert not isinstance(info.value, RuntimeError)
    assert _unchanged(X, before), "the caller's data were modified"


@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_hostile_input_to_transform(kind):
    """Fitted on clean data; bad data at transform time are refused by name."""
    X = clean(kind)
    est = ESTIMATORS[kind]()
    _fit_transform(est, X)
    for name in ("nan", "+inf", "strings", "complex", "1-D", "empty"):
        make, expected = CASES[name]
        bad = make(kind)
        if expected[kind] == OK:
            continue
        types, pattern = expected[kind]
        with pytest.raises(types, match=pattern):
            est.transform(bad)
    if kind in IMAGE_MODELS:
        # channels that differ between fit and transform
        with pytest.raises(ValueError, match=r"fitted on samples of shape \(8, 8, 3\)"):
            est.transform(X[..., :1])
        with pytest.raises(ValueError, match="X has 128 features, but"):
            est.transform(X[..., :2])
        with pytest.raises(ValueError, match="0..255"):
            est.transform(X.astype(np.int32) + 300)
    else:
        with pytest.raises(ValueError, match="features"):
            est.transform(X[:, :10] if X.ndim == 2 else X[:, :2])


@pytest.mark.parametrize("kind", ["dense", "ae1"])
def test_memmap_input_gives_the_same_codes_and_stays_intact(kind, tmp_path):
    X = clean(kind)
    path = tmp_path / "x.npy"
    np.save(path, X)
    for mode in ("r", "c", "r+"):
        mm = np.load(path, mmap_mode=mode)
        out = _fit_transform(ESTIMATORS[kind](), mm)
        np.testing.assert_array_equal(out, _fit_transform(ESTIMATORS[kind](), X))
    np.testing.assert_array_equal(np.load(path), X)


@pytest.mark.parametrize("n_samples", [2, 3])
def test_fewer_samples_than_clusters_in_a_pipeline(n_samples):
    pipe = Pipeline([("ae", AE1Encoder(latent_channels=2, **TINY)),
                     ("km", KMeans(5, n_init=1, random_state=0))])
    X = images(n=n_samples)
    before = X.copy()
    with pytest.raises(ValueError, match=f"n_samples={n_samples} should be >= n_clusters=5"):
        pipe.fit(X)
    assert np.array_equal(X, before)


@pytest.mark.parametrize("cls", [DEC, IDEC])
def test_deep_clusterers_with_fewer_samples_than_clusters(cls):
    X = images(n=3)
    est = cls(5, encoder=AE1Encoder(latent_channels=2, **TINY), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=5"):
        est.fit(X)


def test_tsne_on_very_few_samples_still_embeds():
    X = clean("tsne")[:3]
    with pytest.warns(UserWarning, match="perplexity"):
        emb = ESTIMATORS["tsne"]().fit_transform(X)
    assert emb.shape == (3, 2) and np.isfinite(emb).all()


# -- the command line ----------------------------------------------------------------
cli = pytest.importorskip("sk_aecluster.cli")

CLI_CASES = {
    "nan": np.full((6, 8, 8, 3), np.nan, dtype=np.float32),
    "inf": np.full((6, 8, 8, 3), np.inf, dtype=np.float32),
    "empty": np.zeros((0, 8, 8, 3), dtype=np.uint8),
    "strings": images().astype(str),
    "complex": images().astype(np.complex64),
    "ints outside 0..255": images().astype(np.int32) * 4 - 100,
    "1-D": np.zeros(64, dtype=np.uint8),
    "5-D": np.zeros((2, 2, 2, 2, 2), dtype=np.uint8),
    "fewer samples than clusters": images(n=3),
    "object (pickled)": images().astype(object),
}


@pytest.mark.parametrize("recipe", [["--recipe", "study", "--epochs", "1"], []],
                         ids=["study", "auto"])
@pytest.mark.parametrize("name", list(CLI_CASES))
def test_command_line_refuses_hostile_arrays_with_one_line(name, recipe, tmp_path, capsys):
    path = tmp_path / "bad.npy"
    X = CLI_CASES[name]
    np.save(path, X, allow_pickle=X.dtype == object)
    out = tmp_path / "out"
    status = cli.main(["cluster", str(path), "--out", str(out), *recipe,
                       "--n-clusters", "5", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and re.match(r"sk-aecluster: error: \S", lines[0]), err
    assert "Traceback" not in err and "RuntimeError" not in err
    assert not (out / cli.MARKER).exists()


def test_command_line_refuses_a_pickle_disguised_as_a_model(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / cli.MODEL_FILE).write_bytes(b"\x80\x04K\x01.")
    (run / cli.MARKER).write_text("{}")
    data = tmp_path / "x.npy"
    np.save(data, images())
    status = cli.main(["predict", "--model", str(run), str(data), "--out",
                       str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1, err


def test_command_line_predict_refuses_images_unlike_the_training_ones(tmp_path, capsys):
    train = tmp_path / "x.npy"
    np.save(train, images(n=12))
    run = tmp_path / "run"
    assert cli.main(["cluster", str(train), "--out", str(run), "--recipe", "study",
                     "--epochs", "1",
                     "--autoencoder", "ae1", "--n-clusters", "2", "--n-components", "2",
                     "--quiet"]) == 0
    capsys.readouterr()
    for name, X in {"channels": images(n=4, channels=1), "size": images(n=4, size=16),
                    "nan": np.full((4, 8, 8, 3), np.nan, dtype=np.float32)}.items():
        path = tmp_path / f"{name}.npy"
        np.save(path, X)
        status = cli.main(["predict", "--model", str(run), str(path), "--out",
                           str(tmp_path / f"out_{name}"), "--quiet"])
        err = capsys.readouterr().err.strip()
        assert status == 2 and len(err.splitlines()) == 1, (name, err)
        assert err.startswith("sk-aecluster: error:")
