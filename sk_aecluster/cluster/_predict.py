"""``predict`` of the clusterers that give probabilities: the most probable cluster."""

import numpy as np


class MostProbableClusterMixin:
    """``predict`` as the ``argmax`` of ``predict_proba`` (DEC, IDEC and SCAN)."""

    def predict(self, X):
        """The cluster of each sample: ``argmax`` of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples in the format seen in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Equal to ``labels_`` on the training samples.
        """
        return self.predict_proba(X).argmax(1).astype(np.intp)
