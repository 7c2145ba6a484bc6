"""Save and load fitted models without pickle.

:func:`save_model` writes one ``.safetensors`` file: every array (network
weights, cluster centres, the t-SNE training data, ...) is a tensor of the
file, and a plain-JSON description of the model (class names from a fixed
list, hyper-parameters, the small fitted attributes) sits in the file's header
metadata. :func:`load_model` reads it back without unpickling anything and
without importing any class that is not on that list, so a model file from
an untrusted source cannot run code. A file that does not describe a model
exactly as :func:`save_model` writes it is refused with a ``ValueError``.

Supported models:

* the autoencoders :class:`~sk_aecluster.AE1Encoder`,
  :class:`~sk_aecluster.AE2Encoder`, :class:`~sk_aecluster.ConvAutoEncoder`
  and :class:`~sk_aecluster.DenseAutoEncoder`, and the contrastive encoder
  :class:`~sk_aecluster.ContrastiveEncoder`;
* the deep clusterers :class:`~sk_aecluster.DEC` and :class:`~sk_aecluster.IDEC`
  (their ``encoder`` and ``init`` parameters must be supported models or
  ``None``; a ``memory`` must be ``None`` or a path), and
  :class:`~sk_aecluster.SCAN`;
* :class:`~sk_aecluster.TSNETransformer` and :class:`~sk_aecluster.HOGFeatures`;
* ``umap.UMAP`` (umap-learn 0.5; see ``_umap`` for what is stored and
  what is rebuilt at load);
* :class:`sklearn.pipeline.Pipeline` of supported steps;
* the scikit-learn estimators listed in :data:`SKLEARN_ESTIMATORS` (scalers,
  PCA variants, k-means, Gaussian mixtures, ...).

What is not stored:

* skorch ``callbacks`` of an autoencoder or a contrastive encoder (arbitrary objects): the loaded
  estimator has ``callbacks=None`` (``"disable"`` is kept), and its training
  history (``history_``) is empty. ``n_epochs_`` and ``fit_time_`` are kept.
* an ``accelerator`` (tied to the processes that trained): the loaded
  estimator has ``accelerator=None``.
* The ``optimizer`` is stored by name and must be one of the classes in
  :data:`TORCH_OPTIMIZERS`; other values of any hyper-parameter that are not
  plain data (numbers, strings, lists, tuples, dicts, ``None``, NumPy arrays
  and ``RandomState`` objects) make :func:`save_model` raise a ``TypeError``.

Layout of the package
---------------------

* ``_format``: the container (one safetensors file, the JSON description in
  its metadata, atomic writes) and the public :func:`save_model` /
  :func:`load_model`;
* ``_encoder`` / ``_decoder``: the writer and the reader of plain values
  (numbers, strings, arrays, containers, ``RandomState``) and the helpers the
  library's estimators share (hyper-parameters, output configuration, input
  format, feature names, devices); the reader refuses anything unexpected;
* ``_kind``: what a kind of model is (:class:`~._kind.Kind`);
* ``_registry``: :data:`~._registry.KINDS`, every kind a file can hold;
* ``_network``: what the kinds of trained networks share (weights checked
  on the ``meta`` device, input format, ``n_epochs_``, ``fit_time_``);
* one module per kind: ``_sklearn`` (the :data:`SKLEARN_ESTIMATORS` table),
  ``_pipeline``, ``_autoencoders``, ``_contrastive``, ``_deep_cluster``,
  ``_scan``, ``_hog``, ``_tsne``.

How to add a model kind
-----------------------

1. Write ``sk_aecluster/persistence/_mykind.py`` with two functions and a
   :class:`~._kind.Kind`::

       from ._kind import Kind

       def _classes():  # imported lazily: persistence loads first
           from ..mymodule import MyEstimator
           return {"sk_aecluster.MyEstimator": MyEstimator}

       def encode(enc, est, name, where):
           node = enc.own_node("mykind", name, est, where)  # parameters
           if hasattr(est, "thing_"):                       # fitted state
               node["fitted"] = {"thing": enc.array(est.thing_),
                                 "n_features_in": int(est.n_features_in_)}
           return node

       def decode(dec, node, where):
           cls = _classes().get(node.get("class"))
           if cls is None:
               dec.fail(where, "bad class")
           est, fitted = dec.construct(cls, node, where)  # validated params
           if fitted is None:
               return est
           thing = dec.array(fitted.get("thing"), where)
           if thing.ndim != 2 ...:                          # check EVERYTHING
               dec.fail(where, "bad thing")
           est.thing_ = thing
           return est

       KIND = Kind("mykind", _classes, encode, decode)

2. Add ``_mykind.KIND`` to ``KINDS`` in ``_registry.py``. That is all:
   :func:`save_model` finds the kind by the model's exact class, and
   :func:`load_model` by the entry's ``"$t"`` tag.
3. Rules for ``decode``: never import anything named by the file (only the
   classes of ``_classes()``), check every value's type, shape, dtype and
   range before using it, and refuse with ``dec.fail(where, what)`` (a
   ``ValueError``). Every tensor of the file must be read exactly once
   (``dec.array`` marks it used; unused or reused tensors refuse the file).
   Nested models (a pipeline's steps, a wrapped estimator) go through
   ``enc.model`` / ``dec.model``; network weights can be checked on the
   ``meta`` device first: a network estimator of the library is one call
   of ``_network.network_kind`` (see ``_autoencoders`` and ``_contrastive``).
4. Add the class to the list above, a round-trip test and tampered-file tests
   to ``tests/test_persistence.py``, and a line to the user guide's
   persistence page.
"""

from ._format import load_model, save_model
from ._optimizers import TORCH_OPTIMIZERS as _TORCH_OPTIMIZERS
from ._sklearn import SKLEARN_ESTIMATORS as _SKLEARN_ESTIMATORS

__all__ = ["SKLEARN_ESTIMATORS", "TORCH_OPTIMIZERS", "load_model", "save_model"]

#: scikit-learn estimators whose fitted state is stored attribute by attribute.
SKLEARN_ESTIMATORS = _SKLEARN_ESTIMATORS

#: ``torch.optim`` classes an autoencoder's ``optimizer`` may be, by name.
TORCH_OPTIMIZERS = _TORCH_OPTIMIZERS
