"""The net's lean paths do what skorch and torch's DataLoader would do."""

import inspect
import textwrap

import numpy as np
import pytest
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from torch.utils.data import DataLoader, Subset

from sk_aecluster import AE1Encoder, AE2Encoder, DenseAutoEncoder
from sk_aecluster._training.net import _NET_NO_OP_HOOKS
from sk_aecluster.autoencoder import ArrayDataset, AutoEncoderNet, BatchLoader


@pytest.fixture(scope="module")
def dataset():
    X = np.random.default_rng(0).integers(0, 256, (203, 8, 8, 3), dtype=np.uint8)
    fmt = AE1Encoder(max_epochs=1, random_state=0).fit(X[:20]).input_format_
    return ArrayDataset(X, fmt)


def _batches_and_rng(loader_iter, generator):
    batches = [b[0] for b in loader_iter]
    return batches, torch.get_rng_state(), generator.get_state() if generator else None


@pytest.mark.parametrize("wrap", ["array", "subset_array", "subset_list"])
@pytest.mark.parametrize("shuffle, seeded", [(True, False), (False, False), (True, True)])
def test_batch_loader_matches_dataloaders_own_iterator(dataset, wrap, shuffle, seeded):
    """Same batches, and the same random numbers drawn, as DataLoader's iterator."""
    data = {
        "array": dataset,
        "subset_array": Subset(dataset, np.arange(10, 150)),
        "subset_list": Subset(dataset, list(range(5, 100))),
    }[wrap]
    generator = torch.Generator().manual_seed(3) if seeded else None
    kwargs = dict(batch_size=64, shuffle=shuffle, generator=generator)
    torch.manual_seed(0)
    for _ in range(2):  # two epochs: the random streams must stay in step
        start = torch.get_rng_state(), generator.get_state() if generator else None
        lean = _batches_and_rng(BatchLoader(data, **kwargs), generator)
        torch.set_rng_state(start[0])
        if generator:
            generator.set_state(start[1])
        torch_iter = DataLoader.__iter__(BatchLoader(data, **kwargs))
        reference = _batches_and_rng(torch_iter, generator)
        assert len(lean[0]) == len(reference[0]) == -(-len(data) // 64)
        for a, b in zip(lean[0], reference[0], strict=True):
            assert torch.equal(a, b)
        assert torch.equal(lean[1], reference[1])
        if generator:
            assert torch.equal(lean[2], reference[2])
    if not shuffle:
        assert torch.equal(torch.cat(lean[0]), data[list(range(len(data)))][0])


@pytest.mark.filterwarnings("ignore:'pin_memory' argument:UserWarning")
def test_batch_loader_with_pin_memory_uses_dataloaders_iterator(dataset):
    loader = BatchLoader(dataset, batch_size=64, shuffle=False, pin_memory=True)
    assert not inspect.isgenerator(iter(loader))
    assert [len(b[0]) for b in loader] == [64, 64, 64, 11]
    assert inspect.isgenerator(iter(BatchLoader(dataset, batch_size=64)))


def test_skipped_net_hooks_are_no_ops_in_skorch():
    """The net's own hooks that are not called must be skorch's ``pass``."""
    for name in _NET_NO_OP_HOOKS:
        source = textwrap.dedent(inspect.getsource(getattr(NeuralNet, name)))
        body = [line.strip() for line in source.splitlines()[1:]]
        body = [line for line in body if line and not line.startswith("#")]
        assert body[-1] == "pass", name
        assert all(line.endswith((",", "):", "pass")) for line in body), name


def test_overridden_net_hooks_and_callback_hooks_still_run(digits):
    calls = []

    class Net(AutoEncoderNet):
        def on_batch_end(self, net, **kwargs):
            calls.append("net.on_batch_end")

        def on_grad_computed(self, net, named_parameters, **kwargs):
            calls.append("net.on_grad_computed")

    class Spy(Callback):
        def on_train_end(self, net, **kwargs):
            calls.append("cb.on_train_end")

    X, _ = digits
    module = DenseAutoEncoder(max_epochs=1).fit(X[:8]).net_.module_
    net = Net(module, criterion=torch.nn.MSELoss, optimizer=torch.optim.Adam, max_epochs=1,
              batch_size=100, train_split=None, iterator_train=BatchLoader,
              iterator_train__shuffle=True, callbacks=[Spy()])
    ae = DenseAutoEncoder(max_epochs=1).fit(X)
    net.fit(ArrayDataset(X, ae.input_format_), None)
    assert calls.count("net.on_batch_end") == calls.count("net.on_grad_computed") == 3
    assert calls[-1] == "cb.on_train_end"
    assert net.history[:, "train_batch_count"] == [3]


def test_modules_switched_to_eval_are_trained_again_next_batch(digits):
    """A callback that leaves the network (or part of it) in eval mode does
    not stop the next batch from training in train mode, as in skorch."""

    class EvalAfterEachBatch(Callback):
        def initialize(self):
            self.modes = []
            return self

        def on_grad_computed(self, net, named_parameters, **kwargs):
            self.modes.append(all(m.training for m in net.module_.modules()))

        def on_batch_end(self, net, **kwargs):
            if len(self.modes) % 2:
                net.module_.eval()
            else:
                next(iter(net.module_.children())).eval()

    X, _ = digits
    ae = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, max_epochs=2, batch_size=64,
                          random_state=0, callbacks=[("spy", EvalAfterEachBatch())]).fit(X)
    modes = dict(ae.net_.callbacks_)["spy"].modes
    assert modes == [True] * 10  # 300 samples: 5 batches x 2 epochs


def test_integer_seeds_of_any_integer_type_give_the_same_model(digits):
    X, _ = digits
    kw = dict(hidden_units=(8,), latent_dim=2, max_epochs=2)
    a = DenseAutoEncoder(random_state=3, **kw).fit_transform(X)
    b = DenseAutoEncoder(random_state=np.int64(3), **kw).fit_transform(X)
    c = DenseAutoEncoder(random_state=np.random.RandomState(3), **kw).fit_transform(X)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


# -- encoding into reused buffers -------------------------------------------------

def _formats():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (9, 8, 8, 3), dtype=np.uint8)
    return {
        "uint8 nhwc": (AE1Encoder(), rgb),
        "uint8 nchw": (AE1Encoder(data_format="channels_first"),
                       np.ascontiguousarray(rgb.transpose(0, 3, 1, 2))),
        "float64 nhw": (AE1Encoder(), rng.normal(size=(9, 8, 8))),
        "flat rows": (AE1Encoder(image_shape=(8, 8, 3)), rgb.reshape(9, -1)),
        "padded 28x28": (AE2Encoder(pad_images=True, latent_channels=4),
                         rng.integers(0, 256, (9, 28, 28), dtype=np.uint8)),
        "dense float32": (DenseAutoEncoder(), rng.normal(size=(9, 20)).astype(np.float32)),
        "dense int16": (DenseAutoEncoder(), rng.integers(-300, 300, (9, 20)).astype(np.int16)),
    }


@pytest.mark.parametrize("name", list(_formats()))
def test_conversion_into_a_buffer_equals_a_fresh_conversion(name):
    est, X = _formats()[name]
    fmt = est.set_params(max_epochs=1, random_state=0).fit(X).input_format_
    fresh = fmt.to_tensor(X)
    buffer = fmt.empty_batch(len(X) + 3).fill_(7.0)
    into = fmt.to_tensor(X, out=buffer[: len(X)])
    assert into.data_ptr() == buffer.data_ptr()
    assert fresh.dtype == into.dtype == torch.float32
    assert fresh.shape == into.shape == (len(X), *fmt.network_shape)
    assert torch.equal(fresh, into)
    if fresh.dim() == 4:
        assert fresh.is_contiguous(memory_format=torch.channels_last)
    assert float(fresh.min()) >= -1 - 1e-6 and float(fresh.max()) <= 1 + 1e-6
    if name == "padded 28x28":  # padding is the network's -1, the image inside
        assert torch.all(fresh[:, :, :2] == -1) and torch.all(fresh[:, :, -2:] == -1)
        np.testing.assert_allclose(fresh[:, 0, 2:-2, 2:-2].numpy(), X / 127.5 - 1,
                                   rtol=0, atol=1e-6)


@pytest.mark.parametrize("est", [AE1Encoder, DenseAutoEncoder])
def test_encoding_batch_by_batch_in_one_buffer_matches_one_batch(est):
    X = np.random.default_rng(2).integers(0, 256, (23, 8, 8, 3), dtype=np.uint8)
    ae = est(max_epochs=1, random_state=0).fit(X)
    whole = ae.set_params(batch_size=64).transform(X)
    pieces = ae.set_params(batch_size=5).transform(X)  # 5 batches, the last short
    np.testing.assert_allclose(pieces, whole, rtol=0, atol=1e-6)
    assert ae.score(X) == pytest.approx(ae.set_params(batch_size=64).score(X), abs=1e-6)
    assert not np.shares_memory(ae.transform(X), ae.transform(X))


def test_codes_are_an_ordinary_writable_array():
    import pickle

    X = np.random.default_rng(3).integers(0, 256, (11, 8, 8, 3), dtype=np.uint8)
    Z = AE1Encoder(max_epochs=1, random_state=0).fit(X).transform(X)
    assert isinstance(Z, np.ndarray) and Z.dtype == np.float32 and Z.shape == (11, 128)
    assert Z.flags.c_contiguous and Z.flags.writeable
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(Z)), Z)
    Z[0, 0] = 5.0  # the caller may write to it
    assert Z[0, 0] == 5.0


def test_fitting_on_the_cpu_leaves_accelerator_seeds_alone(monkeypatch, digits):
    """``torch.manual_seed`` would also (lazily) reseed CUDA for the whole process."""
    calls = []
    monkeypatch.setattr(torch.cuda, "manual_seed_all", lambda seed: calls.append(seed))
    X, _ = digits
    a = DenseAutoEncoder(hidden_units=(8,), latent_dim=2, max_epochs=1, random_state=5)
    codes = a.fit_transform(X)
    assert calls == []
    np.testing.assert_array_equal(codes, a.fit_transform(X))  # still seeded
