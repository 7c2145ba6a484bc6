"""SCAN: hyper-parameters, the heads' weights (as for the trained networks,
:mod:`._network`), the kept head (a buffer of the network), its last-epoch
losses and the training labels. Not stored, as for the encoders: the
``callbacks`` and the training history."""

import numpy as np

from ._kind import Kind
from ._network import class_of, decode_network, encode_network

_WHAT = "the SCAN clusterer"


def _classes():
    from ..cluster import SCAN

    return {"sk_aecluster.SCAN": SCAN}


def _probe(meta, batch):
    meta.eval()
    logits = meta(batch)  # (1, n_heads, n_clusters); the kept head is read after loading
    if logits.ndim != 3:
        raise ValueError("the heads do not output one row of logits per head and sample")
    return tuple(logits.shape[2:])


def encode(enc, est, name, where):
    """The entry of a SCAN: parameters and, when fitted, the heads and the labels."""
    node = enc.own_node("scan", name, est, where)
    if hasattr(est, "labels_"):
        fitted = encode_network(enc, est, where)
        fitted["labels"] = enc.array(np.asarray(est.labels_, dtype=np.int64))
        fitted["head_losses"] = [float(v) for v in est.head_losses_]
        node["fitted"] = fitted
    return node


def decode(dec, node, where):
    """The SCAN of an entry; every stored value checked before use."""
    cls, where = class_of(dec, node, where, _classes(), _WHAT)
    est, fitted = dec.construct(cls, node, where)
    if fitted is None:
        return est
    labels = dec.array(fitted.get("labels"), f"{where} labels")
    losses = fitted.get("head_losses")
    est = decode_network(dec, est, fitted, where, _probe)
    if labels.dtype != np.int64 or labels.ndim != 1 or (
            labels.size and not (0 <= labels.min() and labels.max() < est.n_clusters)):
        dec.fail(where, "the labels must be int64 cluster numbers")
    if (not isinstance(losses, list) or len(losses) != est.n_heads
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in losses)):
        dec.fail(where, f"head_losses must be a list of {est.n_heads} numbers")
    head = int(est.net_.module_.head)
    if not 0 <= head < est.n_heads:
        dec.fail(where, f"the kept head {head} is not one of the {est.n_heads} heads")
    est.head_losses_ = np.asarray(losses, dtype=np.float64)
    est.labels_ = labels.astype(np.intp)
    return est


KIND = Kind("scan", _classes, encode, decode)
