"""The transductive protocol of the study as a cross-validation splitter."""

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils.validation import _num_samples


class TransductiveSplit(BaseCrossValidator):
    """One split that trains and scores on all samples.

    The study clusters every image and scores the clusters against the
    labels of the same images. Passing ``cv=TransductiveSplit()`` to
    :class:`~sklearn.model_selection.GridSearchCV` reproduces that protocol:
    the pipeline is fitted on all of ``X`` (labels unused by the
    autoencoder) and ``predict(X)`` is scored against ``y``. Use an ordinary
    splitter such as :class:`~sklearn.model_selection.KFold` to score on
    held-out images instead (inductive use).

    Examples
    --------
    >>> import numpy as np
    >>> from sk_aecluster import TransductiveSplit
    >>> [(train.tolist(), test.tolist()) for train, test
    ...  in TransductiveSplit().split(np.zeros((3, 2)))]
    [([0, 1, 2], [0, 1, 2])]
    """

    def split(self, X, y=None, groups=None):
        """Yield the single split: every index for training and for testing.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        y : Ignored
        groups : Ignored

        Yields
        ------
        train, test : ndarray of int
            Both ``arange(n_samples)``.
        """
        n = _num_samples(X)
        yield np.arange(n), np.arange(n)

    def _iter_test_indices(self, X=None, y=None, groups=None):
        yield np.arange(_num_samples(X))

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return 1, the number of splits.

        Parameters
        ----------
        X, y, groups : Ignored

        Returns
        -------
        n_splits : int
        """
        return 1
