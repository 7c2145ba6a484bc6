"""umap.UMAP (umap-learn 0.5): what ``transform`` needs to place new points.

Stored
    The hyper-parameters (plain data only: a callable ``metric``,
    ``output_metric`` or ``target_metric`` makes :func:`save_model` raise a
    ``TypeError``), the training data ``_raw_data`` (dense float32; uint8 for
    the bit metrics), the embedding ``embedding_``, the curve parameters
    ``_a`` and ``_b``, the neighbourhood size actually used ``_n_neighbors``
    and ``_small_data`` (whether exact distances were used: fewer than 4096
    samples and ``force_approximation_algorithm=False``).
Rebuilt at load time
    What ``_validate_parameters()`` derives from the hyper-parameters
    (distance functions, metric keywords, disconnection distance, ...),
    ``_initial_alpha`` (``learning_rate``), ``_input_hash``
    (``joblib.hash(_raw_data)``, as ``fit`` sets it: ``transform`` of the
    training data itself returns ``embedding_``) and ``_n_features_out``.
The search index (4096 samples and more)
    ``fit`` then finds neighbours with a pynndescent ``NNDescent`` index, and
    ``transform`` queries it. The file stores the index's k-NN graph
    (``_neighbor_graph``: int32 indices and float32 distances, one row per
    training sample) and its two random states (``rng_state``,
    ``search_rng_state``); :func:`load_model` builds an ``NNDescent`` on the
    training data *from that graph* (``init_graph``, no NN-descent iteration,
    so the result does not depend on ``random_state`` being an integer) and
    marks it as built from trees, as ``fit`` leaves it. The search tree and
    search graph the first query prepares are deterministic functions of the
    graph, the data and ``rng_state``, so new points get the same neighbours
    and the same coordinates as before saving (tested). Storing the prepared
    index instead would tie the file to pynndescent's internal layout (numba
    trees, reordered data); rebuilding it from scratch would rerun NN-descent
    and differ unless ``random_state`` is an integer. This uses a few
    private attributes of ``NNDescent`` (pynndescent 0.5 to 0.7).
Not stored
    What ``transform`` does not read: ``graph_``, ``graph_dists_``,
    ``_sigmas``, ``_rhos``, ``_knn_indices``, ``_knn_dists``, densMAP radii,
    ``embedding_list_``; ``inverse_transform`` and ``update`` are not
    supported after loading. Refused at save time (``TypeError``): sparse
    training data, ``transform_mode="graph"``, ``unique=True`` with a search
    index, a UMAP fitted on one sample.

umap-learn stays optional: it is imported only to load a file that holds a
UMAP (a model being saved can only be a UMAP if ``umap`` is imported already).
"""

import math
import sys
import warnings
from numbers import Integral, Real

import numpy as np

from ._kind import Kind

_NAME = "umap.UMAP"
_BIT_METRICS = ("bit_hamming", "bit_jaccard")
_MISSING = ('This model file holds a umap.UMAP; loading it needs umap-learn: '
            'pip install "sk-aecluster[umap]".')


def _classes():
    # no import here: an object can only be a UMAP if umap is imported already
    module = sys.modules.get("umap.umap_")
    cls = getattr(module, "UMAP", None)
    return {} if cls is None else {_NAME: cls}


def _import_umap():
    try:
        from umap import UMAP
    except ImportError as exc:
        raise ImportError(_MISSING) from exc
    return UMAP


def encode(enc, est, name, where):
    """The entry of a UMAP: parameters and, when fitted, what ``transform`` reads."""
    for key in ("metric", "output_metric", "target_metric"):
        if callable(getattr(est, key, None)):
            raise TypeError(f"{where}: UMAP({key}=<callable>) cannot be saved: a function "
                            "is code, not data; use one of umap's metric names.")
    if est.transform_mode != "embedding":
        raise TypeError(f"{where}: UMAP(transform_mode={est.transform_mode!r}) cannot be "
                        "saved; only transform_mode='embedding' is supported.")
    node = enc.own_node("umap", name, est, where)
    if not hasattr(est, "embedding_"):
        return node
    raw = est._raw_data
    if not isinstance(raw, np.ndarray):
        raise TypeError(f"{where}: a UMAP fitted on sparse data cannot be saved.")
    if raw.shape[0] < 2:
        raise TypeError(f"{where}: a UMAP fitted on one sample cannot transform and is "
                        "not saved.")
    small = bool(getattr(est, "_small_data", True))
    index = None if small else getattr(est, "_knn_search_index", None)
    fitted = {
        "raw_data": enc.array(raw),
        "embedding": enc.array(np.asarray(est.embedding_)),
        "a": enc.value(est._a, where),
        "b": enc.value(est._b, where),
        "n_neighbors": int(est._n_neighbors),
        "small_data": small,
        "index": None,
    }
    if index is not None:
        if est.unique:
            raise TypeError(f"{where}: UMAP(unique=True) fitted on 4096 samples or more "
                            "cannot be saved (its index is built on the unique rows).")
        graph_indices, graph_distances = index._neighbor_graph
        fitted["index"] = {
            "indices": enc.array(np.asarray(graph_indices)),
            "distances": enc.array(np.asarray(graph_distances)),
            "rng_state": enc.array(np.asarray(index.rng_state)),
            "search_rng_state": enc.array(np.asarray(index.search_rng_state)),
        }
    node["fitted"] = fitted
    return node


def _validate(dec, est, raw, where):
    """Set what ``fit`` sets before ``_validate_parameters`` and call it."""
    est._raw_data = raw
    est._initial_alpha = est.learning_rate
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est._validate_parameters()
    except (TypeError, ValueError, AttributeError) as exc:
        dec.fail(where, f"invalid parameters: {exc}")


def _number(dec, value, where, what):
    v = dec.value(value, where)
    if isinstance(v, bool) or not isinstance(v, (Real, np.floating, np.integer)) or not (
            math.isfinite(v) and v > 0):
        dec.fail(where, f"{what} must be a positive number")
    return v


def decode(dec, node, where):
    """The UMAP of an entry; arrays checked, the search index rebuilt from its graph."""
    import joblib

    if node.get("class") != _NAME:
        dec.fail(where, f"class {node.get('class')!r} is not umap.UMAP")
    cls = _import_umap()
    where = f"{where} ({_NAME})"
    est, fitted = dec.construct(cls, node, where)
    if fitted is None:
        _validate(dec, cls(**est.get_params()), np.zeros((2, 1), np.float32), where)
        return est
    raw = dec.array(fitted.get("raw_data"), f"{where} training data")
    dtype = np.uint8 if est.metric in _BIT_METRICS else np.float32
    if raw.dtype != dtype or raw.ndim != 2 or raw.shape[0] < 2 or raw.shape[1] < 1:
        dec.fail(where, f"the training data must be a 2-D {np.dtype(dtype)} array of at "
                         "least 2 samples")
    n = raw.shape[0]
    embedding = dec.array(fitted.get("embedding"), f"{where} embedding")
    if (embedding.dtype not in (np.float32, np.float64)
            or embedding.shape != (n, est.n_components) or np.isinf(embedding).any()):
        dec.fail(where, f"the embedding has shape {embedding.shape} / dtype "
                         f"{embedding.dtype}; expected ({n}, {est.n_components}) floats")
    a = _number(dec, fitted.get("a"), where, "a")
    b = _number(dec, fitted.get("b"), where, "b")
    k, small = fitted.get("n_neighbors"), fitted.get("small_data")
    if not (isinstance(k, int) and not isinstance(k, bool)
            and isinstance(est.n_neighbors, Integral) and 1 <= k <= est.n_neighbors < 2**31
            and k < n):
        dec.fail(where, "bad n_neighbors")
    if not isinstance(small, bool) or (small and fitted.get("index") is not None):
        dec.fail(where, "bad small_data")
    _validate(dec, est, raw, where)
    est._a, est._b, est._n_neighbors, est._small_data = a, b, k, small
    est.embedding_ = embedding
    est._n_features_out = embedding.shape[1]
    est._input_hash = joblib.hash(raw)
    if not small:
        index = fitted.get("index")
        est._knn_search_index = None if index is None else _index(dec, est, index, where)
    return est


def _index(dec, est, node, where):
    """The pynndescent index ``fit`` built, from its stored k-NN graph."""
    try:
        from pynndescent import NNDescent
        from pynndescent.distances import named_distances
    except ImportError as exc:
        raise ImportError(_MISSING) from exc
    if not isinstance(node, dict):
        dec.fail(where, "bad search index")
    n, k = est._raw_data.shape[0], est._n_neighbors
    indices = dec.array(node.get("indices"), f"{where} index")
    distances = dec.array(node.get("distances"), f"{where} index")
    if (indices.dtype != np.int32 or indices.shape != (n, k) or indices.min() < -1
            or indices.max() >= n):
        dec.fail(where, f"the index's neighbours must be int32 sample numbers of shape "
                         f"({n}, {k})")
    if distances.dtype != np.float32 or distances.shape != (n, k) or np.isnan(distances).any():
        dec.fail(where, f"the index's distances must be float32 of shape ({n}, {k})")
    states = [dec.array(node.get(key), f"{where} index") for key in
              ("rng_state", "search_rng_state")]
    if any(s.dtype != np.int64 or s.shape != (3,) for s in states):
        dec.fail(where, "the index's random states must be 3 int64")
    # what umap's nearest_neighbors passes, the graph given instead of searched
    metric = est.metric if est.metric in named_distances else est._input_distance_func
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = NNDescent(est._raw_data.copy(), metric=metric, metric_kwds=est._metric_kwds,
                          n_neighbors=k, init_graph=indices, init_dist=distances, n_iters=0,
                          random_state=0, low_memory=est.low_memory, max_candidates=60,
                          n_jobs=est.n_jobs, compressed=False, verbose=False)
    index._neighbor_graph = (indices, distances)
    index.rng_state, index.search_rng_state = states
    # as fit leaves it: built from random projection trees, which the first
    # query replaces by a search tree grown from the graph
    index.tree_init, index._rp_forest = True, ()
    index.n_trees = min(64, 5 + int(round(n**0.5 / 20.0)))
    index.n_iters = max(5, int(round(np.log2(n))))
    index.n_trees_after_update = max(2, int(np.round(index.n_trees / 3)))
    return index


KIND = Kind("umap", _classes, encode, decode)
