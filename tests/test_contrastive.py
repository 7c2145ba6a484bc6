"""ContrastiveEncoder: the SimCLR-style encoder, its augmentation, loss and net."""

import hashlib
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import EarlyStopping
from skorch.dataset import ValidSplit

from sk_aecluster import (
    ContrastiveEncoder,
    TransductiveSplit,
    clustering_accuracy_scorer,
)
from sk_aecluster.contrastive import ContrastiveAugmentation, ContrastiveNet, NTXentLoss
from sk_aecluster.contrastive._modules import pooling_plan

TINY = dict(width=4, depth=2, projection_dim=8, max_epochs=1, batch_size=16, random_state=0)


def tiny(**kw):
    return ContrastiveEncoder(**{**TINY, **kw})


def test_fit_transform_shape_dtype_and_names(rgb_images):
    X, _ = rgb_images
    enc = tiny().fit(X)
    Z = enc.transform(X)
    assert Z.shape == (40, 8) and Z.dtype == np.float32 and np.isfinite(Z).all()
    assert enc.latent_shape_ == (8,) and enc.n_epochs_ == 1
    assert isinstance(enc.net_, ContrastiveNet)
    names = enc.get_feature_names_out()
    assert names[0] == "contrastiveencoder0" and len(names) == 8
    # the projection head is not part of the features
    assert enc.net_.module_.head[-1].out_features == 8


def test_transform_is_batched_and_deterministic(rgb_images):
    X, _ = rgb_images
    enc = tiny(batch_size=7).fit(X)
    Z = enc.transform(X)
    assert np.array_equal(Z, enc.transform(X))  # no augmentation when encoding
    np.testing.assert_allclose(Z[:5], enc.transform(X[:5]), rtol=1e-5, atol=1e-6)


def test_y_is_ignored(rgb_images):
    X, y = rgb_images
    assert np.array_equal(tiny().fit(X, y).transform(X), tiny().fit(X).transform(X))


def test_same_seed_same_features_in_process_and_global_rng_untouched(rgb_images):
    X, _ = rgb_images
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    enc = tiny(max_epochs=2)
    a = enc.fit(X).transform(X)
    assert torch.equal(torch.rand(3), expected)
    b = enc.fit(X).transform(X)
    c = tiny(max_epochs=2).fit(X).transform(X)
    d = tiny(max_epochs=2, random_state=1).fit(X).transform(X)
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert not np.array_equal(a, d)


DETERMINISM_SCRIPT = """
import hashlib, numpy as np
from sk_aecluster import ContrastiveEncoder
X = np.random.RandomState(0).randint(0, 256, (24, 16, 16, 3)).astype(np.uint8)
z = ContrastiveEncoder(width=4, depth=2, projection_dim=8, max_epochs=2, batch_size=8,
                       random_state=7).fit_transform(X)
print(hashlib.sha256(z.tobytes()).hexdigest())
"""


def test_bit_identical_across_processes():
    out = subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], capture_output=True,
                         text=True, check=True).stdout.strip()
    X = np.random.RandomState(0).randint(0, 256, (24, 16, 16, 3)).astype(np.uint8)
    z = ContrastiveEncoder(width=4, depth=2, projection_dim=8, max_epochs=2, batch_size=8,
                           random_state=7).fit_transform(X)
    assert out == hashlib.sha256(z.tobytes()).hexdigest()


@pytest.mark.parametrize("size, expected", [
    (32, [(2, 2), (2, 2), (2, 2)]),
    (16, [(2, 2), (2, 2), (2, 2)]),
    (8, [(2, 2), (2, 2), (1, 1)]),
    (4, [(2, 2), (1, 1), (1, 1)]),
])
def test_small_images_keep_a_feature_map(size, expected):
    assert pooling_plan(size, size, 4) == expected
    assert pooling_plan(1, 10, 3) == [(1, 2), (1, 2)]


def test_grey_digits_and_flat_rows(digits):
    X, _ = digits
    enc = tiny(flip=False).fit(X[:40])  # flat 64-value rows: square 8x8 grey images
    assert enc.input_format_.network_shape == (1, 8, 8)
    Z = enc.transform(X[:40])
    Z3 = tiny(flip=False).fit(X[:40].reshape(-1, 8, 8)).transform(X[:40].reshape(-1, 8, 8))
    assert np.array_equal(Z, Z3)
    usps_like = np.random.RandomState(0).rand(20, 256).astype(np.float32)
    assert tiny(depth=4).fit(usps_like).transform(usps_like).shape == (20, 32)


def test_one_image_and_a_last_batch_of_one(rgb_images):
    X, _ = rgb_images
    assert tiny().fit(X[:1]).transform(X[:1]).shape == (1, 8)
    assert tiny(batch_size=13).fit(X).n_epochs_ == 1  # 40 = 3 * 13 + 1


def test_validation_split_is_scored_on_two_views(rgb_images):
    X, _ = rgb_images
    enc = tiny(max_epochs=2, net_params={"train_split": ValidSplit(4)}).fit(X)
    losses = enc.history_[:, "valid_loss"]
    assert len(losses) == 2 and all(np.isfinite(losses))


def test_invalid_hyper_parameters_raise(rgb_images):
    X, _ = rgb_images
    with pytest.raises(InvalidParameterError, match="temperature"):
        tiny(temperature=0).fit(X)
    with pytest.raises(InvalidParameterError, match="greyscale_prob"):
        tiny(greyscale_prob=1.5).fit(X)
    for bad in [(0, 1), (0.5, 2.0), (0.9, 0.2), (0.5,), "big"]:
        with pytest.raises((ValueError, TypeError), match="crop_scale"):
            tiny(crop_scale=bad).fit(X)
    with pytest.raises(ValueError, match=r"crop_ratio must be a pair"):
        tiny(crop_ratio=(2.0, 1.0)).fit(X)


def test_cuda_without_gpu_is_a_clear_error(rgb_images):
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ValueError, match="no CUDA GPU is available"):
        tiny(device="cuda").fit(rgb_images[0])


def test_params_clone_set_params_and_pickle(rgb_images):
    X, _ = rgb_images
    enc = tiny(temperature=0.2, crop_scale=(0.5, 1.0))
    params = enc.get_params()
    for key in ("width", "depth", "projection_dim", "temperature", "crop_scale", "crop_ratio",
                "flip", "jitter_strength", "jitter_prob", "greyscale_prob", "max_epochs",
                "batch_size", "lr", "optimizer", "optimizer_params", "device", "callbacks",
                "verbose", "random_state", "net_params"):
        assert key in params
    assert clone(enc).get_params() == params
    enc.set_params(width=6)
    assert enc.fit(X).transform(X).shape == (40, 12)
    again = pickle.loads(pickle.dumps(enc))
    assert np.array_equal(again.transform(X), enc.transform(X))


def test_use_before_fit_raises_not_fitted(rgb_images):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        tiny().transform(rgb_images[0])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        tiny().get_feature_names_out()


def test_unknown_device_is_a_value_error(rgb_images):
    with pytest.raises(ValueError, match="'floppy' is not a torch device"):
        tiny(device="floppy").fit(rgb_images[0])


def test_divergence_is_reported_not_passed_on(rgb_images):
    with pytest.raises(FloatingPointError, match="Training diverged.*Lower the learning rate"):
        tiny(lr=1e30, optimizer=torch.optim.SGD, max_epochs=3).fit(rgb_images[0])


def test_callbacks_reach_skorch_and_disable_still_trains(rgb_images, capsys):
    X, _ = rgb_images
    with pytest.warns(RuntimeWarning, match="stopped after"):
        enc = tiny(max_epochs=20, lr=1e-9, verbose=1,
                   callbacks=[EarlyStopping(monitor="train_loss", patience=1,
                                            threshold=0.5)]).fit(X)
    assert enc.n_epochs_ < 20 and "train_loss" in capsys.readouterr().out
    assert tiny(callbacks="disable").fit(X).transform(X).shape == (40, 8)


def test_dataframe_input_keeps_its_column_names(digits):
    X, _ = digits
    df = pd.DataFrame(X[:40], columns=[f"px{i}" for i in range(64)])
    enc = tiny(flip=False).set_output(transform="pandas")
    out = enc.fit_transform(df)
    assert list(enc.feature_names_in_) == list(df.columns)
    assert list(out.columns) == list(enc.get_feature_names_out()) and out.shape == (40, 8)
    assert np.array_equal(out.to_numpy(), tiny(flip=False).fit(X[:40]).transform(X[:40]))


def test_set_output_pandas(rgb_images):
    X, _ = rgb_images
    out = tiny().set_output(transform="pandas").fit(X).transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns)[:2] == [
        "contrastiveencoder0", "contrastiveencoder1"]


def test_pipeline_and_grid_search_over_its_parameters(rgb_images):
    X, y = rgb_images
    pipe = Pipeline([("enc", tiny()), ("km", KMeans(2, n_init=2, random_state=0))])
    assert pipe.fit_predict(X).shape == (40,)
    grid = GridSearchCV(pipe, {"enc__temperature": [0.2, 0.5], "enc__flip": [True, False]},
                        scoring=clustering_accuracy_scorer, cv=TransductiveSplit()).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    # architecture and augmentation parameters, scored on held-out folds
    grid = GridSearchCV(pipe, {"enc__width": [2, 4], "enc__crop_scale": [(0.5, 1.0)]},
                        scoring=clustering_accuracy_scorer, cv=2).fit(X, y)
    assert grid.best_estimator_.named_steps["enc"].transform(X).shape[1] in (4, 8)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_training_lowers_the_loss():
    X = np.random.RandomState(0).randint(0, 256, (64, 8, 8, 3)).astype(np.uint8)
    enc = ContrastiveEncoder(width=8, depth=2, projection_dim=16, max_epochs=8, batch_size=32,
                             lr=3e-3, random_state=0).fit(X)
    losses = enc.history_[:, "train_loss"]
    assert losses[-1] < losses[0]


# -- the augmentation --------------------------------------------------------------
def _batch(n=6, c=3, h=8, w=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, c, h, w, generator=g) * 2 - 1).contiguous(
        memory_format=torch.channels_last)


def test_augmentation_keeps_shape_range_and_layout():
    for c in (1, 3):
        x = _batch(c=c)
        out = ContrastiveAugmentation(jitter_strength=1.0)(x)
        assert out.shape == x.shape and out.dtype == torch.float32
        assert out.min() >= -1 and out.max() <= 1
        assert out.is_contiguous(memory_format=torch.channels_last)


def test_augmentation_without_randomness_is_the_identity():
    x = _batch()
    aug = ContrastiveAugmentation(crop_scale=(1, 1), crop_ratio=(1, 1), flip=False,
                                  jitter_strength=0, greyscale_prob=0)
    torch.testing.assert_close(aug(x), x, atol=1e-6, rtol=0)


def test_flip_and_greyscale_alone():
    x = _batch(n=64)
    flipped = ContrastiveAugmentation(crop_scale=(1, 1), crop_ratio=(1, 1),
                                      jitter_strength=0, greyscale_prob=0)(x)
    mirrored = torch.isclose(flipped, x.flip(-1), atol=1e-6).flatten(1).all(1)
    same = torch.isclose(flipped, x, atol=1e-6).flatten(1).all(1)
    assert (mirrored | same).all() and 10 < mirrored.sum() < 54
    grey = ContrastiveAugmentation(crop_scale=(1, 1), crop_ratio=(1, 1), flip=False,
                                   jitter_strength=0, greyscale_prob=1.0)(x)
    assert torch.allclose(grey[:, 0], grey[:, 1]) and torch.allclose(grey[:, 1], grey[:, 2])


def test_augmentation_is_batched_random_and_seeded():
    x = _batch()
    aug = ContrastiveAugmentation()
    torch.manual_seed(0)
    a = aug(x)
    torch.manual_seed(0)
    b = aug(x)
    assert torch.equal(a, b) and not torch.equal(a, aug(x))
    assert not torch.allclose(a[0], a[1])


def test_hue_rotation_by_a_full_turn_is_the_identity():
    u = (_batch() + 1) / 2
    angle = torch.full((6,), 2 * np.pi)
    torch.testing.assert_close(ContrastiveAugmentation._rotate_hue(u, angle), u,
                               atol=1e-5, rtol=0)


# -- the loss ------------------------------------------------------------------------
def test_nt_xent_matches_a_plain_loop():
    torch.manual_seed(0)
    z = torch.randn(10, 4)
    t = 0.3
    zn = torch.nn.functional.normalize(z, dim=1)
    total = 0.0
    for i in range(10):
        pos = (i + 5) % 10
        sims = torch.stack([zn[i] @ zn[j] / t for j in range(10) if j != i])
        total += -(zn[i] @ zn[pos] / t - torch.logsumexp(sims, 0))
    torch.testing.assert_close(NTXentLoss(t)(z), total / 10)


def test_nt_xent_prefers_aligned_views():
    torch.manual_seed(0)
    z = torch.randn(8, 16)
    aligned = NTXentLoss(0.5)(torch.cat([z, z]))
    shuffled = NTXentLoss(0.5)(torch.cat([z, z.roll(1, 0)]))
    assert aligned < shuffled
