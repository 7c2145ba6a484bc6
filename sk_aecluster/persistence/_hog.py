"""HOGFeatures: hyper-parameters and the input format it was fitted on."""

import math

from ._kind import Kind


def _classes():
    from ..features import HOGFeatures

    return {"sk_aecluster.HOGFeatures": HOGFeatures}


def encode(enc, est, name, where):
    """The entry of a HOG transformer."""
    node = enc.own_node("hog", "sk_aecluster.HOGFeatures", est, where)
    if hasattr(est, "input_format_"):
        node["fitted"] = enc.feature_names(est, {
            "input_format": enc.input_format(est.input_format_, where),
            "n_features_in": int(est.n_features_in_),
        })
    return node


def decode(dec, node, where):
    """The HOG transformer of an entry."""
    if node.get("class") != "sk_aecluster.HOGFeatures":
        dec.fail(where, "bad HOG class")
    where = f"{where} (sk_aecluster.HOGFeatures)"
    est, fitted = dec.construct(_classes()["sk_aecluster.HOGFeatures"], node, where)
    if fitted is None:
        return est
    fmt = dec.input_format(fitted.get("input_format"), where)
    if fmt.layout == "flat" or len(fmt.network_shape) != 3 or any(fmt.pad):
        dec.fail(where, "bad input format")
    n_features = fitted.get("n_features_in")
    if not n_features == math.prod(fmt.sample_shape) == math.prod(fmt.network_shape):
        dec.fail(where, "n_features_in does not match the input format")
    try:
        shape, cell_size = est._feature_shape(fmt)
    except ValueError as exc:
        dec.fail(where, str(exc))
    est.input_format_ = fmt
    est.feature_shape_, est.cell_size_ = shape, cell_size
    est.n_features_in_ = n_features
    dec.feature_names(est, fitted, where)
    return est


KIND = Kind("hog", _classes, encode, decode)
