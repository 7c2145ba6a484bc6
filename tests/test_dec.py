"""DEC and IDEC: values, stopping, starting points, the encoder left alone, determinism."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.utils._param_validation import InvalidParameterError

from sk_aecluster import DEC, IDEC, ContrastiveEncoder, DenseAutoEncoder
from sk_aecluster._training.data import IndexedDataset, IntervalLoader
from sk_aecluster._training.input import flat_format
from sk_aecluster.cluster import target_distribution
from sk_aecluster.cluster._module import log_soft_assignments

AE = dict(hidden_units=(16,), latent_dim=4, max_epochs=3, batch_size=32, random_state=0)
FAST = dict(update_interval=5, max_iter=20, batch_size=32, random_state=0)


def small(cls=DEC, **kw):
    return cls(4, **{"encoder": DenseAutoEncoder(**AE), **FAST, **kw})


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:120]


@pytest.fixture(scope="module")
def fitted_dec(X):
    return small().fit(X)


def test_soft_assignments_are_students_t_and_rows_sum_to_one(fitted_dec, X):
    q = fitted_dec.predict_proba(X)
    assert q.shape == (len(X), 4) and q.dtype == np.float32
    np.testing.assert_allclose(q.sum(1), 1.0, rtol=1e-5)
    z, mu = fitted_dec.transform(X).astype(np.float64), fitted_dec.cluster_centers_
    kernel = 1.0 / (1.0 + ((z[:, None, :] - mu[None]) ** 2).sum(-1))  # alpha = 1
    np.testing.assert_allclose(q, kernel / kernel.sum(1, keepdims=True), rtol=1e-3, atol=1e-6)


def test_log_soft_assignments_with_other_alpha():
    z, mu = torch.randn(6, 3, dtype=torch.float64), torch.randn(2, 3, dtype=torch.float64)
    alpha = 3.0
    kernel = (1 + torch.cdist(z, mu) ** 2 / alpha) ** (-(alpha + 1) / 2)
    expected = kernel / kernel.sum(1, keepdim=True)
    assert torch.allclose(log_soft_assignments(z, mu, alpha).exp(), expected)


def test_target_distribution_sharpens_and_balances():
    q = np.array([[0.6, 0.4], [0.5, 0.5], [0.9, 0.1]])
    p = target_distribution(q)
    f = q.sum(0)
    w = q**2 / f
    np.testing.assert_allclose(p, w / w.sum(1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-6)
    assert p[2, 0] > q[2, 0]  # confident assignments get more confident


def test_predict_equals_labels_and_transform_is_the_fine_tuned_encoder(fitted_dec, X):
    assert fitted_dec.labels_.dtype == np.intp
    np.testing.assert_array_equal(fitted_dec.predict(X), fitted_dec.labels_)
    np.testing.assert_array_equal(fitted_dec.fit_predict(X), fitted_dec.labels_)
    np.testing.assert_array_equal(fitted_dec.encoder_.transform(X), fitted_dec.transform(X))
    assert fitted_dec.cluster_centers_.shape == (4, 4)
    assert fitted_dec.get_feature_names_out().tolist() == [f"dec{i}" for i in range(4)]


def test_history_has_one_row_per_update_interval(fitted_dec):
    h = fitted_dec.history_
    assert fitted_dec.n_iter_ == 20 and not fitted_dec.converged_
    assert len(h) == 4 and h[:, "train_batch_count"] == [5, 5, 5, 5]
    assert all(0.0 <= d <= 1.0 for d in h[:, "delta_label"])


def test_stops_when_fewer_than_tol_labels_change(X):
    dec = small(tol=1.0, max_iter=50).fit(X)  # any change is < 100%: the first update stops
    assert dec.converged_ and dec.n_iter_ == 5 and len(dec.history_) == 1
    dec = small(tol=0.0, max_iter=12).fit(X)  # never: runs max_iter, last interval shorter
    assert not dec.converged_ and dec.n_iter_ == 12
    assert dec.history_[:, "train_batch_count"] == [5, 5, 2]


def test_max_iter_zero_keeps_the_starting_centres(X):
    ae = DenseAutoEncoder(**AE).fit(X)
    Z = ae.transform(X)
    agg = AgglomerativeClustering(4)
    labels = clone(agg).fit_predict(Z)
    dec = DEC(4, encoder=ae, init=agg, max_iter=0, random_state=0).fit(X)
    means = np.stack([Z[labels == c].mean(0) for c in range(4)])
    np.testing.assert_allclose(dec.cluster_centers_, means, rtol=1e-6)
    assert dec.n_iter_ == 0 and not hasattr(agg, "labels_")  # init cloned
    # by default: KMeans(n_clusters, n_init=20) seeded by random_state
    km = KMeans(4, n_init=20, random_state=0).fit(Z)
    dec = DEC(4, encoder=ae, max_iter=0, random_state=0).fit(X)
    means = np.stack([Z[km.labels_ == c].mean(0) for c in range(4)])
    np.testing.assert_allclose(dec.cluster_centers_, means, rtol=1e-6)


def test_init_with_another_number_of_clusters_is_refused(X):
    with pytest.raises(ValueError, match=r"init \(KMeans\) found 3 clusters, but n_clusters=4"):
        small(init=KMeans(3, n_init=1)).fit(X)
    with pytest.raises(InvalidParameterError, match="init"):
        small(init="kmeans").fit(X)


def test_encoders_that_are_not_the_librarys_are_refused(X):
    from sklearn.decomposition import PCA

    with pytest.raises(TypeError, match="encoder must be one of the library's encoders.*PCA"):
        DEC(4, encoder=PCA(2)).fit(X)


def test_idec_without_a_decoder_is_refused_before_any_training():
    X = np.random.RandomState(0).randint(0, 256, (16, 8, 8, 3), dtype=np.uint8)
    enc = ContrastiveEncoder(width=2, depth=2, projection_dim=4, max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match="IDEC needs an encoder with a decoder.*"
                       "ContrastiveEncoder has none. Use DEC"):
        IDEC(2, encoder=enc).fit(X)
    assert not hasattr(enc, "net_")
    dec = DEC(2, encoder=enc, update_interval=2, max_iter=4, batch_size=8,
              random_state=0).fit(X)  # DEC takes it
    assert dec.transform(X).shape == (16, 4)


def test_the_users_encoder_is_never_changed(X):
    ae = DenseAutoEncoder(**AE)
    small(encoder=ae).fit(X)
    assert not hasattr(ae, "net_")  # unfitted: a clone was trained
    ae.fit(X)
    before = {k: v.clone() for k, v in ae.net_.module_.state_dict().items()}
    dec = small(encoder=ae).fit(X)
    after = ae.net_.module_.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert dec.encoder_ is not ae and not np.array_equal(dec.transform(X), ae.transform(X))


def test_a_fitted_encoder_is_used_as_it_is(X, monkeypatch):
    ae = DenseAutoEncoder(**AE).fit(X)
    calls = []
    monkeypatch.setattr(DenseAutoEncoder, "fit", lambda self, X, y=None: calls.append(1))
    dec = small(encoder=ae, max_iter=0).fit(X)
    assert calls == [] and dec.pretrain_time_ >= 0
    np.testing.assert_array_equal(dec.transform(X), ae.transform(X))


def test_dec_leaves_the_decoder_alone_and_idec_trains_it(X):
    ae = DenseAutoEncoder(**AE).fit(X)
    decoder = {k: v.clone() for k, v in ae.net_.module_.decoder.state_dict().items()}

    def changed(est):
        now = est.encoder_.net_.module_.decoder.state_dict()
        return any(not torch.equal(decoder[k], now[k]) for k in decoder)

    assert not changed(small(encoder=ae).fit(X))
    idec = small(IDEC, encoder=ae).fit(X)
    assert changed(idec)
    assert idec.encoder_.reconstruct(X).shape == X.shape


def test_idec_loss_is_reconstruction_plus_gamma_times_kl(X):
    idec = small(IDEC, gamma=0.5, max_iter=0).fit(X)
    net = idec.net_
    ds = IndexedDataset(X, idec.input_format_)
    net.update_target(ds)
    xb, idx = ds[np.arange(10)]
    log_q, recon = net.module_(xb)
    p = net.target_[idx]
    kl = (p * (p.log() - log_q)).sum(1).mean()
    mse = ((recon - xb) ** 2).mean()
    loss = net.get_loss((log_q, recon), idx, X=xb)
    assert torch.allclose(loss, mse + 0.5 * kl, rtol=1e-5)
    dec_net = small(max_iter=0).fit(X).net_
    dec_net.target_ = net.target_
    assert torch.allclose(dec_net.get_loss((log_q, None), idx), kl)


def test_interval_loader_continues_its_shuffled_passes():
    X = np.arange(10, dtype=np.float32).reshape(10, 1)
    ds = IndexedDataset(X, flat_format(X, name="t"))
    torch.manual_seed(0)
    loader = IntervalLoader(ds, batch_size=4, shuffle=True, n_batches=2, max_batches=7)
    passes = [[idx.tolist() for _, idx in loader] for _ in range(5)]
    assert [len(p) for p in passes] == [2, 2, 2, 1, 0]
    flat = [i for p in passes for b in p for i in b]
    assert sorted(flat[:10]) == list(range(10)) and sorted(flat[10:20]) == list(range(10))
    xb, idx = ds[[7, 2, 5]]
    assert idx.tolist() == [2, 5, 7] and xb[:, 0].tolist() == pytest.approx(
        [2 / 4.5 - 1, 5 / 4.5 - 1, 7 / 4.5 - 1])


def test_same_random_state_same_result_and_global_rng_untouched(X):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = small(IDEC).fit(X)
    assert torch.equal(torch.rand(3), expected)
    b = small(IDEC).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    c = small(IDEC, random_state=1).fit(X)
    assert not np.array_equal(a.cluster_centers_, c.cluster_centers_)


DETERMINISM_SCRIPT = """
import hashlib
import numpy as np
from sklearn.datasets import load_digits
from sk_aecluster import IDEC, DenseAutoEncoder
X = load_digits().data[:100]
ae = DenseAutoEncoder(hidden_units=(16,), latent_dim=4, max_epochs=2, batch_size=32)
idec = IDEC(4, encoder=ae, update_interval=4, max_iter=12, batch_size=32, random_state=7).fit(X)
print(hashlib.sha256(idec.cluster_centers_.tobytes() + idec.transform(X).tobytes()).hexdigest())
"""


def test_bit_identical_across_processes():
    runs = [subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], capture_output=True,
                           text=True, check=True).stdout.strip() for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) == 64


def test_clone_and_pickle(fitted_dec, X):
    params = clone(fitted_dec).get_params()
    assert params["n_clusters"] == 4 and params["update_interval"] == 5
    assert not hasattr(params["encoder"], "net_")
    again = pickle.loads(pickle.dumps(fitted_dec))
    np.testing.assert_array_equal(again.predict_proba(X), fitted_dec.predict_proba(X))
    # the fine-tuned encoder comes back fine-tuned
    np.testing.assert_array_equal(again.encoder_.transform(X), fitted_dec.transform(X))
