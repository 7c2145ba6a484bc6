"""The container: one ``.safetensors`` file, arrays as its tensors and the
model's JSON description in its header metadata."""

import json
import os
import tempfile
from pathlib import Path

from .._version import __version__
from ._decoder import Decoder
from ._encoder import Encoder

FORMAT = "sk_aecluster"
FORMAT_VERSION = "1"


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
        :data:`~sk_aecluster.persistence.SKLEARN_ESTIMATORS`. Autoencoder
        callbacks and training history are not saved.
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
    encoder = Encoder()
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
    decoder = Decoder(arrays, device)
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
