"""Behaviour of the four autoencoder transformers."""

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch.callbacks import EarlyStopping, ProgressBar

from sk_aecluster import AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder

FAST = dict(max_epochs=2, batch_size=16, random_state=0)


def small_ae2(**kw):
    return AE2Encoder(latent_channels=8, **{**FAST, **kw})


def test_ae1_layers_match_the_study(rgb_images):
    X, _ = rgb_images
    module = AE1Encoder(**FAST).fit(X).net_.module_
    enc, dec = module.encoder, module.decoder
    assert isinstance(enc, torch.nn.Conv2d)
    assert (enc.in_channels, enc.out_channels) == (3, 8)
    assert enc.kernel_size == (3, 3) and enc.stride == (2, 2) and enc.padding == (1, 1)
    assert [type(m) for m in dec] == [torch.nn.ConvTranspose2d, torch.nn.Tanh]
    assert dec[0].kernel_size == (2, 2) and dec[0].stride == (2, 2)
    assert (dec[0].in_channels, dec[0].out_channels) == (8, 3)


def test_ae2_layers_match_the_study(rgb_images):
    X, _ = rgb_images
    module = AE2Encoder(**FAST).fit(X).net_.module_
    nn = torch.nn
    assert [type(m) for m in module.encoder] == [
        nn.Conv2d, nn.ReLU, nn.BatchNorm2d, nn.MaxPool2d
    ] * 3
    convs = [m for m in module.encoder if isinstance(m, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels) for c in convs] == [(3, 64), (64, 128), (128, 256)]
    assert all(c.kernel_size == (3, 3) and c.padding == (1, 1) for c in convs)
    assert [type(m) for m in module.decoder] == [
        nn.ConvTranspose2d, nn.ReLU, nn.ConvTranspose2d, nn.ReLU, nn.ConvTranspose2d, nn.Tanh
    ]
    deconvs = [m for m in module.decoder if isinstance(m, nn.ConvTranspose2d)]
    assert [(c.in_channels, c.out_channels) for c in deconvs] == [(256, 128), (128, 64), (64, 3)]


@pytest.mark.parametrize(
    "est, n_latent",
    [
        (AE1Encoder(**FAST), 8 * 8 * 8),
        (AE1Encoder(latent_channels=4, **FAST), 4 * 8 * 8),
        (AE2Encoder(latent_channels=8, **FAST), 8 * 2 * 2),
        (ConvAutoEncoder(hidden_channels=(4,), latent_channels=6, **FAST), 6 * 4 * 4),
        (DenseAutoEncoder(hidden_units=(16,), latent_dim=5, **FAST), 5),
    ],
)
def test_transform_shape_dtype_and_inverse(est, n_latent, rgb_images):
    X, _ = rgb_images
    Z = est.fit_transform(X)
    assert Z.shape == (40, n_latent) and Z.dtype == np.float32
    assert np.isfinite(Z).all()
    assert est.get_feature_names_out()[0] == f"{type(est).__name__.lower()}0"
    assert len(est.get_feature_names_out()) == n_latent
    R = est.inverse_transform(Z)
    assert R.shape == X.shape and R.dtype == np.uint8
    assert np.allclose(est.reconstruct(X), R)
    # score is minus the mean squared error on the [-1, 1] scale
    scaled = X / 127.5 - 1
    expected = -np.mean((est.inverse_transform(Z).astype(float) / 127.5 - 1 - scaled) ** 2)
    assert est.score(X) == pytest.approx(expected, abs=2e-3)  # rounding to uint8


def test_uint8_scaled_like_the_study(rgb_images):
    X, _ = rgb_images
    ae = AE1Encoder(**FAST).fit(X)
    fmt = ae.input_format_
    assert (fmt.layout, fmt.low, fmt.high, fmt.network_shape) == ("nhwc", 0.0, 255.0, (3, 16, 16))
    t = fmt.to_tensor(X[:2])
    expected = torch.from_numpy(X[:2].transpose(0, 3, 1, 2) / 127.5 - 1).float()
    assert torch.allclose(t, expected)
    assert t.min() >= -1 and t.max() <= 1


def test_channels_first_float_and_flat_inputs_agree(rgb_images):
    X, _ = rgb_images
    Xf = X.astype(np.float32) / 255.0
    nhwc = AE1Encoder(**FAST).fit(Xf)
    nchw = AE1Encoder(**FAST).fit(Xf.transpose(0, 3, 1, 2))
    flat = AE1Encoder(image_shape=(16, 16, 3), **FAST).fit(Xf.reshape(40, -1))
    assert nchw.input_format_.layout == "nchw"
    z = nhwc.transform(Xf)
    assert np.array_equal(z, nchw.transform(Xf.transpose(0, 3, 1, 2)))
    assert np.array_equal(z, flat.transform(Xf.reshape(40, -1)))
    # float input keeps its format and dtype on the way back
    back = nchw.inverse_transform(nchw.transform(Xf.transpose(0, 3, 1, 2)))
    assert back.shape == (40, 3, 16, 16) and back.dtype == np.float32
    assert back.min() >= Xf.min() - 1e-6 and back.max() <= Xf.max() + 1e-6


def test_grey_images_and_square_flat_rows(digits):
    X, _ = digits
    ae = AE2Encoder(latent_channels=4, **FAST).fit(X)  # 64 features -> 8x8 grey
    assert ae.input_format_.network_shape == (1, 8, 8)
    assert ae.transform(X).shape == (300, 4)
    ae3 = AE1Encoder(**FAST).fit(X.reshape(-1, 8, 8))
    assert ae3.input_format_.layout == "nhw"
    assert ae3.inverse_transform(ae3.transform(X.reshape(-1, 8, 8))).shape == (300, 8, 8)


def test_too_small_or_odd_images_are_refused_with_the_sizes_that_work():
    X = np.zeros((4, 28, 28), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"divisible by 8 \(e.g. 8, 16, 24, 32.*got 28x28"):
        AE2Encoder(**FAST).fit(X)
    with pytest.raises(ValueError, match="divisible by 2.*got 5x5"):
        AE1Encoder(**FAST).fit(np.zeros((4, 5, 5), dtype=np.uint8))


def test_pad_images_handles_mnist_sizes():
    X = np.random.RandomState(0).randint(0, 256, (8, 28, 28), dtype=np.uint8)
    ae = small_ae2(pad_images=True).fit(X)
    assert ae.input_format_.network_shape == (1, 32, 32)
    assert ae.input_format_.pad == (2, 2, 2, 2)
    assert ae.reconstruct(X).shape == (8, 28, 28)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.full((4, 16, 16, 3), np.nan, dtype=np.float32), "NaN"),
        (np.full((4, 16, 16, 3), np.inf, dtype=np.float32), "infinity"),
        (np.zeros(16, dtype=np.float32), "Expected 2D array"),
        (np.zeros((2, 2, 2, 2, 2), dtype=np.float32), "5 dimensions"),
        (np.zeros((0, 16, 16, 3), dtype=np.uint8), "0 sample"),
        (np.full((4, 16, 16, 3), 300, dtype=np.int32), "0..255"),
        (np.zeros((4, 10), dtype=np.float32), "not a square grey image"),
        (np.zeros((4, 16, 16, 16), dtype=np.float32), "cannot tell the channel axis"),
    ],
)
def test_bad_input_is_refused_by_name(X, match):
    with pytest.raises(ValueError, match=match):
        AE1Encoder(**FAST).fit(X)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([["a", "b"], ["c", "d"]]), "numeric"),
        (np.zeros((4, 16, 16, 3), dtype=np.complex64), "complex"),
    ],
)
def test_wrong_dtypes_raise_type_error(X, match):
    with pytest.raises(TypeError, match=match):
        AE1Encoder(**FAST).fit(X)


def test_shape_at_transform_must_match_fit(rgb_images):
    X, _ = rgb_images
    ae = AE1Encoder(**FAST).fit(X)
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(16, 16, 3\)"):
        ae.transform(X[:, :, :, :1])
    with pytest.raises(ValueError, match=r"fitted on samples of shape"):
        ae.transform(np.zeros((2, 32, 32, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"codes of shape \(n, 512\)"):
        ae.inverse_transform(np.zeros((2, 3)))


@pytest.mark.parametrize("method", ["transform", "inverse_transform", "score"])
def test_use_before_fit_raises_not_fitted(method, rgb_images):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(AE1Encoder(), method)(rgb_images[0])


def test_cuda_without_gpu_is_a_clear_error(rgb_images):
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ValueError, match="no CUDA GPU is available"):
        AE1Encoder(device="cuda", **FAST).fit(rgb_images[0])


def test_unknown_device_is_a_value_error(rgb_images):
    with pytest.raises(ValueError, match="'floppy' is not a torch device"):
        AE1Encoder(device="floppy", **FAST).fit(rgb_images[0])


def test_y_is_ignored(rgb_images):
    X, y = rgb_images
    a = AE1Encoder(**FAST).fit(X).transform(X)
    b = AE1Encoder(**FAST).fit(X, y).transform(X)
    c = AE1Encoder(**FAST).fit(X, np.random.RandomState(1).rand(40) * 1e6).transform(X)
    assert np.array_equal(a, b) and np.array_equal(a, c)


def test_same_seed_same_codes_and_refit_is_fresh(rgb_images):
    X, _ = rgb_images
    ae = small_ae2()
    a = ae.fit(X).transform(X)
    b = ae.fit(X).transform(X)  # a second fit on the same instance
    c = small_ae2().fit(X).transform(X)
    d = small_ae2(random_state=1).fit(X).transform(X)
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert not np.array_equal(a, d)


def test_global_torch_rng_is_untouched(rgb_images):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    AE1Encoder(**FAST).fit(rgb_images[0])
    assert torch.equal(torch.rand(3), expected)


DETERMINISM_SCRIPT = """
import numpy as np, hashlib
from sk_aecluster import AE2Encoder
rng = np.random.RandomState(0)
X = rng.randint(0, 256, (24, 16, 16, 3)).astype(np.uint8)
z = AE2Encoder(latent_channels=8, max_epochs=2, batch_size=8, random_state=7).fit_transform(X)
print(hashlib.sha256(z.tobytes()).hexdigest())
"""


def test_bit_identical_across_processes():
    runs = [
        subprocess.run(
            [sys.executable, "-c", DETERMINISM_SCRIPT],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and len(runs[0]) == 64


def test_params_are_explicit_and_clone_set_params_work():
    ae = AE2Encoder(latent_channels=32, max_epochs=3, lr=0.01)
    params = ae.get_params()
    for key in ["latent_channels", "max_epochs", "lr", "batch_size", "optimizer",
                "device", "callbacks", "verbose", "random_state", "image_shape"]:
        assert key in params
    assert params["latent_channels"] == 32
    cloned = clone(ae)
    assert cloned.get_params() == params
    cloned.set_params(latent_channels=16)
    assert cloned.latent_channels == 16 and ae.latent_channels == 32
    assert "hidden_channels" in ConvAutoEncoder().get_params()
    assert DenseAutoEncoder().get_params()["hidden_units"] == (500, 500, 2000)


def test_invalid_hyper_parameters_raise():
    X = np.zeros((4, 8, 8), dtype=np.uint8)
    with pytest.raises(ValueError, match="max_epochs"):
        AE1Encoder(max_epochs=-1).fit(X)
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        ConvAutoEncoder(kernel_size=2, **FAST).fit(X)


def test_dense_autoencoder_defaults_and_flattening(digits):
    X, _ = digits
    ae = DenseAutoEncoder(**{**FAST, "max_epochs": 1}).fit(X)
    linears = [m for m in ae.net_.module_.encoder if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (64, 500), (500, 500), (500, 2000), (2000, 10)
    ]
    assert ae.transform(X).shape == (300, 10)
    img = DenseAutoEncoder(hidden_units=(8,), latent_dim=3, **FAST).fit(X.reshape(-1, 8, 8))
    assert img.inverse_transform(img.transform(X.reshape(-1, 8, 8))).shape == (300, 8, 8)


def test_training_reduces_the_reconstruction_error(digits):
    X, _ = digits
    short = DenseAutoEncoder(hidden_units=(64,), latent_dim=8, max_epochs=1, random_state=0)
    long = clone(short).set_params(max_epochs=30)
    assert long.fit(X).score(X) > short.fit(X).score(X) + 0.02
    losses = long.history_[:, "train_loss"]
    assert len(losses) == 30 and losses[-1] < losses[0]


def test_set_output_pandas_and_dataframe_input(digits):
    X, _ = digits
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=3, **FAST).set_output(transform="pandas")
    out = ae.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["denseautoencoder0", "denseautoencoder1", "denseautoencoder2"]
    assert list(ae.feature_names_in_) == list(df.columns)


def test_skorch_callbacks_and_history_are_reachable(digits, capsys):
    X, _ = digits
    ae = DenseAutoEncoder(
        hidden_units=(8,), latent_dim=2, max_epochs=50, lr=1e-5, random_state=0,
        callbacks=[EarlyStopping(monitor="train_loss", patience=1, threshold=0.5),
                   ProgressBar()],
    )
    with pytest.warns(RuntimeWarning, match="stopped after"):
        ae.fit(X)
    assert ae.n_epochs_ < 50
    assert len(ae.history_) == ae.n_epochs_
    assert ae.net_.history[-1, "train_loss"] > 0
    assert "dur" in ae.history_[-1]


def test_each_step_output_reaches_callbacks_then_is_released(digits):
    """Callbacks see every batch's loss and reconstruction, as in skorch; the
    previous step's tensors are gone before the next batch starts (speed)."""
    import weakref

    from skorch.callbacks import Callback

    class Spy(Callback):
        def initialize(self):
            self.seen, self.alive_at_next_batch, self.last = [], [], None
            return self

        def on_batch_begin(self, net, batch=None, training=None, **kwargs):
            if self.last is not None:
                self.alive_at_next_batch.append(self.last() is not None)

        def on_batch_end(self, net, batch=None, training=None, loss=None, y_pred=None,
                         **kwargs):
            self.seen.append((training, float(loss), tuple(y_pred.shape), len(batch[0])))
            self.last = weakref.ref(y_pred)

    X, _ = digits
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, max_epochs=2, batch_size=128,
                          random_state=0, callbacks=[("spy", Spy())]).fit(X)
    spy = dict(ae.net_.callbacks_)["spy"]
    # 300 samples in batches of 128: 3 batches per epoch, 2 epochs
    assert [(t, shape, n) for t, _, shape, n in spy.seen] == [(True, (128, 64), 128),
                                                              (True, (128, 64), 128),
                                                              (True, (44, 64), 44)] * 2
    history = ae.history_
    losses = [loss for _, loss, _, _ in spy.seen]
    assert history[:, "batches", :, "train_loss"] == [losses[:3], losses[3:]]
    assert history[:, "batches", :, "train_batch_size"] == [[128, 128, 44]] * 2
    assert history[:, "train_batch_count"] == [3, 3]
    assert spy.alive_at_next_batch == [False] * 5


@pytest.mark.parametrize("optimizer", [torch.optim.Adam, torch.optim.SGD, torch.optim.LBFGS])
def test_every_optimizer_steps_and_gradient_callbacks_see_the_gradients(optimizer, digits):
    """Adam and SGD step without skorch's closure, LBFGS (which needs one)
    with it; either way ``on_grad_computed`` sees each batch's gradients
    before the step and the loss falls."""
    from skorch.callbacks import Callback

    class GradSpy(Callback):
        def initialize(self):
            self.norms = []
            return self

        def on_grad_computed(self, net, named_parameters, batch=None, training=None):
            self.norms.append(sum(float(p.grad.norm()) for _, p in named_parameters))

    X, _ = digits
    ae = DenseAutoEncoder(hidden_units=(16,), latent_dim=2, max_epochs=3, batch_size=100,
                          optimizer=optimizer, lr=0.1 if optimizer is not torch.optim.Adam
                          else 1e-2, random_state=0, callbacks=[("grads", GradSpy())]).fit(X)
    norms = dict(ae.net_.callbacks_)["grads"].norms
    assert len(norms) >= 9 and all(n > 0 for n in norms)  # >= 3 batches x 3 epochs
    losses = ae.history_[:, "train_loss"]
    assert losses[-1] < losses[0]


def _fused(ae):
    return ae.net_.optimizer_.defaults.get("fused")


@pytest.mark.parametrize("optimizer", [torch.optim.Adam, torch.optim.AdamW])
def test_adam_uses_the_fused_kernel_unless_told_otherwise(optimizer, digits):
    """Adam and AdamW get ``fused=True`` on the CPU; the hyper-parameter is
    stored unchanged, and ``fused=False`` is torch's default kernel: the same
    algorithm, results equal to float32 rounding."""
    X, _ = digits
    kw = dict(hidden_units=(16,), latent_dim=2, max_epochs=3, batch_size=100,
              optimizer=optimizer, random_state=0)
    fused = DenseAutoEncoder(**kw).fit(X)
    assert _fused(fused) is True and fused.optimizer_params is None
    assert fused.get_params()["optimizer_params"] is None
    plain = DenseAutoEncoder(**kw, optimizer_params={"fused": False}).fit(X)
    assert _fused(plain) is False
    # the kernels may round differently (on some CPUs they agree to the bit)
    np.testing.assert_allclose(fused.transform(X), plain.transform(X), rtol=1e-4, atol=1e-5)
    # bit-identical again with the same kernel
    np.testing.assert_array_equal(DenseAutoEncoder(**kw).fit(X).transform(X), fused.transform(X))


@pytest.mark.parametrize("params, expected", [
    (dict(optimizer_params={"foreach": True}), None),
    (dict(optimizer_params={"weight_decay": 1e-4}), True),
    (dict(net_params={"optimizer__foreach": True}), None),
    (dict(net_params={"optimizer__fused": False}), False),
    (dict(optimizer=torch.optim.SGD), None),
    (dict(net_params={"optimizer": torch.optim.SGD}), None),
])
def test_the_callers_kernel_or_optimizer_is_kept(params, expected, digits):
    X, _ = digits
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, max_epochs=1, random_state=0,
                          **params).fit(X)
    assert _fused(ae) is expected
    if "weight_decay" in params.get("optimizer_params", {}):
        assert ae.net_.optimizer_.defaults["weight_decay"] == 1e-4


def test_checkpoint_on_the_training_loss(tmp_path, digits):
    from skorch.callbacks import Checkpoint

    X, _ = digits
    cp = Checkpoint(monitor="train_loss_best", dirname=str(tmp_path), f_optimizer=None,
                    f_criterion=None, f_history=None)
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, max_epochs=3, random_state=0,
                          callbacks=[cp]).fit(X)
    assert (tmp_path / "params.pt").exists()
    assert any(ae.history_[:, "event_cp"])


def test_callbacks_disable_still_trains(rgb_images):
    ae = AE1Encoder(callbacks="disable", **FAST).fit(rgb_images[0])
    assert ae.transform(rgb_images[0]).shape == (40, 512)


def test_divergence_is_reported_not_passed_on(digits):
    X, _ = digits
    with pytest.raises(FloatingPointError, match="Training diverged.*Lower the learning rate"):
        DenseAutoEncoder(hidden_units=(32,), latent_dim=4, lr=1e12, optimizer=torch.optim.SGD,
                         max_epochs=5, random_state=0).fit(X)


def test_net_params_reach_skorch(digits):
    from skorch.dataset import ValidSplit

    X, _ = digits
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, **FAST,
                          net_params={"train_split": ValidSplit(5)}).fit(X)
    assert "valid_loss" in ae.history_[-1]


def test_pickle_round_trip_is_bit_identical(rgb_images):
    X, _ = rgb_images
    ae = small_ae2().fit(X)
    again = pickle.loads(pickle.dumps(ae))
    assert np.array_equal(ae.transform(X), again.transform(X))


def test_input_array_is_never_modified(rgb_images):
    X, _ = rgb_images
    Xf = (X.astype(np.float32) / 255).transpose(0, 3, 1, 2)  # channels first
    for data in (X, Xf):
        before = data.copy()
        ae = AE1Encoder(**FAST).fit(data)
        ae.transform(data)
        ae.score(data)
        assert np.array_equal(data, before)


def test_memmap_input_streams(tmp_path, rgb_images):
    X, _ = rgb_images
    path = tmp_path / "x.npy"
    np.save(path, X)
    mm = np.load(path, mmap_mode="r")
    ae = AE1Encoder(**FAST).fit(mm)
    assert np.array_equal(ae.transform(mm), AE1Encoder(**FAST).fit(X).transform(X))
