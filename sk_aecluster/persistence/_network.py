"""What the kinds of trained network estimators share: their fitted state is the
input format, the latent shape, the network weights and a few numbers.

Used by ``_autoencoders`` and ``_contrastive`` through :func:`network_kind`:
:func:`encode_network` writes
the fitted state of any :class:`~sk_aecluster._training.estimator.BaseNetEstimator`,
and :func:`decode_network` checks it against the architecture the estimator's
hyper-parameters describe (built on the ``meta`` device, so nothing large is
allocated before the checks) and restores it.
"""

import math

import torch

from ._kind import Kind


def encode_network(enc, est, where):
    """The ``fitted`` entry of a trained network estimator (``net_`` set)."""
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
    return fitted


def _meta_network(dec, est, fmt, probe, where):
    """The network of ``est`` for ``fmt`` on the meta device and its latent shape."""
    try:
        with torch.device("meta"):
            meta = est._build_module(fmt)
            latent = probe(meta, torch.empty((1, *fmt.network_shape)))
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        dec.fail(where, f"the network cannot be built: {exc}")
    return meta, latent


def decode_network(dec, est, fitted, where, probe):
    """Restore the fitted state of ``est`` from ``fitted``; every value checked.

    ``probe(meta_module, meta_batch)`` runs a batch of one sample through the
    network built on the meta device and returns its latent shape (the shape
    of one sample's code), raising ``ValueError`` when the network's outputs
    do not have the shapes the estimator needs.
    """
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
    meta, meta_latent = _meta_network(dec, est, fmt, probe, where)
    if meta_latent != latent_shape:
        dec.fail(where, f"latent shape {latent_shape} does not match the network's "
                         f"{meta_latent}")
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
    est._n_features_out = math.prod(latent_shape)
    est.n_features_in_ = n_features
    dec.feature_names(est, fitted, where)
    for key, attr, typ in (("n_epochs", "n_epochs_", int), ("fit_time", "fit_time_", float)):
        v = fitted.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            dec.fail(where, f"bad {key}")
        setattr(est, attr, typ(v))
    return est


def network_kind(tag, classes, what, probe, check=None):
    """The :class:`~._kind.Kind` of trained network estimators.

    Parameters
    ----------
    tag : str
        The kind's tag.
    classes : callable
        ``classes() -> {name: class}``, imported lazily.
    what : str
        What the classes are, for the message refusing another class
        (``"an sk_aecluster autoencoder"``).
    probe : callable
        ``probe(meta_module, meta_batch) -> latent shape`` (see
        :func:`decode_network`).
    check : callable or None
        ``check(estimator)``, raising ``ValueError`` on parameters that
        ``_validate_params`` does not check but the network needs.
    """

    def encode(enc, est, name, where):
        node = enc.own_node(tag, name, est, where)
        if hasattr(est, "net_"):
            node["fitted"] = encode_network(enc, est, where)
        return node

    def decode(dec, node, where):
        cls, where = class_of(dec, node, where, classes(), what)
        est, fitted = dec.construct(cls, node, where)
        if check is not None:
            try:
                check(est)
            except ValueError as exc:
                dec.fail(where, f"invalid parameters: {exc}")
        if fitted is None:
            return est
        return decode_network(dec, est, fitted, where, probe)

    return Kind(tag, classes, encode, decode)


def class_of(dec, node, where, classes, what):
    """The class ``node`` names among ``classes`` and ``where`` with that name;
    a class not in ``classes`` refuses the file (``what`` says what is expected)."""
    name = node.get("class")
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        dec.fail(where, f"class {name!r} is not {what}")
    return cls, f"{where} ({name})"
