"""save_model / load_model of DEC and IDEC: bit-identical round trips, tampering refused."""

import numpy as np
import pytest
from model_files import node_of_kind, tamper
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.pipeline import Pipeline

from sk_aecluster import DEC, IDEC, DenseAutoEncoder, TSNETransformer, load_model, save_model

AE = dict(hidden_units=(16,), latent_dim=4, max_epochs=2, batch_size=32, random_state=0)
FAST = dict(update_interval=4, max_iter=8, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def X():
    return load_digits().data[:100]


@pytest.mark.parametrize("cls", [DEC, IDEC])
def test_round_trip_is_bit_identical(cls, X, tmp_path):
    est = cls(4, encoder=DenseAutoEncoder(**AE), init=KMeans(4, n_init=2, random_state=0),
              memory=str(tmp_path / "cache"), **FAST).fit(X)
    save_model(est, tmp_path / "m.safetensors")
    back = load_model(tmp_path / "m.safetensors")
    assert type(back) is cls and back.get_params()["update_interval"] == 4
    assert isinstance(back.init, KMeans) and isinstance(back.encoder, DenseAutoEncoder)
    assert not hasattr(back.encoder, "net_")
    for method in ("predict_proba", "transform", "predict"):
        np.testing.assert_array_equal(getattr(back, method)(X), getattr(est, method)(X))
    np.testing.assert_array_equal(back.labels_, est.labels_)
    np.testing.assert_array_equal(back.cluster_centers_, est.cluster_centers_)
    np.testing.assert_array_equal(back.encoder_.transform(X), est.transform(X))
    assert (back.n_iter_, back.converged_) == (est.n_iter_, est.converged_)
    if cls is IDEC:
        np.testing.assert_array_equal(back.encoder_.reconstruct(X), est.encoder_.reconstruct(X))


def test_unfitted_and_in_a_pipeline(X, tmp_path):
    save_model(DEC(3, **FAST), tmp_path / "u.safetensors")
    assert load_model(tmp_path / "u.safetensors").get_params()["n_clusters"] == 3
    pipe = Pipeline([("dec", DEC(4, encoder=DenseAutoEncoder(**AE), **FAST))]).fit(X)
    save_model(pipe, tmp_path / "p.safetensors")
    np.testing.assert_array_equal(load_model(tmp_path / "p.safetensors").predict(X),
                                  pipe.predict(X))


def test_an_init_that_cannot_be_saved_says_how_to_save_without(X, tmp_path):
    init = Pipeline([("tsne", TSNETransformer(n_iter=10)), ("km", KMeans(4))])
    init.steps[0] = ("tsne", object.__new__(type("Foreign", (), {})))
    est = DEC(4, encoder=DenseAutoEncoder(**AE), **FAST)
    est.init = init
    with pytest.raises(TypeError, match=r"set_params\(init=None\) before save_model"):
        save_model(est, tmp_path / "x.safetensors")


def _fitted_node(desc):
    return node_of_kind(desc, "deep_cluster")


@pytest.mark.parametrize("edit, match", [
    (lambda n: n["fitted"].update(n_iter=-1), "bad n_iter"),
    (lambda n: n["fitted"].update(converged="yes"), "bad converged"),
    (lambda n: n["params"].pop("encoder"), "with the encoder and init"),
    (lambda n: n.update({"class": "os.system"}), "not an sk_aecluster deep clusterer"),
    (lambda n: n["fitted"].update(encoder=n["params"]["init"]),
     "must be a fitted encoder of the library"),
])
def test_tampered_descriptions_are_refused(edit, match, X, tmp_path):
    est = DEC(4, encoder=DenseAutoEncoder(**AE), init=KMeans(4, n_init=1), **FAST).fit(X)
    path = tmp_path / "m.safetensors"
    save_model(est, path)
    tamper(path, edit=lambda desc: edit(_fitted_node(desc)))
    with pytest.raises(ValueError, match=match):
        load_model(path)


def test_tampered_centres_are_refused(X, tmp_path):
    est = DEC(4, encoder=DenseAutoEncoder(**AE), **FAST).fit(X)
    path = tmp_path / "m.safetensors"
    save_model(est, path)
    centers = est.cluster_centers_

    def swap(tensors):
        for k, v in tensors.items():
            if v.shape == centers.shape and np.array_equal(v, centers):
                tensors[k] = np.full_like(v, np.nan)

    tamper(path, arrays=swap)
    with pytest.raises(ValueError, match="centres must be finite float32"):
        load_model(path)
