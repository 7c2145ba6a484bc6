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
  and :class:`~sk_aecluster.DenseAutoEncoder`;
* :class:`~sk_aecluster.TSNETransformer` and :class:`~sk_aecluster.HOGFeatures`;
* :class:`sklearn.pipeline.Pipeline` of supported steps;
* the scikit-learn estimators listed in :data:`SKLEARN_ESTIMATORS` (scalers,
  PCA variants, k-means, Gaussian mixtures, ...).

What is not stored:

* skorch ``callbacks`` of an autoencoder (arbitrary objects): the loaded
  estimator has ``callbacks=None`` (``"disable"`` is kept), and its training
  history (``history_``) is empty. ``n_epochs_`` and ``fit_time_`` are kept.
* The ``optimizer`` is stored by name and must be one of the classes in
  :data:`TORCH_OPTIMIZERS`; other values of any hyper-parameter that are not
  plain data (numbers, strings, lists, tuples, dicts, ``None``, NumPy arrays
  and ``RandomState`` objects) make :func:`save_model` raise a ``TypeError``.
"""

import json
import math
import os
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from ._version import __version__

__all__ = ["SKLEARN_ESTIMATORS", "TORCH_OPTIMIZERS", "load_model", "save_model"]

FORMAT = "sk_aecluster"
FORMAT_VERSION = "1"
_MAX_DEPTH = 32

#: ``torch.optim`` classes an autoencoder's ``optimizer`` may be, by name.
TORCH_OPTIMIZERS = {
    f"torch.optim.{name}": getattr(torch.optim, name)
    for name in (
        "SGD", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "ASGD",
        "NAdam", "RAdam", "RMSprop", "Rprop",
    )
    if hasattr(torch.optim, name)
}


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


def _own_estimators():
    from .autoencoder import AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder
    from .features import HOGFeatures
    from .manifold import TSNETransformer

    autoencoders = {
        f"sk_aecluster.{c.__name__}": c
        for c in (AE1Encoder, AE2Encoder, ConvAutoEncoder, DenseAutoEncoder)
    }
    return autoencoders, {"sk_aecluster.TSNETransformer": TSNETransformer}, HOGFeatures


def _name_of(cls, table):
    for name, c in table.items():
        if c is cls:
            return name
    return None


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


class _Encoder:
    """Turns Python values into JSON-able nodes plus a dict of arrays."""

    def __init__(self):
        self.arrays = {}
        self.autoencoders, self.tsne, self.hog = _own_estimators()

    def array(self, arr):
        key = f"t{len(self.arrays)}"
        node = {"$t": "array", "key": key, "order": "C"}
        if not arr.flags.c_contiguous:
            # Keep the memory layout: BLAS results can depend on it. Column-major
            # arrays come back Fortran-ordered, and 2-D views into a larger
            # matrix (IncrementalPCA.components_, say) come back as views with
            # the same leading dimension.
            item = arr.itemsize
            column_major = arr.ndim >= 2 and abs(arr.strides[0]) < abs(arr.strides[-1])
            node["order"] = "F" if column_major else "C"
            if arr.ndim == 2 and min(arr.shape) > 1 and all(st > 0 for st in arr.strides):
                rows, cols = arr.shape
                if arr.strides[0] == item and arr.strides[1] % item == 0:
                    ld, need = arr.strides[1] // item, rows
                elif arr.strides[1] == item and arr.strides[0] % item == 0:
                    ld, need = arr.strides[0] // item, cols
                else:
                    ld = need = 0
                if need < ld <= max(arr.shape):
                    node["ld"] = ld
            arr = arr.copy(order="C")  # np.ascontiguousarray would make 0-d arrays 1-d
        self.arrays[key] = arr
        return node

    def value(self, v, where, depth=0):
        if depth > _MAX_DEPTH:
            raise TypeError(f"{where}: nested too deeply to be saved.")
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, np.generic) and v.dtype.kind in "biuf":
            return {"$t": "scalar", "dtype": v.dtype.str, "v": self.value(v.item(), where)}
        if isinstance(v, int):
            return v
        if isinstance(v, float):
            return v if math.isfinite(v) else {"$t": "float", "v": repr(v)}
        if isinstance(v, np.ndarray):
            if v.dtype.kind in "biuf":
                return self.array(v)
            if v.dtype.kind in "UO" and all(isinstance(s, str) for s in v.ravel()):
                return {"$t": "strarray", "dtype": "O" if v.dtype.kind == "O" else v.dtype.str,
                        "shape": list(v.shape), "v": [str(s) for s in v.ravel()]}
            raise TypeError(f"{where}: arrays of dtype {v.dtype} cannot be saved.")
        if isinstance(v, (list, tuple)):
            items = [self.value(x, f"{where}[{i}]", depth + 1) for i, x in enumerate(v)]
            return {"$t": type(v).__name__, "v": items}
        if isinstance(v, dict):
            for k in v:
                if not isinstance(k, str):
                    raise TypeError(f"{where}: only dicts with string keys can be saved.")
            return {"$t": "dict", "v": {k: self.value(x, f"{where}[{k!r}]", depth + 1)
                                        for k, x in v.items()}}
        if isinstance(v, np.dtype) and v.kind in "biuf":
            return {"$t": "dtype", "v": v.str}
        if isinstance(v, np.random.RandomState):
            kind, keys, pos, has_gauss, gauss = v.get_state()
            return {"$t": "randomstate", "keys": self.array(keys), "pos": int(pos),
                    "has_gauss": int(has_gauss), "gauss": self.value(float(gauss), where)}
        if _name_of(type(v), SKLEARN_ESTIMATORS) is not None:
            return self.estimator(v, where)
        raise TypeError(
            f"{where}: a value of type {type(v).__module__}.{type(v).__qualname__} cannot "
            "be saved safely (only numbers, strings, None, lists, tuples, dicts, numeric "
            "arrays and supported estimators can)."
        )

    def model(self, model, where="model"):
        from sklearn.pipeline import Pipeline

        if type(model) is Pipeline:
            return self.pipeline(model, where)
        name = _name_of(type(model), self.autoencoders)
        if name is not None:
            return self.autoencoder(model, name, where)
        if type(model) is self.tsne["sk_aecluster.TSNETransformer"]:
            return self.tsne_node(model, where)
        if type(model) is self.hog:
            return self.hog_node(model, where)
        if _name_of(type(model), SKLEARN_ESTIMATORS) is not None:
            return self.estimator(model, where)
        raise TypeError(
            f"{where}: {type(model).__module__}.{type(model).__qualname__} is not supported "
            "by save_model. Supported: the sk_aecluster estimators, "
            "sklearn.pipeline.Pipeline and " + ", ".join(sorted(SKLEARN_ESTIMATORS)) + "."
        )

    def pipeline(self, pipe, where):
        steps = []
        for name, step in pipe.steps:
            if step is None or step == "passthrough":
                steps.append([name, step])
            else:
                steps.append([name, self.model(step, f"{where}.{name}")])
        state = {k: v for k, v in pipe.__getstate__().items() if k != "steps"}
        return {"$t": "pipeline", "steps": steps, "state": self.value(state, where)}

    def estimator(self, est, where):
        name = _name_of(type(est), SKLEARN_ESTIMATORS)
        state = est.__getstate__()
        return {"$t": "estimator", "class": name,
                "state": self.value(state, f"{where} ({name})")}

    def params(self, est, where):
        out = {}
        for key, v in est.get_params(deep=False).items():
            if key == "optimizer":
                name = _name_of(v, TORCH_OPTIMIZERS)
                if name is None:
                    raise TypeError(
                        f"{where}: optimizer={v!r} cannot be saved; supported: "
                        + ", ".join(sorted(TORCH_OPTIMIZERS)) + "."
                    )
                out[key] = {"$t": "optimizer", "v": name}
            elif key == "callbacks":
                out[key] = "disable" if v == "disable" else None
            elif key == "device":
                out[key] = str(v)
            else:
                out[key] = self.value(v, f"{where} parameter {key}")
        return out

    def output_config(self, est, where):
        """The ``set_output`` configuration (e.g. ``{"transform": "pandas"}``)."""
        return self.value(dict(getattr(est, "_sklearn_output_config", {})), where)

    def own_node(self, tag, name, est, where):
        """The entry of one of the library's estimators, without its fitted state."""
        return {"$t": tag, "class": name, "params": self.params(est, where),
                "output_config": self.output_config(est, where), "fitted": None}

    @staticmethod
    def feature_names(est, fitted):
        if hasattr(est, "feature_names_in_"):
            fitted["feature_names_in"] = [str(s) for s in est.feature_names_in_]
        return fitted

    def autoencoder(self, est, name, where):
        node = self.own_node("autoencoder", name, est, where)
        if not hasattr(est, "net_"):
            return node
        fitted = {
            "input_format": self.input_format(est.input_format_, where),
            "latent_shape": list(est.latent_shape_),
            "n_features_in": int(est.n_features_in_),
            "n_epochs": int(getattr(est, "n_epochs_", 0)),
            "fit_time": float(getattr(est, "fit_time_", 0.0)),
            "weights": {},
        }
        self.feature_names(est, fitted)
        for key, t in est.net_.module_.state_dict().items():
            fitted["weights"][key] = self.array(t.detach().cpu().numpy())
        node["fitted"] = fitted
        return node

    def input_format(self, fmt, where):
        return {
            "layout": fmt.layout,
            "sample_shape": list(fmt.sample_shape),
            "reshape_to": None if fmt.reshape_to is None else list(fmt.reshape_to),
            "network_shape": list(fmt.network_shape),
            "dtype": np.dtype(fmt.dtype).str,
            "low": self.value(float(fmt.low), where),
            "high": self.value(float(fmt.high), where),
            "pad": list(fmt.pad),
        }

    def hog_node(self, est, where):
        node = self.own_node("hog", "sk_aecluster.HOGFeatures", est, where)
        if hasattr(est, "input_format_"):
            node["fitted"] = self.feature_names(est, {
                "input_format": self.input_format(est.input_format_, where),
                "n_features_in": int(est.n_features_in_),
            })
        return node

    def tsne_node(self, est, where):
        if callable(est.metric):
            raise TypeError(f"{where}: a callable metric cannot be saved; use a metric name.")
        node = self.own_node("tsne", "sk_aecluster.TSNETransformer", est, where)
        if not hasattr(est, "embedding_"):
            return node
        fitted = {
            "X": self.array(np.asarray(est._fit_X, dtype=np.float64)),
            "embedding": self.array(np.asarray(est.embedding_, dtype=np.float64)),
            "positions": self.array(np.asarray(est.tsne_embedding_, dtype=np.float64)),
            "perplexity": self.value(float(est.perplexity_), where),
            "seed": int(est._seed),
            "n_features_in": int(est.n_features_in_),
            "train_key": [list(est._train_key[0]), str(est._train_key[1])],
        }
        node["fitted"] = self.feature_names(est, fitted)
        return node


def save_model(model, path, *, overwrite=False):
    """Save a fitted (or unfitted) model to one ``.safetensors`` file, without pickle.

    Arrays are stored as safetensors tensors and everything else as plain
    JSON in the file's header metadata; :func:`load_model` reads it back
    without unpickling anything. The file is written to a temporary name and
    renamed when complete, so an interrupted save never leaves a file that
    looks complete.

    Parameters
    ----------
    model : estimator
        An sk_aecluster autoencoder, :class:`~sk_aecluster.TSNETransformer`,
        a :class:`~sklearn.pipeline.Pipeline` of supported steps, or one of
        :data:`SKLEARN_ESTIMATORS`. Autoencoder callbacks and training history
        are not saved.
    path : str or path-like
        Where to write; the conventional suffix is ``.safetensors``.
    overwrite : bool, default=False
        Replace an existing file. Without it an existing ``path`` raises
        ``FileExistsError``.

    Returns
    -------
    path : pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        When the model, or a value inside it, cannot be stored as plain data
        (an unsupported estimator class, a custom optimizer, a callable
        parameter, ...). Nothing is written then.
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.

    See Also
    --------
    load_model : Read the file back.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from sk_aecluster import load_model, save_model
    >>> X = np.random.RandomState(0).rand(20, 5)
    >>> pca = PCA(2).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "pca.safetensors")
    >>> _ = save_model(pca, path)
    >>> np.array_equal(load_model(path).transform(X), pca.transform(X))
    True
    """
    from safetensors.numpy import save_file

    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    encoder = _Encoder()
    tree = encoder.model(model)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "model": json.dumps(tree, allow_nan=False, separators=(",", ":")),
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                               dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    try:
        save_file(encoder.arrays, tmp, metadata=metadata)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide the file from others
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


class _Decoder:
    """Rebuilds Python values from nodes, refusing anything unexpected."""

    def __init__(self, arrays, device):
        self.arrays = arrays
        self.used = set()
        self.wanted_device = device
        self.autoencoders, self.tsne, self.hog = _own_estimators()

    @staticmethod
    def fail(where, what):
        raise ValueError(f"Refusing the model file: {where}: {what}")

    def tagged(self, node, where, tag):
        if not isinstance(node, dict) or node.get("$t") != tag:
            self.fail(where, f"expected a {tag!r} entry")
        return node

    def array(self, node, where):
        node = self.tagged(node, where, "array")
        key = node.get("key")
        if not isinstance(key, str) or key not in self.arrays:
            self.fail(where, f"refers to a tensor {key!r} that the file does not hold")
        if key in self.used:
            self.fail(where, f"tensor {key!r} is used twice")
        self.used.add(key)
        arr = self.arrays[key]
        order, ld = node.get("order"), node.get("ld")
        if order not in ("C", "F"):
            self.fail(where, "unknown array order")
        if ld is not None:
            if not (isinstance(ld, int) and arr.ndim == 2 and 0 < ld <= max(arr.shape)):
                self.fail(where, "bad leading dimension")
            rows, cols = arr.shape
            if order == "F" and ld > rows:
                base = np.zeros((ld, cols), dtype=arr.dtype, order="F")
                base[:rows] = arr
                return base[:rows]
            if order == "C" and ld > cols:
                base = np.zeros((rows, ld), dtype=arr.dtype)
                base[:, :cols] = arr
                return base[:, :cols]
            self.fail(where, "bad leading dimension")
        if order == "F":
            arr = np.asfortranarray(arr)
        return arr if arr.flags.writeable else arr.copy()

    def value(self, node, where, depth=0):
        if depth > _MAX_DEPTH:
            self.fail(where, "nested too deeply")
        if node is None or isinstance(node, (bool, str, int)):
            return node
        if isinstance(node, float):
            return node
        if not isinstance(node, dict) or not isinstance(node.get("$t"), str):
            self.fail(where, f"unexpected JSON value of type {type(node).__name__}")
        tag = node["$t"]
        v = node.get("v")
        if tag == "array":
            return self.array(node, where)
        if tag == "float":
            if v not in ("nan", "inf", "-inf"):
                self.fail(where, "bad special float")
            return float(v)
        if tag == "scalar":
            dtype = self.dtype(node.get("dtype"), where)
            inner = self.value(v, where, depth + 1)
            if not isinstance(inner, (bool, int, float)):
                self.fail(where, "bad scalar")
            return dtype.type(inner)
        if tag == "dtype":
            return self.dtype(v, where)
        if tag in ("list", "tuple"):
            if not isinstance(v, list):
                self.fail(where, f"a {tag} must hold a JSON list")
            items = [self.value(x, f"{where}[{i}]", depth + 1) for i, x in enumerate(v)]
            return items if tag == "list" else tuple(items)
        if tag == "dict":
            if not isinstance(v, dict):
                self.fail(where, "a dict must hold a JSON object")
            return {k: self.value(x, f"{where}[{k!r}]", depth + 1) for k, x in v.items()}
        if tag == "strarray":
            shape = self.shape(node.get("shape"), where, allow_zero=True)
            if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
                self.fail(where, "a string array must hold strings")
            if len(v) != math.prod(shape):
                self.fail(where, "string array of the wrong size")
            dt = node.get("dtype")
            if dt == "O":
                arr = np.empty(len(v), dtype=object)
                arr[:] = v
            elif isinstance(dt, str) and re.fullmatch(r"[<>|]U\d{1,6}", dt):
                arr = np.array(v, dtype=dt)
            else:
                self.fail(where, "bad string array dtype")
            return arr.reshape(shape)
        if tag == "randomstate":
            keys = self.array(node.get("keys"), where)
            if keys.shape != (624,) or keys.dtype != np.uint32:
                self.fail(where, "bad RandomState")
            pos, has_gauss = node.get("pos"), node.get("has_gauss")
            gauss = self.value(node.get("gauss"), where, depth + 1)
            if not (isinstance(pos, int) and 0 <= pos <= 624 and has_gauss in (0, 1)
                    and isinstance(gauss, float)):
                self.fail(where, "bad RandomState")
            rs = np.random.RandomState()
            rs.set_state(("MT19937", keys, pos, has_gauss, gauss))
            return rs
        if tag == "estimator":
            return self.estimator(node, where)
        self.fail(where, f"unknown entry type {tag!r}")

    def dtype(self, s, where):
        if not isinstance(s, str) or not re.fullmatch(r"[<>|=]?[biuf]\d{1,2}|\|b1", s):
            self.fail(where, f"unsupported dtype {s!r}")
        return np.dtype(s)

    def shape(self, v, where, allow_zero=False):
        low = 0 if allow_zero else 1
        if not isinstance(v, list) or len(v) > 8 or not all(
            isinstance(d, int) and not isinstance(d, bool) and low <= d < 2**31 for d in v
        ):
            self.fail(where, f"bad shape {v!r}")
        return tuple(v)

    def model(self, node, where="model"):
        if not isinstance(node, dict):
            self.fail(where, "a model must be a JSON object")
        tag = node.get("$t")
        if tag == "pipeline":
            return self.pipeline(node, where)
        if tag == "estimator":
            return self.estimator(node, where)
        if tag == "autoencoder":
            return self.autoencoder(node, where)
        if tag == "tsne":
            return self.tsne_model(node, where)
        if tag == "hog":
            return self.hog_model(node, where)
        self.fail(where, f"unknown model type {tag!r}")

    def pipeline(self, node, where):
        from sklearn.pipeline import Pipeline

        steps = node.get("steps")
        if not isinstance(steps, list) or not steps:
            self.fail(where, "a pipeline needs a list of steps")
        out = []
        for step in steps:
            if not (isinstance(step, list) and len(step) == 2 and isinstance(step[0], str)):
                self.fail(where, "a pipeline step must be [name, model]")
            name, sub = step
            if sub is None or sub == "passthrough":
                out.append((name, sub))
            else:
                out.append((name, self.model(sub, f"{where}.{name}")))
        state = self.attributes(node.get("state"), where)
        if set(state) - {"memory", "verbose", "transform_input", "_sklearn_version",
                         "_sklearn_output_config"}:
            self.fail(where, "unexpected pipeline attributes")
        if not (state.get("memory") is None or isinstance(state.get("memory"), str)):
            self.fail(where, "a pipeline's memory must be None or a path")
        pipe = Pipeline.__new__(Pipeline)
        state["steps"] = out
        self.set_state(pipe, state, where)
        try:
            pipe._validate_params()
            pipe._validate_steps()
        except (TypeError, ValueError) as exc:
            self.fail(where, str(exc))
        return pipe

    def attributes(self, node, where):
        state = self.value(node, where)
        if not isinstance(state, dict):
            self.fail(where, "the state must be a dict")
        for key in state:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) or key.startswith("__"):
                self.fail(where, f"attribute name {key!r} is not allowed")
        return state

    def set_state(self, obj, state, where):
        # as unpickling does: a model saved by another scikit-learn version
        # loads with scikit-learn's InconsistentVersionWarning
        try:
            obj.__setstate__(state)
        except (TypeError, ValueError, AttributeError) as exc:
            self.fail(where, f"cannot restore the state: {exc}")

    def estimator(self, node, where):
        name = node.get("class")
        cls = SKLEARN_ESTIMATORS.get(name) if isinstance(name, str) else None
        if cls is None:
            self.fail(where, f"class {name!r} is not in the list of loadable estimators")
        where = f"{where} ({name})"
        state = self.attributes(node.get("state"), where)
        est = cls.__new__(cls)
        self.set_state(est, state, where)
        try:
            if hasattr(est, "_parameter_constraints"):
                est._validate_params()
        except (TypeError, ValueError) as exc:
            self.fail(where, f"invalid parameters: {exc}")
        self.check_shapes(est, where)
        return est

    def check_shapes(self, est, where):
        for attr, dims in _SHAPE_RULES.items():
            arr = est.__dict__.get(attr)
            if arr is None:
                continue
            if not isinstance(arr, np.ndarray) or arr.ndim != len(dims):
                self.fail(where, f"{attr} must be a {len(dims)}-D array")
            for axis, dim in enumerate(dims):
                expected = getattr(est, dim, None) if dim else None
                if isinstance(expected, (int, np.integer)) and arr.shape[axis] != expected:
                    self.fail(where, f"{attr} has shape {arr.shape}, inconsistent with "
                                     f"{dim}={expected}")

    def params(self, node, where):
        if not isinstance(node, dict):
            self.fail(where, "parameters must be a JSON object")
        out = {}
        for key, v in node.items():
            if key == "optimizer":
                v = self.tagged(v, where, "optimizer").get("v")
                if v not in TORCH_OPTIMIZERS:
                    self.fail(where, f"optimizer {v!r} is not an allowed torch.optim class")
                out[key] = TORCH_OPTIMIZERS[v]
            else:
                out[key] = self.value(v, f"{where} parameter {key}")
        return out

    def construct(self, cls, node, where):
        """The estimator of ``node`` with its parameters and output configuration,
        and its fitted state (a dict, or None for an unfitted estimator)."""
        params = self.params(node.get("params"), where)
        try:
            est = cls(**params)
            est._validate_params()
        except (TypeError, ValueError) as exc:
            self.fail(where, f"invalid parameters: {exc}")
        config = self.value(node.get("output_config", {"$t": "dict", "v": {}}), where)
        if not isinstance(config, dict) or not all(
            key in ("transform", "fit_transform") and value in ("default", "pandas", "polars")
            for key, value in config.items()
        ):
            self.fail(where, "bad output configuration")
        if config:
            est._sklearn_output_config = config
        fitted = node.get("fitted")
        if fitted is not None and not isinstance(fitted, dict):
            self.fail(where, "bad fitted state")
        return est, fitted

    def device_for(self, est, where):
        wanted = self.wanted_device if self.wanted_device is not None else est.device
        try:
            dev = torch.device(wanted)
        except (RuntimeError, TypeError) as exc:
            self.fail(where, f"bad device {wanted!r} ({exc})")
        available = (
            dev.type == "cpu"
            or (dev.type == "cuda" and torch.cuda.is_available())
            or (dev.type == "mps" and torch.backends.mps.is_available())
        )
        if not available:
            if self.wanted_device is not None:
                raise ValueError(
                    f"device={self.wanted_device!r} is not available on this machine."
                )
            warnings.warn(
                f"{where} was saved with device={str(wanted)!r}, which is not available "
                "here; loading it on the CPU (device='cpu').",
                UserWarning,
                stacklevel=4,
            )
            dev = torch.device("cpu")
        est.set_params(device=str(dev))
        return dev

    def input_format(self, node, where):
        from .autoencoder import InputFormat

        if not isinstance(node, dict):
            self.fail(where, "bad input format")
        layout = node.get("layout")
        if layout not in ("nhwc", "nchw", "nhw", "flat"):
            self.fail(where, f"unknown layout {layout!r}")
        sample_shape = self.shape(node.get("sample_shape"), where)
        reshape_to = node.get("reshape_to")
        reshape_to = None if reshape_to is None else self.shape(reshape_to, where)
        network_shape = self.shape(node.get("network_shape"), where)
        pad = self.shape(node.get("pad"), where, allow_zero=True)
        low = self.value(node.get("low"), where)
        high = self.value(node.get("high"), where)
        if not (isinstance(low, float) and isinstance(high, float)
                and math.isfinite(low) and math.isfinite(high) and low < high):
            self.fail(where, "bad input scaling")
        if len(pad) != 4 or len(network_shape) not in (1, 3) or len(sample_shape) > 3:
            self.fail(where, "bad input format")
        d = math.prod(sample_shape)
        if reshape_to is not None and math.prod(reshape_to) != d:
            self.fail(where, "reshape_to does not match the sample shape")
        return InputFormat(layout, sample_shape, reshape_to, network_shape,
                           self.dtype(node.get("dtype"), where), low, high, pad)

    def feature_names(self, est, fitted, where):
        names = fitted.get("feature_names_in")
        if names is None:
            return
        if not (isinstance(names, list) and all(isinstance(s, str) for s in names)
                and len(names) == est.n_features_in_):
            self.fail(where, "bad feature names")
        arr = np.empty(len(names), dtype=object)
        arr[:] = names
        est.feature_names_in_ = arr

    def autoencoder(self, node, where):

        name = node.get("class")
        cls = self.autoencoders.get(name) if isinstance(name, str) else None
        if cls is None:
            self.fail(where, f"class {name!r} is not an sk_aecluster autoencoder")
        where = f"{where} ({name})"
        est, fitted = self.construct(cls, node, where)
        if fitted is None:
            return est
        fmt = self.input_format(fitted.get("input_format"), where)
        latent_shape = self.shape(fitted.get("latent_shape"), where)
        n_features = fitted.get("n_features_in")
        if n_features != math.prod(fmt.sample_shape):
            self.fail(where, "n_features_in does not match the input format")
        weights = fitted.get("weights")
        if not isinstance(weights, dict):
            self.fail(where, "missing weights")
        # Build the network on the meta device first: no memory is allocated,
        # so a tampered architecture cannot exhaust memory before the checks.
        try:
            with torch.device("meta"):
                meta = est._build_module(fmt)
                meta_latent = meta.encode(torch.empty((1, *fmt.network_shape)))
                meta_out = meta.decode(meta_latent)
        except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
            self.fail(where, f"the network cannot be built: {exc}")
        if tuple(meta_latent.shape[1:]) != latent_shape:
            self.fail(where, f"latent shape {latent_shape} does not match the network's "
                             f"{tuple(meta_latent.shape[1:])}")
        if tuple(meta_out.shape[1:]) != tuple(fmt.network_shape):
            self.fail(where, "the network does not reconstruct its input shape")
        expected = meta.state_dict()
        if set(weights) != set(expected):
            self.fail(where, "the stored weights do not match the network's parameters")
        state = {}
        for key, ref in weights.items():
            arr = self.array(ref, f"{where} weight {key}")
            exp = expected[key]
            if tuple(arr.shape) != tuple(exp.shape) or str(arr.dtype) != str(exp.dtype)[6:]:
                self.fail(where, f"weight {key!r} has shape {arr.shape} / dtype {arr.dtype}; "
                                 f"the network needs {tuple(exp.shape)} / {exp.dtype}")
            state[key] = torch.from_numpy(arr.copy(order="C"))
        device = self.device_for(est, where)
        est.input_format_ = fmt
        with torch.random.fork_rng(devices=[]):
            est.net_ = est._new_net(device)
        est.net_.module_.load_state_dict(state, strict=True)
        est.latent_shape_ = latent_shape
        est._n_features_out = int(np.prod(latent_shape))
        est.n_features_in_ = n_features
        self.feature_names(est, fitted, where)
        for key, attr, typ in (("n_epochs", "n_epochs_", int), ("fit_time", "fit_time_", float)):
            v = fitted.get(key)
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                self.fail(where, f"bad {key}")
            setattr(est, attr, typ(v))
        return est


    def hog_model(self, node, where):
        if node.get("class") != "sk_aecluster.HOGFeatures":
            self.fail(where, "bad HOG class")
        where = f"{where} (sk_aecluster.HOGFeatures)"
        est, fitted = self.construct(self.hog, node, where)
        if fitted is None:
            return est
        fmt = self.input_format(fitted.get("input_format"), where)
        if fmt.layout == "flat" or len(fmt.network_shape) != 3 or any(fmt.pad):
            self.fail(where, "bad input format")
        n_features = fitted.get("n_features_in")
        if not n_features == math.prod(fmt.sample_shape) == math.prod(fmt.network_shape):
            self.fail(where, "n_features_in does not match the input format")
        try:
            shape, cell_size = est._feature_shape(fmt)
        except ValueError as exc:
            self.fail(where, str(exc))
        est.input_format_ = fmt
        est.feature_shape_, est.cell_size_ = shape, cell_size
        est.n_features_in_ = n_features
        self.feature_names(est, fitted, where)
        return est

    def tsne_model(self, node, where):
        import joblib

        cls = self.tsne["sk_aecluster.TSNETransformer"]
        if node.get("class") != "sk_aecluster.TSNETransformer":
            self.fail(where, "bad t-SNE class")
        where = f"{where} (sk_aecluster.TSNETransformer)"
        est, fitted = self.construct(cls, node, where)
        if fitted is None:
            return est
        X = self.array(fitted.get("X"), where)
        embedding = self.array(fitted.get("embedding"), where)
        positions = self.array(fitted.get("positions"), where)
        n_features = fitted.get("n_features_in")
        if X.dtype != np.float64 or X.ndim != 2 or X.shape[1] != n_features or len(X) < 2:
            self.fail(where, "bad training data")
        for arr in (embedding, positions):
            if arr.dtype != np.float64 or arr.shape != (len(X), est.n_components):
                self.fail(where, f"an embedding has shape {arr.shape}; expected "
                                 f"{(len(X), est.n_components)}")
        perplexity = self.value(fitted.get("perplexity"), where)
        seed = fitted.get("seed")
        key = fitted.get("train_key")
        if not (isinstance(perplexity, float) and 0 < perplexity and isinstance(seed, int)
                and 0 <= seed < 2**31 and isinstance(key, list) and len(key) == 2
                and isinstance(key[1], str)):
            self.fail(where, "bad fitted state")
        if not (np.isfinite(X).all() and np.isfinite(positions).all()):
            self.fail(where, "non-finite values")
        est.perplexity_ = perplexity
        est._seed = seed
        est.n_features_in_ = n_features
        est._n_features_out = est.n_components
        est.embedding_ = embedding
        est._train_key = (self.shape(key[0], where), key[1])
        self.feature_names(est, fitted, where)
        if est._train_key[0] != X.shape or joblib.hash(X) != key[1]:
            self.fail(where, "the training data do not match their fingerprint")
        est._restore_embedding(X, positions)
        return est


def load_model(path, *, device=None):
    """Load a model written by :func:`save_model`, without unpickling anything.

    Only the classes :func:`save_model` supports can come out of a file; no
    other class is imported and no code from the file runs. Network weights
    are checked against the architecture their hyper-parameters describe
    before anything large is allocated.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save_model`.
    device : str or None, default=None
        Where to put autoencoder networks. ``None`` keeps each estimator's
        saved ``device`` when it is available here and otherwise falls back to
        the CPU with a warning (a model trained on a GPU loads on a machine
        without one). The estimators' ``device`` parameter is set accordingly.

    Returns
    -------
    model : estimator
        The model, fitted if it was fitted when saved. Autoencoders come back
        with ``callbacks=None`` (unless it was ``"disable"``) and an empty
        training history.

    Raises
    ------
    ValueError
        When the file is not a model file written by :func:`save_model` or has
        been tampered with: not a safetensors file (a pickle, say), malformed
        or unexpected JSON, a class not on the list of loadable ones, tensors
        missing, unused, or of shapes that do not fit the model.

    See Also
    --------
    save_model : Write a model file.
    """
    from safetensors import safe_open
    from safetensors.numpy import load_file

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {path}.")
    with open(path, "rb") as f:
        head = f.read(9)
    size = path.stat().st_size
    header_len = int.from_bytes(head[:8], "little") if len(head) >= 8 else -1
    if len(head) < 9 or header_len > size - 8 or head[8:9] != b"{":
        raise ValueError(
            f"Refusing {path}: it is not a safetensors model file written by "
            "sk_aecluster.save_model (a pickle or another format?)."
        )
    try:
        with safe_open(str(path), framework="np") as f:
            metadata = f.metadata() or {}
        arrays = load_file(str(path))
    except Exception as exc:  # safetensors raises its own error types
        raise ValueError(f"Refusing {path}: not a valid safetensors file ({exc}).") from exc
    if metadata.get("format") != FORMAT:
        raise ValueError(f"Refusing {path}: it was not written by sk_aecluster.save_model.")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"Refusing {path}: format version {metadata.get('format_version')!r} is not "
            f"supported (this version reads {FORMAT_VERSION!r})."
        )

    def no_constants(name):
        raise ValueError(f"non-standard JSON constant {name}")

    try:
        tree = json.loads(metadata.get("model", ""), parse_constant=no_constants)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"Refusing {path}: the model description is not valid JSON "
                         f"({exc}).") from exc
    decoder = _Decoder(arrays, device)
    try:
        model = decoder.model(tree)
    except RecursionError as exc:
        raise ValueError(f"Refusing {path}: the model description is nested too "
                         "deeply.") from exc
    unused = set(arrays) - decoder.used
    if unused:
        raise ValueError(f"Refusing {path}: it holds tensors the model does not use: "
                         f"{sorted(unused)[:5]}.")
    return model
