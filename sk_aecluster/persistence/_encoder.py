"""The writer: Python values and models to JSON nodes plus a dict of arrays."""

import math

import numpy as np

from . import _sklearn
from ._kind import MAX_DEPTH, name_of
from ._optimizers import TORCH_OPTIMIZERS
from ._registry import kind_of


class Encoder:
    """Turns Python values into JSON-able nodes plus a dict of arrays.

    Each kind of model (see :mod:`._registry`) encodes its models with the
    helpers here: :meth:`array` for arrays, :meth:`value` for plain values,
    :meth:`model` for nested models, and :meth:`own_node` /
    :meth:`input_format` / :meth:`feature_names` for the library's estimators.
    """

    def __init__(self):
        self.arrays = {}

    def array(self, arr):
        """A node referring to ``arr``, stored as a tensor of the file."""
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
        """The node of a plain value (numbers, strings, arrays, containers, ...)."""
        if depth > MAX_DEPTH:
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
        if _sklearn.is_estimator(v):
            return self.model(v, where)
        raise TypeError(
            f"{where}: a value of type {type(v).__module__}.{type(v).__qualname__} cannot "
            "be saved safely (only numbers, strings, None, lists, tuples, dicts, numeric "
            "arrays and supported estimators can)."
        )

    def model(self, model, where="model"):
        """The JSON entry of ``model``, by the kind its class belongs to."""
        kind, name = kind_of(model)
        if kind is None:
            raise TypeError(
                f"{where}: {type(model).__module__}.{type(model).__qualname__} is not "
                "supported by save_model. Supported: the sk_aecluster estimators, "
                "sklearn.pipeline.Pipeline and "
                + ", ".join(sorted(_sklearn.SKLEARN_ESTIMATORS)) + "."
            )
        return kind.encode(self, model, name, where)

    def params(self, est, where):
        """The nodes of an estimator's ``get_params(deep=False)``."""
        out = {}
        for key, v in est.get_params(deep=False).items():
            if key == "optimizer":
                name = name_of(v, TORCH_OPTIMIZERS)
                if name is None:
                    raise TypeError(
                        f"{where}: optimizer={v!r} cannot be saved; supported: "
                        + ", ".join(sorted(TORCH_OPTIMIZERS)) + "."
                    )
                out[key] = {"$t": "optimizer", "v": name}
            elif key == "callbacks":
                out[key] = "disable" if v == "disable" else None
            elif key == "accelerator":  # bound to the processes that trained
                out[key] = None
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
        """Add ``feature_names_in_`` (when set) to ``fitted``."""
        if hasattr(est, "feature_names_in_"):
            fitted["feature_names_in"] = [str(s) for s in est.feature_names_in_]
        return fitted

    def input_format(self, fmt, where):
        """The node of an :class:`~sk_aecluster.autoencoder.InputFormat`."""
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

