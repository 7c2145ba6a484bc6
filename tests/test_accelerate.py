"""Data-parallel training through Hugging Face Accelerate (the ``accelerator`` parameter).

The tests that need Accelerate skip without it (``pip install
"sk_aecluster[accelerate]"``; the ``dev`` extra has it). The two-process test
launches ``torchrun`` (``python -m torch.distributed.run``) on the CPU with
the gloo backend: ``accelerate launch --cpu`` starts a single process (see
docs/user_guide/distributed.rst).
"""

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sk_aecluster import (
    DEC,
    IDEC,
    ContrastiveEncoder,
    DenseAutoEncoder,
    load_model,
    save_model,
)
from sk_aecluster._training.data import ArrayDataset, BatchLoader
from sk_aecluster._training.estimator import BaseNetEstimator
from sk_aecluster._training.input import flat_format
from sk_aecluster._training.sharding import ShardedBatchLoader

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(hidden_units=(16,), latent_dim=3, max_epochs=3, batch_size=32, random_state=0)


def _env():
    """The environment of a child Python that imports this checkout of the library."""
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return dict(os.environ, PYTHONPATH=path)


def _accelerator():
    """A one-process CPU accelerator (skips without Accelerate)."""
    accelerate = pytest.importorskip("accelerate")
    return accelerate.Accelerator(cpu=True)


# -- bad input ----------------------------------------------------------------
def test_accelerator_without_accelerate_installed(monkeypatch, digits):
    monkeypatch.setitem(sys.modules, "accelerate", None)  # import accelerate fails
    ae = DenseAutoEncoder(**TINY, accelerator=object())
    with pytest.raises(ImportError, match=r"DenseAutoEncoder: accelerator=.* needs Hugging "
                                          r"Face Accelerate, which is not installed; install "
                                          r"it with pip install 'sk_aecluster\[accelerate\]'"):
        ae.fit(digits[0])


@pytest.mark.parametrize("make", [
    lambda **kw: DenseAutoEncoder(max_epochs=1, **kw),
    lambda **kw: ContrastiveEncoder(max_epochs=1, **kw),
    lambda **kw: DEC(2, encoder=DenseAutoEncoder(**TINY), **kw),
    lambda **kw: IDEC(2, encoder=DenseAutoEncoder(**TINY), **kw),
], ids=["DenseAutoEncoder", "ContrastiveEncoder", "DEC", "IDEC"])
def test_accelerator_of_the_wrong_type(make, monkeypatch):
    pytest.importorskip("accelerate")
    X = np.zeros((8, 8, 8), dtype=np.uint8)
    est = make(accelerator="cuda")
    # refused before any training (DEC's and IDEC's encoder is not pre-trained)
    monkeypatch.setattr(BaseNetEstimator, "_train_fresh_net", None)
    with pytest.raises(TypeError, match=f"^{type(est).__name__}: accelerator must be an "
                                        "accelerate.Accelerator or None; got builtins.str"):
        est.fit(X)


def test_accelerator_refuses_lbfgs(digits):
    ae = DenseAutoEncoder(**dict(TINY, max_epochs=1), optimizer=torch.optim.LBFGS,
                          accelerator=_accelerator())
    with pytest.raises(ValueError, match="DenseAutoEncoder: optimizer=LBFGS cannot train with "
                                         "an accelerator"):
        ae.fit(digits[0])


# -- the default path ----------------------------------------------------------
def test_default_fit_does_not_import_accelerate():
    code = (
        "import sys, numpy as np\n"
        "from sk_aecluster import DEC, DenseAutoEncoder\n"
        "ae = DenseAutoEncoder(hidden_units=(4,), latent_dim=2, max_epochs=1, random_state=0)\n"
        "ae.fit(np.random.rand(20, 6)).transform(np.random.rand(3, 6))\n"
        "DEC(2, encoder=ae, update_interval=2, max_iter=2, random_state=0)"
        ".fit(np.random.rand(20, 6)).predict(np.random.rand(3, 6))\n"
        "print(sorted(m for m in ('accelerate', 'skorch.hf') if m in sys.modules))\n"
    )
    env = _env()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


# -- the batches each process gets ----------------------------------------------
def _dataset(n):
    X = np.zeros((n, 2), np.float32)
    return ArrayDataset(X, flat_format(X, name="test"))


def _index_batches(loader):
    return [np.sort(np.asarray(b)).tolist() for b in loader._index_batches()]


@pytest.mark.parametrize("n", [256, 250, 40])
def test_shards_split_the_same_shuffled_batches(n):
    dataset = _dataset(n)

    def shard(k):
        gen = torch.Generator().manual_seed(7)
        return ShardedBatchLoader(dataset, 32, shuffle=True, generator=gen,
                                  num_shards=2, shard=k)

    first, second = _index_batches(shard(0)), _index_batches(shard(1))
    unsharded = _index_batches(BatchLoader(dataset, 32, shuffle=True,
                                           generator=torch.Generator().manual_seed(7)))
    assert len(first) == len(second) == -(-len(unsharded) // 2)  # the same number of steps
    assert first == unsharded[0::2]
    assert second == (unsharded[1::2] + unsharded[:1])[: len(first)]  # wraps round if odd
    seen = sorted(i for b in first + second for i in b)
    assert set(seen) == set(range(n))


def test_one_shard_draws_the_batches_of_batch_loader():
    dataset = _dataset(100)
    torch.manual_seed(3)
    plain = [b[0].clone() for b in BatchLoader(dataset, 16, shuffle=True)]
    torch.manual_seed(3)
    loader = ShardedBatchLoader(dataset, 16, shuffle=True, to_device="cpu")
    one = [b[0].clone() for b in loader]
    assert len(plain) == len(one)
    assert all(torch.equal(a, b) for a, b in zip(plain, one, strict=True))


# -- one process -----------------------------------------------------------------
def _same_fit(plain, accelerated, X):
    np.testing.assert_array_equal(accelerated.transform(X), plain.transform(X))
    assert accelerated.history_[:, "train_loss"] == plain.history_[:, "train_loss"]
    # the fitted net is the plain one, free of Accelerate
    assert type(accelerated.net_) is type(plain.net_)
    assert not hasattr(accelerated.net_.module_, "_is_accelerate_prepared")
    assert not hasattr(accelerated.net_, "accelerator")
    acc = accelerated.accelerator
    assert acc._models == [] and acc._optimizers == []


def test_one_process_accelerator_trains_bit_identically(digits):
    X = digits[0]
    acc = _accelerator()
    for extra in ({}, {"augment_shift": 1.0}):
        plain = DenseAutoEncoder(**TINY, **extra).fit(X)
        accelerated = DenseAutoEncoder(**TINY, **extra, accelerator=acc).fit(X)
        _same_fit(plain, accelerated, X)
    assert accelerated.get_params()["accelerator"] is acc
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(accelerated)).transform(X),
                                  accelerated.transform(X))
    np.testing.assert_array_equal(clone(accelerated).fit(X).transform(X),
                                  accelerated.transform(X))


def test_one_process_accelerator_contrastive_encoder(rgb_images):
    X = rgb_images[0]
    params = dict(width=4, depth=2, projection_dim=8, max_epochs=2, batch_size=16,
                  random_state=0)
    plain = ContrastiveEncoder(**params).fit(X)
    accelerated = ContrastiveEncoder(**params, accelerator=_accelerator()).fit(X)
    _same_fit(plain, accelerated, X)


DEC_FAST = dict(update_interval=3, max_iter=12, batch_size=32, random_state=0)


@pytest.mark.parametrize("Estimator", [DEC, IDEC])
def test_one_process_accelerator_deep_clusterers(Estimator, digits):
    X = digits[0]
    encoder = DenseAutoEncoder(**TINY).fit(X)
    plain = Estimator(6, encoder=encoder, **DEC_FAST).fit(X)
    accelerated = Estimator(6, encoder=encoder, **DEC_FAST, accelerator=_accelerator()).fit(X)
    np.testing.assert_array_equal(accelerated.labels_, plain.labels_)
    np.testing.assert_array_equal(accelerated.cluster_centers_, plain.cluster_centers_)
    np.testing.assert_array_equal(accelerated.predict_proba(X), plain.predict_proba(X))
    assert accelerated.history_[:, "delta_label"] == plain.history_[:, "delta_label"]
    assert accelerated.n_iter_ == plain.n_iter_ == 12
    assert type(accelerated.net_) is type(plain.net_)
    assert not hasattr(accelerated.net_.module_, "_is_accelerate_prepared")
    # DEC's decoder was frozen while fine-tuning only
    assert all(p.requires_grad for p in accelerated.net_.module_.parameters())


def test_saved_model_forgets_the_accelerator(digits, tmp_path):
    X = digits[0]
    ae = DenseAutoEncoder(**TINY, accelerator=_accelerator()).fit(X)
    save_model(ae, tmp_path / "ae.safetensors")
    loaded = load_model(tmp_path / "ae.safetensors")
    assert loaded.accelerator is None
    np.testing.assert_array_equal(loaded.transform(X), ae.transform(X))


# -- two processes -----------------------------------------------------------------
SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    import numpy as np
    import torch
    from accelerate import Accelerator

    from sk_aecluster import DenseAutoEncoder, save_model

    out = Path(sys.argv[1])
    accelerator = Accelerator(cpu=True)
    rng = np.random.RandomState(0)
    X = (rng.rand(256, 8) @ rng.rand(8, 32)).astype(np.float32)
    ae = DenseAutoEncoder(hidden_units=(32,), latent_dim=4, max_epochs=6, batch_size=32,
                          lr=3e-3, random_state=0, accelerator=accelerator).fit(X)
    weights = torch.cat([p.detach().flatten() for p in ae.net_.module_.parameters()])
    everyone = accelerator.gather(weights[None])
    info = {
        "rank": accelerator.process_index,
        "processes": accelerator.num_processes,
        "backend": str(accelerator.state.backend),
        "loss": list(ae.history_[:, "train_loss"]),
        "batches": list(ae.history_[:, "train_batch_count"]),
        "same_weights": bool(all(torch.equal(w, everyone[0]) for w in everyone)),
        "net": type(ae.net_).__name__,
    }
    ae.net_.partial_fit(ae._dataset(X), None, epochs=1)  # a plain net: trains on alone
    if accelerator.is_main_process:
        save_model(ae, out / "model.safetensors")
        np.save(out / "codes.npy", ae.transform(X))
        np.save(out / "X.npy", X)
    accelerator.wait_for_everyone()
    (out / f"rank{accelerator.process_index}.json").write_text(json.dumps(info))
    """
)


def _torchrun(script_text, tmp_path):
    """Run ``script_text`` in two CPU processes (torchrun, gloo) with ``tmp_path`` as argument."""
    pytest.importorskip("accelerate")
    if not torch.distributed.is_available():
        pytest.skip("torch was built without torch.distributed")
    script = tmp_path / "fit.py"
    script.write_text(script_text)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           "--nproc_per_node", "2", str(script), str(tmp_path)]
    run = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def test_two_processes_train_one_network(tmp_path):
    _torchrun(SCRIPT, tmp_path)
    ranks = [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in (0, 1)]
    for k, info in enumerate(ranks):
        assert info["rank"] == k and info["processes"] == 2 and info["backend"] == "gloo"
        assert info["same_weights"] and info["net"] == "AutoEncoderNet"
        assert info["batches"] == [4] * 6  # 8 batches of 32 a epoch, half each
        assert info["loss"][-1] < 0.7 * info["loss"][0]
    # the processes saw different batches
    assert ranks[0]["loss"] != ranks[1]["loss"]

    # the main process's file, in this plain process
    ae = load_model(tmp_path / "model.safetensors")
    assert type(ae.net_).__name__ == "AutoEncoderNet" and ae.accelerator is None
    X = np.load(tmp_path / "X.npy")
    np.testing.assert_array_equal(ae.transform(X), np.load(tmp_path / "codes.npy"))


DEC_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    import numpy as np
    import torch
    from accelerate import Accelerator

    from sk_aecluster import DEC, IDEC, DenseAutoEncoder, save_model

    out = Path(sys.argv[1])
    accelerator = Accelerator(cpu=True)
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.normal(c, 0.3, (64, 16)) for c in (-1, 0, 1)]).astype(np.float32)
    ae = DenseAutoEncoder(hidden_units=(16,), latent_dim=3, max_epochs=3, batch_size=32,
                          random_state=0)
    info = {"rank": accelerator.process_index, "processes": accelerator.num_processes}
    for Estimator in (DEC, IDEC):
        name = Estimator.__name__
        est = Estimator(3, encoder=ae, update_interval=3, max_iter=9, tol=0.0, batch_size=32,
                        random_state=0, accelerator=accelerator).fit(X)
        weights = torch.cat([p.detach().flatten() for p in est.net_.module_.parameters()])
        everyone = accelerator.gather(weights[None])
        info[name] = {
            "same_weights": bool(all(torch.equal(w, everyone[0]) for w in everyone)),
            "n_iter": est.n_iter_,
            "batches": list(est.history_[:, "train_batch_count"]),
            "loss": list(est.history_[:, "train_loss"]),
            "labels": est.labels_.tolist(),
            "centers": est.cluster_centers_.tolist(),
            "net": type(est.net_).__name__,
            "trainable": all(p.requires_grad for p in est.net_.module_.parameters()),
        }
        if accelerator.is_main_process:
            save_model(est, out / f"{name}.safetensors")
    if accelerator.is_main_process:
        np.save(out / "X.npy", X)
    accelerator.wait_for_everyone()
    (out / f"rank{accelerator.process_index}.json").write_text(json.dumps(info))
    """
)


def test_two_processes_fine_tune_dec_and_idec(tmp_path):
    _torchrun(DEC_SCRIPT, tmp_path)
    ranks = [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in (0, 1)]
    X = np.load(tmp_path / "X.npy")
    for name in ("DEC", "IDEC"):
        first, second = (info[name] for info in ranks)
        for k, info in enumerate(ranks):
            assert info["rank"] == k and info["processes"] == 2
            assert info[name]["same_weights"] and info[name]["net"] == "DECNet"
            assert info[name]["trainable"]
            # 9 steps per process, a target update every 3
            assert info[name]["n_iter"] == 9 and info[name]["batches"] == [3, 3, 3]
        # one network: the same centres and labels everywhere, from different batches
        assert first["centers"] == second["centers"] and first["labels"] == second["labels"]
        assert first["loss"] != second["loss"]
        # the main process's file, in this plain process
        est = load_model(tmp_path / f"{name}.safetensors")
        assert type(est).__name__ == name and est.accelerator is None
        np.testing.assert_array_equal(est.cluster_centers_,
                                      np.asarray(first["centers"], dtype=np.float32))
        np.testing.assert_array_equal(est.predict(X), first["labels"])
