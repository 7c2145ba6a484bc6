"""The reader: JSON nodes plus arrays back to Python values and models, refusing
anything that :class:`~._encoder.Encoder` would not have written."""

import math
import re
import warnings

import numpy as np
import torch

from . import _sklearn
from ._kind import MAX_DEPTH
from ._optimizers import TORCH_OPTIMIZERS
from ._registry import kind_for_tag


class Decoder:
    """Rebuilds Python values from nodes, refusing anything unexpected.

    Each kind of model (see :mod:`._registry`) decodes its entries with the
    helpers here; :meth:`fail` raises the ``ValueError`` that refuses the file.
    """

    def __init__(self, arrays, device):
        self.arrays = arrays
        self.used = set()
        self.wanted_device = device

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
        if depth > MAX_DEPTH:
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
            return _sklearn.decode(self, node, where)
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
        """The model of an entry, by the kind its ``"$t"`` names."""
        if not isinstance(node, dict):
            self.fail(where, "a model must be a JSON object")
        kind = kind_for_tag(node.get("$t"))
        if kind is None:
            self.fail(where, f"unknown model type {node.get('$t')!r}")
        return kind.decode(self, node, where)

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
            if hasattr(est, "_parameter_constraints"):  # umap.UMAP has none
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
        from ..autoencoder import InputFormat

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

