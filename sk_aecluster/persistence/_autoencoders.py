"""The library's autoencoders: hyper-parameters, input format and network weights."""

import math

import numpy as np
import torch

from ._kind import Kind


def _classes():
    from ..autoencoder import AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder

    return {
        f"sk_aecluster.{c.__name__}": c
        for c in (AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder)
    }


def encode(enc, est, name, where):
    """The entry of an autoencoder: parameters and, when fitted, its network."""
    node = enc.own_node("autoencoder", name, est, where)
    if not hasattr(est, "net_"):
        return node
    fitted = {
        "input_format": enc.input_format(est.input_format_, where),
        "latent_shape": list(est.latent_shape_),
        "n_features_in": int(est.n_features_in_),
        "n_epochs": int(getattr(est, "n_epochs_", 0)),
        "fit_time": float(getattr(est, "fit_time_", 0.0)),
        "weights": {},
    }
    enc.feature_names(est, fitted)
    for key, t in est.net_.module_.state_dict().items():
        fitted["weights"][key] = enc.array(t.detach().cpu().numpy())
    node["fitted"] = fitted
    return node


def decode(dec, node, where):
    """The autoencoder of an entry; weights checked against the network first."""
    name = node.get("class")
    cls = _classes().get(name) if isinstance(name, str) else None
    if cls is None:
        dec.fail(where, f"class {name!r} is not an sk_aecluster autoencoder")
    where = f"{where} ({name})"
    est, fitted = dec.construct(cls, node, where)
    if fitted is None:
        return est
    fmt = dec.input_format(fitted.get("input_format"), where)
    latent_shape = dec.shape(fitted.get("latent_shape"), where)
    n_features = fitted.get("n_features_in")
    if n_features != math.prod(fmt.sample_shape):
        dec.fail(where, "n_features_in does not match the input format")
    weights = fitted.get("weights")
    if not isinstance(weights, dict):
        dec.fail(where, "missing weights")
    # Build the network on the meta device first: no memory is allocated,
    # so a tampered architecture cannot exhaust memory before the checks.
    try:
        with torch.device("meta"):
            meta = est._build_module(fmt)
            meta_latent = meta.encode(torch.empty((1, *fmt.network_shape)))
            meta_out = meta.decode(meta_latent)
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        dec.fail(where, f"the network cannot be built: {exc}")
    if tuple(meta_latent.shape[1:]) != latent_shape:
        dec.fail(where, f"latent shape {latent_shape} does not match the network's "
                         f"{tuple(meta_latent.shape[1:])}")
    if tuple(meta_out.shape[1:]) != tuple(fmt.network_shape):
        dec.fail(where, "the network does not reconstruct its input shape")
    expected = meta.state_dict()
    if set(weights) != set(expected):
        dec.fail(where, "the stored weights do not match the network's parameters")
    state = {}
    for key, ref in weights.items():
        arr = dec.array(ref, f"{where} weight {key}")
        exp = expected[key]
        if tuple(arr.shape) != tuple(exp.shape) or str(arr.dtype) != str(exp.dtype)[6:]:
            dec.fail(where, f"weight {key!r} has shape {arr.shape} / dtype {arr.dtype}; "
                             f"the network needs {tuple(exp.shape)} / {exp.dtype}")
        state[key] = torch.from_numpy(arr.copy(order="C"))
    device = dec.device_for(est, where)
    est.input_format_ = fmt
    with torch.random.fork_rng(devices=[]):
        est.net_ = est._new_net(device)
    est.net_.module_.load_state_dict(state, strict=True)
    est.latent_shape_ = latent_shape
    est._n_features_out = int(np.prod(latent_shape))
    est.n_features_in_ = n_features
    dec.feature_names(est, fitted, where)
    for key, attr, typ in (("n_epochs", "n_epochs_", int), ("fit_time", "fit_time_", float)):
        v = fitted.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            dec.fail(where, f"bad {key}")
        setattr(est, attr, typ(v))
    return est


KIND = Kind("autoencoder", _classes, encode, decode)
