"""Training machinery shared by every estimator the library trains through skorch.

Private: the autoencoders (:mod:`sk_aecluster.autoencoder`), the contrastive
encoder and the deep clusterers build on these modules, none of them on
another's private modules.

- :mod:`.input`: input checking, image layouts and scaling (``InputFormat``).
- :mod:`.data`: the array dataset, the batch loader, batch-wise encoding.
- :mod:`.net`: ``LeanNet``, the lean skorch net, and ``StopOnDivergence``.
- :mod:`.seeding`: devices and seeds.
- :mod:`.estimator`: ``BaseNetEstimator``, the scikit-learn side.
"""
