import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sk_aecluster import TransductiveSplit, clustering_accuracy_score, clustering_accuracy_scorer


@pytest.mark.parametrize(
    "y_true, y_pred, expected",
    [
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),
        ([0, 0, 1, 1], [0, 1, 0, 1], 0.5),
        (["cat", "cat", "dog", "dog", "dog"], [5, 5, 7, 7, 5], 0.8),
        ([0, 0, 0, 1, 1, 1], [0, 1, 2, 3, 3, 3], 4 / 6),  # more clusters than classes
        ([0, 1, 2, 2], [0, 0, 0, 0], 0.5),  # fewer clusters than classes
    ],
)
def test_clustering_accuracy_values(y_true, y_pred, expected):
    assert clustering_accuracy_score(y_true, y_pred) == pytest.approx(expected)


def test_two_clusters_equal_the_study_metric():
    rng = np.random.RandomState(0)
    for _ in range(20):
        y = rng.randint(0, 2, 50)
        p = rng.randint(0, 2, 50)
        acc = (y == p).mean()
        assert clustering_accuracy_score(y, p) == pytest.approx(max(acc, 1 - acc))


def test_accuracy_errors():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clustering_accuracy_score([0, 1], [0])
    with pytest.raises(ValueError, match="at least one sample"):
        clustering_accuracy_score([], [])


def test_transductive_split_and_scorer():
    from sklearn.cluster import KMeans

    X = np.r_[np.zeros((10, 2)), np.ones((10, 2)) * 5] + np.random.RandomState(0).rand(20, 2)
    y = np.repeat(["a", "b"], 10)
    cv = TransductiveSplit()
    (train, test), = list(cv.split(X))
    assert np.array_equal(train, np.arange(20)) and np.array_equal(test, np.arange(20))
    assert cv.get_n_splits() == 1
    grid = GridSearchCV(KMeans(n_init=3, random_state=0), {"n_clusters": [2, 3]},
                        scoring=clustering_accuracy_scorer, cv=cv).fit(X, y)
    assert grid.best_params_ == {"n_clusters": 2}
    assert grid.best_score_ == 1.0
    assert repr(cv) == "TransductiveSplit()"
