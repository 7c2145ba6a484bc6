"""SCAN: neighbour mining, the loss, the kept head, determinism, bad input, persistence."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from model_files import node_of_kind, tamper
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from sk_aecluster import (
    SCAN,
    TransductiveSplit,
    clustering_accuracy_score,
    clustering_accuracy_scorer,
    load_model,
    make_recommended_pipeline,
    save_model,
)
from sk_aecluster.cluster import SCANLoss
from sk_aecluster.cluster._scan import mine_neighbors

FAST = dict(n_neighbors=5, n_heads=3, hidden_size=16, max_epochs=30, batch_size=32,
            random_state=0)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(150, n_features=8, centers=3, cluster_std=1.0, random_state=0)
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def fitted(blobs):
    return SCAN(3, **FAST).fit(blobs[0])


def test_separates_blobs_and_predict_equals_labels(fitted, blobs):
    X, y = blobs
    assert clustering_accuracy_score(y, fitted.labels_) == 1.0
    np.testing.assert_array_equal(fitted.predict(X), fitted.labels_)
    np.testing.assert_array_equal(fitted.fit_predict(X), fitted.labels_)  # refit: same seed
    proba = fitted.predict_proba(X)
    assert proba.shape == (150, 3) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(proba.argmax(1), fitted.labels_)


def test_keeps_the_head_with_the_lowest_last_epoch_loss(fitted, blobs):
    last = fitted.history_[-1]["head_losses"]
    np.testing.assert_allclose(fitted.head_losses_, last)
    assert fitted.best_head_ == int(np.argmin(last))
    module = fitted.net_.module_
    assert int(module.head) == fitted.best_head_
    module.eval()
    with torch.no_grad():
        logits = module(torch.as_tensor(blobs[0]))
    expected = logits[:, fitted.best_head_].softmax(1).numpy()
    np.testing.assert_allclose(fitted.predict_proba(blobs[0]), expected, rtol=1e-5, atol=1e-7)
    assert len(fitted.history_) == 30 and fitted.n_epochs_ == 30
    # the training loss is the mean of the heads' losses (per batch, then averaged)
    assert fitted.history_[-1]["train_loss"] == pytest.approx(np.mean(last), abs=0.05)


def test_loss_is_consistency_minus_weighted_entropy():
    logits = torch.tensor([[[2.0, 0.0]], [[0.0, 1.0]], [[1.0, 1.0]], [[0.0, 3.0]]])
    p = logits.softmax(2)[:, 0]
    pa, pn = p[:2], p[2:]
    consistency = -torch.log((pa * pn).sum(1)).mean()
    mean = pa.mean(0)
    entropy = -(mean * mean.log()).sum()
    loss = SCANLoss(entropy_weight=2.0)(logits, 2)
    assert loss.shape == (1,)
    assert loss[0].item() == pytest.approx((consistency - 2.0 * entropy).item(), rel=1e-6)


def test_neighbours_are_by_cosine_and_never_the_sample_itself():
    X = np.array([[1, 0], [10, 0.5], [0, 1], [0.1, 5], [-1, 0]], dtype=np.float32)
    idx = mine_neighbors(X, 1)
    np.testing.assert_array_equal(idx[:, 0], [1, 0, 3, 2, 2])  # (1, 0): (10, .5), not (0, 1)
    np.testing.assert_array_equal(mine_neighbors(X * 7, 2), mine_neighbors(X, 2))
    assert not (mine_neighbors(X, 4) == np.arange(5)[:, None]).any()


def test_the_scale_of_the_features_does_not_matter(fitted, blobs):
    again = SCAN(3, **FAST).fit(blobs[0] * 10)
    np.testing.assert_array_equal(again.labels_, fitted.labels_)


def test_same_random_state_same_result_and_global_rng_untouched(blobs):
    X = blobs[0]
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = SCAN(3, **FAST).fit(X)
    assert torch.equal(torch.rand(3), expected)
    b = SCAN(3, **FAST).fit(X)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = SCAN(3, **{**FAST, "random_state": 1}).fit(X)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


DETERMINISM_SCRIPT = """
import hashlib
from sklearn.datasets import make_blobs
from sk_aecluster import SCAN
X, _ = make_blobs(100, n_features=6, centers=3, random_state=0)
s = SCAN(3, n_neighbors=5, n_heads=2, hidden_size=8, max_epochs=5, batch_size=32,
         random_state=7).fit(X)
print(hashlib.sha256(s.predict_proba(X).tobytes()).hexdigest())
"""


def test_bit_identical_across_processes():
    runs = [subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], capture_output=True,
                           text=True, check=True).stdout.strip() for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) == 64


def test_clone_pickle_and_grid_search(fitted, blobs):
    X, y = blobs
    params = clone(fitted).get_params()
    assert params["n_neighbors"] == 5 and params["n_heads"] == 3
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))
    assert fitted.net_.neighbors is None  # the training-only neighbour table is let go
    search = GridSearchCV(SCAN(3, **FAST), {"n_neighbors": [3, 5]},
                          scoring=clustering_accuracy_scorer, cv=TransductiveSplit()).fit(X, y)
    assert search.best_score_ == 1.0 and search.best_params_["n_neighbors"] in (3, 5)


def test_a_validation_split_is_scored_on_neighbour_pairs(blobs):
    from skorch.dataset import ValidSplit

    scan = SCAN(3, **{**FAST, "max_epochs": 3},
                net_params={"train_split": ValidSplit(5)}).fit(blobs[0])
    assert all(np.isfinite(row["valid_loss"]) for row in scan.history_)


def test_zero_epochs_keeps_the_first_head(blobs):
    scan = SCAN(3, **{**FAST, "max_epochs": 0}).fit(blobs[0])
    assert scan.best_head_ == 0 and np.isnan(scan.head_losses_).all()
    assert scan.labels_.shape == (150,)


def test_images_are_refused_with_the_way_to_cluster_them():
    X = np.zeros((30, 8, 8), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"feature vectors.*shape \(30, 8, 8\).*ContrastiveEnc"):
        SCAN(2, **FAST).fit(X)


@pytest.mark.parametrize("n, k, match", [
    (5, 2, r"more samples than n_neighbors=5; got n_samples = 5"),
    (1, 1, r"got n_samples = 1"),
    (8, 10, r"n_samples=8 should be >= n_clusters=10"),
])
def test_too_few_samples_are_refused(n, k, match):
    X = np.random.RandomState(0).rand(n, 4)
    with pytest.raises(ValueError, match=match):
        SCAN(k, **FAST).fit(X)


def test_bad_parameters_unfitted_use_and_wrong_widths(fitted, blobs):
    X = blobs[0]
    with pytest.raises(InvalidParameterError, match="n_heads"):
        SCAN(3, n_heads=0).fit(X)
    with pytest.raises(InvalidParameterError, match="entropy_weight"):
        SCAN(3, entropy_weight=-1).fit(X)
    with pytest.raises(NotFittedError):
        SCAN(3).predict(X)
    with pytest.raises(ValueError, match="X has 5 features, but SCAN is expecting 8"):
        fitted.predict(X[:, :5])


def _hostile(name, X):
    if name == "nan":
        X = X.copy()
        X[3, 2] = np.nan
    elif name == "inf":
        X = X.copy()
        X[3, 2] = np.inf
    elif name == "strings":
        X = X.astype(str)
    elif name == "complex":
        X = X.astype(np.complex64)
    elif name == "1-D":
        X = X[:, 0]
    elif name == "empty":
        X = X[:0]
    return X


@pytest.mark.parametrize("name, error, match", [
    ("nan", ValueError, "NaN"),
    ("inf", ValueError, "infinity"),
    ("strings", TypeError, "numeric"),
    ("complex", (TypeError, ValueError), "[Cc]omplex"),
    ("1-D", ValueError, "Expected 2D array"),
    ("empty", ValueError, "0 sample"),
])
def test_hostile_input_names_the_problem(name, error, match, fitted, blobs):
    X = _hostile(name, blobs[0])
    before = X.copy()
    with pytest.raises(error, match=match) as info:
        SCAN(3, **FAST).fit(X)
    assert "torch" not in str(info.value).lower()
    with pytest.raises(error, match=match):
        fitted.predict(X)
    assert np.array_equal(X, before, equal_nan=X.dtype.kind == "f")


@pytest.mark.parametrize("make", [
    lambda X: pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]),
    lambda X: X.tolist(),
    lambda X: X.astype(object),
    lambda X: np.asfortranarray(X)[:, ::-1][:, ::-1],
])
def test_other_containers_give_the_same_clusters(make, fitted, blobs):
    X = blobs[0]
    Xc = make(X)
    ro = np.array(X)
    ro.setflags(write=False)
    np.testing.assert_array_equal(SCAN(3, **FAST).fit(Xc).labels_, fitted.labels_)
    np.testing.assert_array_equal(SCAN(3, **FAST).fit(ro).labels_, fitted.labels_)


def test_after_a_contrastive_encoder_in_a_pipeline_and_saved(digits, tmp_path):
    X = (digits[0][:200].reshape(-1, 8, 8) * 255 / 16).astype(np.uint8)
    pipe = make_recommended_pipeline(10, features="contrastive", clusterer="scan",
                                     max_epochs=1, random_state=0,
                                     features_params=dict(width=4, depth=2, projection_dim=8,
                                                          flip=False))
    assert [name for name, _ in pipe.steps] == ["contrastive", "cluster"]
    assert isinstance(pipe.named_steps["cluster"], SCAN)
    pipe.set_params(cluster__max_epochs=3, cluster__n_heads=2)
    labels = pipe.fit_predict(X)
    assert labels.shape == (200,) and len(np.unique(labels)) > 1
    path = tmp_path / "m.safetensors"
    save_model(pipe, path)
    back = load_model(path)
    np.testing.assert_array_equal(back.predict(X), pipe.predict(X))
    scan, loaded = pipe.named_steps["cluster"], back.named_steps["cluster"]
    np.testing.assert_array_equal(loaded.labels_, scan.labels_)
    np.testing.assert_array_equal(loaded.head_losses_, scan.head_losses_)
    assert loaded.best_head_ == scan.best_head_ and loaded.get_params() == scan.get_params()


def test_the_recipe_refuses_an_unknown_clusterer():
    with pytest.raises(ValueError, match="clusterer must be 'kmeans' or 'scan'; got 'dbscan'"):
        make_recommended_pipeline(2, features="contrastive", clusterer="dbscan")


def _tamper(path, edit=None, arrays=None):
    scan_edit = None if edit is None else (lambda desc: edit(node_of_kind(desc, "scan")))
    tamper(path, edit=scan_edit, arrays=arrays)


def test_round_trip_unfitted_and_fitted(fitted, blobs, tmp_path):
    save_model(SCAN(4, n_heads=2), tmp_path / "u.safetensors")
    assert load_model(tmp_path / "u.safetensors").get_params()["n_heads"] == 2
    save_model(fitted, tmp_path / "f.safetensors")
    back = load_model(tmp_path / "f.safetensors")
    np.testing.assert_array_equal(back.predict_proba(blobs[0]), fitted.predict_proba(blobs[0]))


@pytest.mark.parametrize("edit, arrays, match", [
    (lambda n: n["fitted"].update(head_losses=[1.0]), None, "head_losses must be a list of 3"),
    (lambda n: n.update({"class": "os.system"}), None, "is not the SCAN clusterer"),
    (None, "labels", "labels must be int64 cluster numbers"),
    (None, "head", "kept head 7 is not one of the 3 heads"),
])
def test_tampered_files_are_refused(edit, arrays, match, fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    save_model(fitted, path)

    def swap(tensors):
        for key, value in tensors.items():
            if arrays == "labels" and value.dtype == np.int64 and value.shape == (150,):
                tensors[key] = np.full_like(value, 9)
            if arrays == "head" and value.dtype == np.int64 and value.shape == ():
                tensors[key] = np.array(7, dtype=np.int64)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _tamper(path, edit=edit, arrays=swap if arrays else None)
    with pytest.raises(ValueError, match=match):
        load_model(path)
