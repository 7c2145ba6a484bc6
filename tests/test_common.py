"""scikit-learn's estimator checks over every public estimator.

The checks feed small tabular arrays of 1 to 10 features. The convolutional
autoencoders read such rows as grey images one pixel high
(``image_shape=(1, -1)``), padded to the sizes their architecture needs
(``pad_images=True``), so every check exercises them. ``TSNETransformer``
returns the stored training coordinates for rows equal to training samples,
which makes it consistent under the subset and sample-order checks.
``HOGFeatures`` reads the rows as strips too, with one-pixel cells, and so
does ``ContrastiveEncoder`` (pooled along the strip only). ``DEC`` and
``IDEC`` fine-tune a tiny ``DenseAutoEncoder`` for a few batches; they pass
the clusterer checks too (including ``check_clustering`` on blobs), and so
does ``SCAN`` with 3 neighbours and small heads.

No check is expected to fail: ``EXPECTED_FAILED_CHECKS`` is empty for every
estimator. Keep it that way, or give each entry its reason.
"""

import warnings

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_aecluster import (
    DEC,
    IDEC,
    SCAN,
    AE1Encoder,
    AE2Encoder,
    ContrastiveEncoder,
    ConvAutoEncoder,
    DenseAutoEncoder,
    HOGFeatures,
    TSNETransformer,
)

TINY = dict(max_epochs=2, batch_size=32, random_state=0)
STRIPS = dict(image_shape=(1, -1), pad_images=True)

ESTIMATORS = [
    DenseAutoEncoder(hidden_units=(8,), latent_dim=3, **TINY),
    ConvAutoEncoder(hidden_channels=(2,), latent_channels=2, **STRIPS, **TINY),
    AE1Encoder(latent_channels=2, **STRIPS, **TINY),
    AE2Encoder(latent_channels=2, **STRIPS, **TINY),
    TSNETransformer(n_iter=10, early_exaggeration_iter=5, random_state=0),
    HOGFeatures(cell_size=1, block_size=1, image_shape=(1, -1)),
    ContrastiveEncoder(width=2, depth=2, projection_dim=4, image_shape=(1, -1), **TINY),
    DEC(3, encoder=DenseAutoEncoder(hidden_units=(8,), latent_dim=3, **TINY),
        update_interval=2, max_iter=6, batch_size=32, random_state=0),
    IDEC(3, encoder=DenseAutoEncoder(hidden_units=(8,), latent_dim=3, **TINY),
         update_interval=2, max_iter=6, batch_size=32, random_state=0),
    SCAN(3, n_neighbors=3, n_heads=2, hidden_size=8, max_epochs=20, batch_size=16,
         random_state=0),
]

# check name -> reason, per estimator class. Empty: every check passes.
EXPECTED_FAILED_CHECKS = {type(est).__name__: {} for est in ESTIMATORS}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS[type(estimator).__name__]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        # tiny check data: t-SNE lowers its perplexity with a warning
        warnings.filterwarnings("ignore", message="perplexity=", category=UserWarning)
        check(estimator)


def test_tsne_new_points_share_the_frame_of_the_training_embedding():
    """Regression: openTSNE re-centres its embedding in place on ``transform``.

    New points used to come back shifted by the centre of the training
    embedding, away from the clusters a following KMeans had learnt, and the
    first call changed the fitted estimator.
    """
    X = np.random.RandomState(0).rand(60, 5)
    tsne = TSNETransformer(n_iter=30, early_exaggeration_iter=10, perplexity=5,
                           random_state=0).fit(X)
    before = np.asarray(tsne.tsne_embedding_).copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        near = tsne.transform(X[:20] + 1e-3)
        again = tsne.transform(X[:20] + 1e-3)
    assert np.array_equal(near, again)
    assert np.array_equal(np.asarray(tsne.tsne_embedding_), before)
    spread = tsne.embedding_.std()
    # points next to training points land next to their stored coordinates
    assert np.median(np.linalg.norm(near - tsne.embedding_[:20], axis=1)) < 0.1 * spread


def test_tsne_recognises_training_rows_in_any_order():
    X = np.random.RandomState(1).rand(40, 4)
    tsne = TSNETransformer(n_iter=10, early_exaggeration_iter=5, perplexity=5,
                           random_state=0).fit(X)
    order = np.random.RandomState(2).permutation(40)[:25]
    assert np.array_equal(tsne.transform(X[order]), tsne.embedding_[order])
    mixed = np.vstack([X[:3], X[:3] + 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = tsne.transform(mixed)
    assert np.array_equal(out[:3], tsne.embedding_[:3])
    assert np.isfinite(out).all() and not np.array_equal(out[3:], tsne.embedding_[:3])


@pytest.mark.parametrize(
    "image_shape, d, expected",
    [((1, -1), 7, (1, 7)), ((-1, 4), 16, (4, 4)), ((2, -1, 3), 24, (2, 4, 3))],
)
def test_image_shape_may_infer_one_axis(image_shape, d, expected):
    X = np.random.RandomState(0).rand(6, d).astype(np.float32)
    ae = AE1Encoder(image_shape=image_shape, pad_images=True, **TINY).fit(X)
    assert ae.input_format_.reshape_to == expected
    assert ae.inverse_transform(ae.transform(X)).shape == X.shape


def test_image_shape_that_cannot_fit_is_refused():
    X = np.zeros((4, 16), dtype=np.float32)
    with pytest.raises(ValueError, match=r"image_shape=\(-1, 3\) does not match samples of 16"):
        AE1Encoder(image_shape=(-1, 3), **TINY).fit(X)
    with pytest.raises(ValueError, match="does not match"):
        AE1Encoder(image_shape=(-1, -1), **TINY).fit(X)
