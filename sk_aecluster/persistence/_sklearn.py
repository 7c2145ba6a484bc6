"""scikit-learn estimators: their fitted state, attribute by attribute."""

import numpy as np

from ._kind import Kind, name_of


def _sklearn_estimators():
    from sklearn import cluster, decomposition, mixture, preprocessing

    classes = [
        decomposition.PCA, decomposition.IncrementalPCA, decomposition.KernelPCA,
        decomposition.TruncatedSVD, preprocessing.StandardScaler,
        preprocessing.MinMaxScaler, preprocessing.MaxAbsScaler,
        preprocessing.RobustScaler, preprocessing.Normalizer,
        preprocessing.KernelCenterer, cluster.KMeans, cluster.MiniBatchKMeans,
        mixture.GaussianMixture, mixture.BayesianGaussianMixture,
    ]
    public = {
        decomposition: "sklearn.decomposition", preprocessing: "sklearn.preprocessing",
        cluster: "sklearn.cluster", mixture: "sklearn.mixture",
    }
    out = {}
    for cls in classes:
        module = next(m for m in public if getattr(m, cls.__name__, None) is cls)
        out[f"{public[module]}.{cls.__name__}"] = cls
    return out


#: scikit-learn estimators whose fitted state is stored attribute by attribute.
SKLEARN_ESTIMATORS = _sklearn_estimators()

# Shapes the arrays of some scikit-learn estimators must have, checked on load.
# Each entry: attribute -> tuple of dimensions, a dimension being the name of
# an integer attribute of the estimator or None (any size).
_SHAPE_RULES = {
    "mean_": ("n_features_in_",),
    "var_": ("n_features_in_",),
    "scale_": ("n_features_in_",),
    "min_": ("n_features_in_",),
    "data_min_": ("n_features_in_",),
    "data_max_": ("n_features_in_",),
    "data_range_": ("n_features_in_",),
    "max_abs_": ("n_features_in_",),
    "center_": ("n_features_in_",),
    "components_": (None, "n_features_in_"),
    "cluster_centers_": ("n_clusters", "n_features_in_"),
    "means_": ("n_components", "n_features_in_"),
    "weights_": ("n_components",),
    "X_fit_": (None, "n_features_in_"),
}


def encode(enc, est, name, where):
    """The entry of a scikit-learn estimator: its class name and its ``__getstate__``."""
    state = est.__getstate__()
    return {"$t": "estimator", "class": name,
            "state": enc.value(state, f"{where} ({name})")}


def is_estimator(value):
    """Whether ``value`` is one of :data:`SKLEARN_ESTIMATORS` (so a plain value may hold it)."""
    return name_of(type(value), SKLEARN_ESTIMATORS) is not None


def decode(dec, node, where):
    """The scikit-learn estimator of an entry, its state checked."""
    name = node.get("class")
    cls = SKLEARN_ESTIMATORS.get(name) if isinstance(name, str) else None
    if cls is None:
        dec.fail(where, f"class {name!r} is not in the list of loadable estimators")
    where = f"{where} ({name})"
    state = dec.attributes(node.get("state"), where)
    est = cls.__new__(cls)
    dec.set_state(est, state, where)
    try:
        if hasattr(est, "_parameter_constraints"):
            est._validate_params()
    except (TypeError, ValueError) as exc:
        dec.fail(where, f"invalid parameters: {exc}")
    check_shapes(dec, est, where)
    return est


def check_shapes(dec, est, where):
    """Refuse arrays whose shapes do not fit the estimator (:data:`_SHAPE_RULES`)."""
    for attr, dims in _SHAPE_RULES.items():
        arr = est.__dict__.get(attr)
        if arr is None:
            continue
        if not isinstance(arr, np.ndarray) or arr.ndim != len(dims):
            dec.fail(where, f"{attr} must be a {len(dims)}-D array")
        for axis, dim in enumerate(dims):
            expected = getattr(est, dim, None) if dim else None
            if isinstance(expected, (int, np.integer)) and arr.shape[axis] != expected:
                dec.fail(where, f"{attr} has shape {arr.shape}, inconsistent with "
                                f"{dim}={expected}")


KIND = Kind("estimator", lambda: SKLEARN_ESTIMATORS, encode, decode)
