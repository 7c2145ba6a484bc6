import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sk_aecluster import TSNETransformer

FAST = dict(n_iter=100, early_exaggeration_iter=50, random_state=0)


def test_fit_transform_returns_the_training_embedding(digits):
    X, _ = digits
    tsne = TSNETransformer(**FAST)
    emb = tsne.fit_transform(X)
    assert emb.shape == (300, 2)
    assert np.array_equal(emb, tsne.embedding_)
    assert np.array_equal(tsne.transform(X), emb)  # the training data are recognised
    assert list(tsne.get_feature_names_out()) == ["tsnetransformer0", "tsnetransformer1"]


def test_new_points_are_placed_near_their_neighbours(digits):
    X, y = digits
    tsne = TSNETransformer(**FAST).fit(X[:250])
    new = tsne.transform(X[250:])
    assert new.shape == (50, 2) and np.isfinite(new).all()
    # each new point lands closest to training points of its own digit mostly
    d = ((new[:, None, :] - tsne.embedding_[None, :, :]) ** 2).sum(-1)
    nearest = y[:250][d.argmin(1)]
    assert (nearest == y[250:]).mean() > 0.8


def test_same_seed_same_embedding(digits):
    X, _ = digits
    a = TSNETransformer(**FAST).fit_transform(X)
    b = TSNETransformer(**FAST).fit_transform(X)
    assert np.array_equal(a, b)


def test_three_components_and_small_data_perplexity(digits):
    X, _ = digits
    emb = TSNETransformer(n_components=3, **FAST).fit_transform(X[:100])
    assert emb.shape == (100, 3)
    with pytest.warns(UserWarning, match="perplexity=30.0 is too large for 10 samples"):
        small = TSNETransformer(**FAST).fit(X[:10])
    assert small.perplexity_ == pytest.approx(3.0)


def test_errors_and_pickle(digits):
    X, _ = digits
    with pytest.raises(NotFittedError):
        TSNETransformer().transform(X)
    with pytest.raises(ValueError, match="NaN"):
        TSNETransformer(**FAST).fit(np.full((20, 3), np.nan))
    tsne = TSNETransformer(**FAST).fit(X[:100])
    with pytest.raises(ValueError, match="features"):
        tsne.transform(X[:5, :10])
    again = pickle.loads(pickle.dumps(tsne))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.allclose(again.transform(X[100:110]), tsne.transform(X[100:110]))
