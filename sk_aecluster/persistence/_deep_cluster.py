"""DEC and IDEC: parameters (the encoder and init as nested models), the fine-tuned
encoder, the centres and the labels."""

import numpy as np
import torch

from ._kind import Kind
from ._network import class_of

_NESTED = ("encoder", "init")


def _classes():
    from ..cluster import DEC, IDEC

    return {"sk_aecluster.DEC": DEC, "sk_aecluster.IDEC": IDEC}


def _nested(enc, value, where):
    if value is None:
        return None
    try:
        return enc.model(value, where)
    except TypeError as exc:
        raise TypeError(
            f"{exc} The fitted model does not need its starting point to predict: "
            f"set_params({where.rsplit(' ', 1)[-1]}=None) before save_model to save it "
            "without."
        ) from exc


def encode(enc, est, name, where):
    """The entry of a DEC or IDEC: parameters and, when fitted, the fine-tuned state."""
    params = {k: v for k, v in est.get_params(deep=False).items() if k not in _NESTED}
    shell = type(est)(**params)  # the parameters but the nested models
    node = enc.own_node("deep_cluster", name, shell, where)
    node["output_config"] = enc.output_config(est, where)
    for key in _NESTED:
        node["params"][key] = _nested(enc, getattr(est, key), f"{where} parameter {key}")
    if not hasattr(est, "labels_"):
        return node
    fitted = {
        "encoder": enc.model(est.encoder_, f"{where} encoder_"),
        "centers": enc.array(np.asarray(est.cluster_centers_, dtype=np.float32)),
        "labels": enc.array(np.asarray(est.labels_, dtype=np.int64)),
        "n_iter": int(est.n_iter_),
        "converged": bool(est.converged_),
        "pretrain_time": float(est.pretrain_time_),
        "fit_time": float(est.fit_time_),
        "n_features_in": int(est.n_features_in_),
    }
    enc.feature_names(est, fitted)
    node["fitted"] = fitted
    return node


def _fitted_encoder(dec, node, where):
    from .._training.estimator import BaseNetEstimator

    encoder = dec.model(node, where)
    if not (isinstance(encoder, BaseNetEstimator) and hasattr(encoder, "net_")):
        dec.fail(where, "the fine-tuned encoder must be a fitted encoder of the library")
    return encoder


def decode(dec, node, where):
    """The DEC or IDEC of an entry; every stored value checked before use."""
    cls, where = class_of(dec, node, where, _classes(), "an sk_aecluster deep clusterer")
    params = node.get("params")
    if not isinstance(params, dict) or not all(key in params for key in _NESTED):
        dec.fail(where, "parameters must be a JSON object with the encoder and init")
    nested = {key: None if params[key] is None else dec.model(params[key], f"{where}.{key}")
              for key in _NESTED}
    shell = {**node, "params": {k: v for k, v in params.items() if k not in _NESTED}}
    est, fitted = dec.construct(cls, shell, where)
    try:
        est.set_params(**nested)
        est._validate_params()
    except (TypeError, ValueError) as exc:
        dec.fail(where, f"invalid parameters: {exc}")
    if fitted is None:
        return est
    encoder = _fitted_encoder(dec, fitted.get("encoder"), f"{where} encoder_")
    centers = dec.array(fitted.get("centers"), f"{where} centers")
    n_latent = int(encoder._n_features_out)
    if (centers.dtype != np.float32 or centers.shape != (est.n_clusters, n_latent)
            or not np.isfinite(centers).all()):
        dec.fail(where, f"the centres must be finite float32 of shape "
                         f"({est.n_clusters}, {n_latent})")
    labels = dec.array(fitted.get("labels"), f"{where} labels")
    if labels.dtype != np.int64 or labels.ndim != 1 or (
            labels.size and not (0 <= labels.min() and labels.max() < est.n_clusters)):
        dec.fail(where, "the labels must be int64 cluster numbers")
    values = {}
    for key, typ in (("n_iter", int), ("converged", bool), ("pretrain_time", float),
                     ("fit_time", float), ("n_features_in", int)):
        v = fitted.get(key)
        ok = isinstance(v, bool) if typ is bool else (
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0)
        if not ok:
            dec.fail(where, f"bad {key}")
        values[key] = typ(v)
    if values["n_features_in"] != encoder.n_features_in_:
        dec.fail(where, "n_features_in does not match the encoder's")
    device = dec.device_for(est, where)
    est.encoder_ = encoder
    est.input_format_ = encoder.input_format_
    est._start_centers = centers
    with torch.random.fork_rng(devices=[]):
        est.net_ = est._new_net(device)
    est._check_first_batch(None, device)
    del est._start_centers
    est._sync_encoder_device()
    est.labels_ = labels.astype(np.intp)
    est.cluster_centers_ = centers.copy()
    est.n_iter_, est.converged_ = values["n_iter"], values["converged"]
    est.pretrain_time_, est.fit_time_ = values["pretrain_time"], values["fit_time"]
    est.n_features_in_ = values["n_features_in"]
    dec.feature_names(est, fitted, where)
    return est


KIND = Kind("deep_cluster", _classes, encode, decode)
