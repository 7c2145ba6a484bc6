"""TSNETransformer: its training data, embedding and the state ``transform`` needs."""

import numpy as np

from ._kind import Kind


def _classes():
    from ..manifold import TSNETransformer

    return {"sk_aecluster.TSNETransformer": TSNETransformer}


def encode(enc, est, name, where):
    """The entry of a t-SNE transformer, with its training data when fitted."""
    if callable(est.metric):
        raise TypeError(f"{where}: a callable metric cannot be saved; use a metric name.")
    node = enc.own_node("tsne", "sk_aecluster.TSNETransformer", est, where)
    if not hasattr(est, "embedding_"):
        return node
    fitted = {
        "X": enc.array(np.asarray(est._fit_X, dtype=np.float64)),
        "embedding": enc.array(np.asarray(est.embedding_, dtype=np.float64)),
        "positions": enc.array(np.asarray(est.tsne_embedding_, dtype=np.float64)),
        "perplexity": enc.value(float(est.perplexity_), where),
        "seed": int(est._seed),
        "n_features_in": int(est.n_features_in_),
        "train_key": [list(est._train_key[0]), str(est._train_key[1])],
    }
    node["fitted"] = enc.feature_names(est, fitted)
    return node


def decode(dec, node, where):
    """The t-SNE transformer of an entry; training data checked against their fingerprint."""
    import joblib

    cls = _classes()["sk_aecluster.TSNETransformer"]
    if node.get("class") != "sk_aecluster.TSNETransformer":
        dec.fail(where, "bad t-SNE class")
    where = f"{where} (sk_aecluster.TSNETransformer)"
    est, fitted = dec.construct(cls, node, where)
    if fitted is None:
        return est
    X = dec.array(fitted.get("X"), where)
    embedding = dec.array(fitted.get("embedding"), where)
    positions = dec.array(fitted.get("positions"), where)
    n_features = fitted.get("n_features_in")
    if X.dtype != np.float64 or X.ndim != 2 or X.shape[1] != n_features or len(X) < 2:
        dec.fail(where, "bad training data")
    for arr in (embedding, positions):
        if arr.dtype != np.float64 or arr.shape != (len(X), est.n_components):
            dec.fail(where, f"an embedding has shape {arr.shape}; expected "
                             f"{(len(X), est.n_components)}")
    perplexity = dec.value(fitted.get("perplexity"), where)
    seed = fitted.get("seed")
    key = fitted.get("train_key")
    if not (isinstance(perplexity, float) and 0 < perplexity and isinstance(seed, int)
            and 0 <= seed < 2**31 and isinstance(key, list) and len(key) == 2
            and isinstance(key[1], str)):
        dec.fail(where, "bad fitted state")
    if not (np.isfinite(X).all() and np.isfinite(positions).all()):
        dec.fail(where, "non-finite values")
    est.perplexity_ = perplexity
    est._seed = seed
    est.n_features_in_ = n_features
    est._n_features_out = est.n_components
    est.embedding_ = embedding
    est._train_key = (dec.shape(key[0], where), key[1])
    dec.feature_names(est, fitted, where)
    if est._train_key[0] != X.shape or joblib.hash(X) != key[1]:
        dec.fail(where, "the training data do not match their fingerprint")
    est._restore_embedding(X, positions)
    return est


KIND = Kind("tsne", _classes, encode, decode)
