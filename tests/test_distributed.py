"""A grid search over an encoder pipeline on a real dask.distributed cluster.

Skipped when dask and distributed are not installed
(``pip install sk_aecluster[distributed]``; the ``dev`` extra has them).
"""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from sk_aecluster import AE1Encoder, clustering_accuracy_scorer

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")


def _search(n_jobs):
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.randint(0, 100, (12, 8, 8, 3)),
                        rng.randint(150, 256, (12, 8, 8, 3))]).astype(np.uint8)
    y = np.repeat([0, 1], 12)
    pipe = Pipeline([
        ("ae", AE1Encoder(latent_channels=2, max_epochs=1, batch_size=8, random_state=0)),
        ("pca", PCA(2, random_state=0)),
        ("km", KMeans(2, n_init=2, random_state=0)),
    ])
    grid = {"ae__latent_channels": [2, 4], "ae__lr": [1e-3, 1e-1]}
    search = GridSearchCV(pipe, grid, scoring=clustering_accuracy_scorer,
                          cv=KFold(2, shuffle=True, random_state=0), n_jobs=n_jobs)
    return search.fit(X, y)


def test_grid_search_on_a_dask_cluster_matches_the_serial_run():
    import joblib

    serial = _search(n_jobs=None)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_backend("dask"):
            remote = _search(n_jobs=-1)
        # the fits ran in the two worker processes
        assert len(client.scheduler_info()["workers"]) == 2
    assert remote.best_params_ == serial.best_params_
    assert remote.best_score_ == serial.best_score_
    for key in ("mean_test_score", "std_test_score", "split0_test_score",
                "split1_test_score", "rank_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], serial.cv_results_[key])
    assert [p for p in remote.cv_results_["params"]] == list(serial.cv_results_["params"])
    X = np.random.RandomState(5).randint(0, 256, (4, 8, 8, 3)).astype(np.uint8)
    np.testing.assert_array_equal(remote.predict(X), serial.predict(X))
