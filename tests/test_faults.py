"""Faults during training: Ctrl-C, divergence, and reproducibility after them."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback

from sk_aecluster import ConvAutoEncoder, DenseAutoEncoder, clustering_accuracy_scorer
from sk_aecluster.autoencoder import StopOnDivergence

TINY = dict(max_epochs=5, batch_size=8, random_state=0)


def small_conv(**kw):
    return ConvAutoEncoder(hidden_channels=(4,), latent_channels=4, **{**TINY, **kw})


class CtrlC(Callback):
    """Raise KeyboardInterrupt at the end of an epoch or in the middle of one."""

    def __init__(self, epoch, where="epoch"):
        self.epoch = epoch
        self.where = where

    def on_epoch_end(self, net, **kwargs):
        if self.where == "epoch" and len(net.history) == self.epoch:
            raise KeyboardInterrupt

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if self.where == "batch" and training and len(net.history) == self.epoch:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def images():
    rng = np.random.RandomState(0)
    return rng.randint(0, 256, (20, 8, 8, 3)).astype(np.uint8)


def test_ctrl_c_after_an_epoch_keeps_the_weights_of_that_epoch(images):
    ae = small_conv(callbacks=[CtrlC(2)])
    with pytest.warns(RuntimeWarning, match="training stopped after 2 of 5 epochs"):
        ae.fit(images)
    assert ae.n_epochs_ == 2 and len(ae.history_) == 2
    Z = ae.transform(images)
    assert np.isfinite(Z).all()
    # the same model as training for exactly two epochs
    two = small_conv(max_epochs=2).fit(images)
    assert np.array_equal(Z, two.transform(images))
    # and it can be used and refitted like any fitted estimator
    assert ae.inverse_transform(Z).shape == images.shape
    assert ae.set_params(callbacks=None).fit(images).n_epochs_ == 5


def test_ctrl_c_in_the_middle_of_an_epoch_leaves_a_usable_estimator(images):
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, callbacks=[CtrlC(3, "batch")],
                          **TINY)
    with pytest.warns(RuntimeWarning, match="stopped after 3 of 5"):
        ae.fit(images)
    Z = ae.transform(images)
    assert Z.shape == (20, 2) and np.isfinite(Z).all()
    assert np.isfinite(ae.score(images))


def test_divergence_stops_a_pipeline_before_kmeans(images):
    pipe = Pipeline([
        ("ae", DenseAutoEncoder(hidden_units=(8,), latent_dim=2, lr=1e12,
                                optimizer=torch.optim.SGD, **TINY)),
        ("km", KMeans(2, n_init=1, random_state=0)),
    ])
    with pytest.raises(FloatingPointError, match="Training diverged"):
        pipe.fit(images)
    assert not hasattr(pipe.named_steps["km"], "cluster_centers_")


def test_a_diverging_candidate_fails_alone_in_a_grid_search(images):
    pipe = Pipeline([
        ("ae", DenseAutoEncoder(hidden_units=(8,), latent_dim=2, optimizer=torch.optim.SGD,
                                **TINY)),
        ("km", KMeans(2, n_init=1, random_state=0)),
    ])
    y = np.repeat([0, 1], 10)
    grid = GridSearchCV(pipe, {"ae__lr": [1e-2, 1e12]}, scoring=clustering_accuracy_scorer,
                        cv=2)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        grid.fit(images, y)
    messages = " ".join(str(w.message) for w in record)
    assert "Training diverged" in messages and "non-finite" in messages
    scores = grid.cv_results_["mean_test_score"]
    assert np.isfinite(scores[0]) and np.isnan(scores[1])
    assert grid.best_params_ == {"ae__lr": 1e-2}


def test_refit_after_an_interrupt_is_the_same_as_a_fresh_fit(images):
    ae = small_conv(callbacks=[CtrlC(1)])
    with pytest.warns(RuntimeWarning):
        ae.fit(images)
    ae.set_params(callbacks=None)
    again = ae.fit(images).transform(images)
    fresh = small_conv().fit(images).transform(images)
    assert np.array_equal(again, fresh)


def test_command_line_reports_an_interrupt_and_leaves_nothing_complete(
    images, tmp_path, monkeypatch, capsys
):
    cli = pytest.importorskip("sk_aecluster.cli")

    def interrupt(self, net, **kwargs):
        if len(net.history) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(StopOnDivergence, "on_epoch_end", interrupt)
    data = tmp_path / "x.npy"
    np.save(data, images)
    out = tmp_path / "out"
    status = cli.main(["cluster", str(data), "--out", str(out), "--recipe", "study",
                       "--epochs", "3",
                       "--n-clusters", "2", "--quiet"])
    err = capsys.readouterr().err
    assert status == 130, err
    assert "interrupted" in err
    assert not (out / cli.MARKER).exists()
    assert not (out / cli.MODEL_FILE).exists()
