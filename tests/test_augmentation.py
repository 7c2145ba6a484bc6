"""Random shifts and rotations of training images (``augment_shift``, ``augment_rotation``)."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sk_aecluster import (
    AE1Encoder,
    AE2Encoder,
    ConvAutoEncoder,
    DenseAutoEncoder,
    load_model,
    save_model,
)
from sk_aecluster.autoencoder._augment import RandomAffine

DENSE = dict(hidden_units=(16,), latent_dim=3, max_epochs=2, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def grey():
    from sklearn.datasets import load_digits

    X = load_digits().images[:120]
    return np.rint(X * 255 / 16).astype(np.uint8)  # (120, 8, 8)


def _spot(n, size=9, at=4):
    img = torch.full((n, 1, size, size), -1.0)
    img[:, 0, at, at] = 1.0
    return img


def _centre_of_mass(img):
    w = (img + 1).clamp(min=0)[:, 0]
    rows = torch.arange(w.shape[1], dtype=torch.float32)
    total = w.sum((1, 2))
    return (w.sum(2) @ rows) / total, (w.sum(1) @ rows) / total


@pytest.mark.parametrize("layout,shape", [("chw", (3, 5, 6)), ("hwc", (5, 6, 3))])
def test_no_shift_and_no_rotation_is_the_identity(layout, shape):
    x = torch.randn(4, int(np.prod(shape)))
    assert torch.allclose(RandomAffine(shape, 0, 0, layout=layout)(x), x, atol=1e-5)


def test_conv_batches_keep_shape_and_channels_last_memory():
    x = torch.randn(3, 2, 8, 8).contiguous(memory_format=torch.channels_last)
    out = RandomAffine((2, 8, 8), 1, 10)(x)
    assert out.shape == x.shape
    assert out.is_contiguous(memory_format=torch.channels_last)


def test_shifts_stay_within_max_shift_and_vary_between_images():
    torch.manual_seed(0)
    out = RandomAffine((1, 9, 9), 2, 0)(_spot(200))
    rows, cols = _centre_of_mass(out)
    moved = torch.stack([rows - 4, cols - 4])
    assert moved.abs().max() <= 2 + 1e-4
    assert moved.abs().max() > 1.5  # the whole range is used
    assert moved.std(dim=1).min() > 0.5  # each image draws its own shift


def test_rotations_turn_about_the_centre_within_max_rotation():
    torch.manual_seed(0)
    spot = _spot(200, size=21, at=10)
    spot[:, 0, 10, 10] = -1.0
    spot[:, 0, 10, 18] = 1.0  # 8 pixels right of the centre
    rows, cols = _centre_of_mass(RandomAffine((1, 21, 21), 0, 30)(spot))
    angle = torch.rad2deg(torch.atan2(rows - 10, cols - 10))
    assert angle.abs().max() <= 30 + 1.0
    assert angle.abs().max() > 20


def test_the_callers_batch_is_not_modified():
    x = torch.randn(4, 1, 6, 6)
    copy = x.clone()
    RandomAffine((1, 6, 6), 2, 20)(x)
    assert torch.equal(x, copy)


def test_augmentation_is_off_by_default(grey):
    ae = DenseAutoEncoder(**DENSE).fit(grey)
    assert ae.augment_shift == 0.0 and ae.augment_rotation == 0.0
    assert ae.net_.augmentation is None


@pytest.mark.parametrize(
    "X,shape,layout",
    [
        (np.zeros((20, 8, 8), np.uint8), (1, 8, 8), "chw"),  # grey images
        (np.zeros((20, 64), np.uint8), (1, 8, 8), "chw"),  # flat square rows
        (np.zeros((20, 8, 8, 3), np.uint8), (8, 8, 3), "hwc"),  # colour, channels last
        (np.zeros((20, 3, 8, 8), np.uint8), (3, 8, 8), "chw"),  # colour, channels first
    ],
)
def test_dense_autoencoder_reads_its_samples_as_images(X, shape, layout):
    X = X.copy()
    X[:, ..., 0] = 255  # not constant
    ae = DenseAutoEncoder(augment_shift=1, augment_rotation=5, **DENSE).fit(X)
    aug = ae.net_.augmentation
    assert isinstance(aug, RandomAffine)
    assert (aug.image_shape, aug.layout) == (shape, layout)
    assert (aug.max_shift, aug.max_rotation) == (1.0, 5.0)


@pytest.mark.parametrize("make", [
    lambda **kw: AE1Encoder(**kw),
    lambda **kw: AE2Encoder(latent_channels=4, **kw),
    lambda **kw: ConvAutoEncoder(hidden_channels=(4,), latent_channels=2, **kw),
])
def test_conv_autoencoders_augment_the_padded_network_input(make, rgb_images):
    X, _ = rgb_images
    ae = make(augment_shift=2, max_epochs=1, batch_size=16, random_state=0).fit(X)
    assert ae.net_.augmentation.image_shape == ae.input_format_.network_shape
    assert ae.transform(X).shape[0] == len(X)


def test_dense_features_that_are_not_images_are_refused():
    X = np.random.RandomState(0).rand(30, 10)
    with pytest.raises(ValueError, match=r"need images.*shape \(10,\).*not a square grey"):
        DenseAutoEncoder(augment_shift=1, **DENSE).fit(X)


@pytest.mark.parametrize("params,match", [
    ({"augment_shift": -1}, "augment_shift"),
    ({"augment_rotation": 181}, "augment_rotation"),
    ({"augment_rotation": "10"}, "augment_rotation"),
])
def test_bad_augmentation_parameters_are_refused(params, match, grey):
    with pytest.raises(InvalidParameterError, match=match):
        DenseAutoEncoder(**DENSE, **params).fit(grey)


def test_training_with_augmentation_is_reproducible_and_differs_from_without(grey):
    before = grey.copy()
    a = DenseAutoEncoder(augment_shift=1, augment_rotation=10, **DENSE).fit(grey)
    b = clone(a).fit(grey)
    plain = DenseAutoEncoder(**DENSE).fit(grey)
    assert np.array_equal(a.transform(grey), b.transform(grey))
    assert not np.allclose(a.transform(grey), plain.transform(grey))
    assert np.array_equal(grey, before)  # the caller's images are untouched
    # encoding never augments: the same images give the same codes
    assert np.array_equal(a.transform(grey), a.transform(grey))


def test_augmentation_survives_save_and_load(grey, tmp_path):
    ae = DenseAutoEncoder(augment_shift=1.5, augment_rotation=8, **DENSE).fit(grey)
    save_model(ae, tmp_path / "m.safetensors")
    again = load_model(tmp_path / "m.safetensors")
    assert (again.augment_shift, again.augment_rotation) == (1.5, 8)
    assert repr(again.net_.augmentation) == repr(ae.net_.augmentation)
    assert np.array_equal(again.transform(grey), ae.transform(grey))
