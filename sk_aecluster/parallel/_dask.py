"""A fitted estimator applied block by block to a sample-chunked dask array."""

import uuid

import numpy as np


def _import_dask():
    try:
        import dask
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - dask is in the dev extra
        raise ImportError(
            "dask_transform and dask_predict need dask; install it with "
            '`pip install "sk_aecluster[distributed]"` (or `pip install dask`).'
        ) from exc
    return dask, da


def _transform_block(block, estimator, sample_shape, width, out_dtype):
    if len(block) == 0:
        return np.empty((0, width), dtype=out_dtype)
    # a view: a memory-mapped block stays memory-mapped
    return np.asarray(estimator.transform(block.reshape(len(block), *sample_shape)))


def _predict_block(block, estimator, sample_shape, out_dtype):
    if len(block) == 0:
        return np.empty((0, 1), dtype=out_dtype)
    labels = np.asarray(estimator.predict(block.reshape(len(block), *sample_shape)))
    return labels.reshape(-1, 1)


def _check_input(estimator, X, method, da):
    if not hasattr(estimator, method):
        raise TypeError(
            f"{type(estimator).__name__} has no {method} method; dask_{method} needs "
            f"an estimator (or pipeline) with {method}."
        )
    if not isinstance(X, da.Array):
        raise TypeError(
            f"dask_{method} expects a dask array; got {type(X).__name__}. Wrap the data "
            "with dask.array.from_array (or read it with "
            "sk_aecluster.datasets.dask_image_array / dask_image_folder), or call "
            f"estimator.{method} directly on in-memory data."
        )
    if X.ndim < 2:
        raise ValueError(
            f"dask_{method} expects samples along the first axis of a 2-D to 4-D "
            f"array; got shape {X.shape}."
        )
    if any(len(c) > 1 for c in X.chunks[1:]):
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    return X


def _flat(X):
    """``X`` as ``(n, d)`` blocks, each a view of the original block.

    The estimator gets its samples back in their shape; going through 2-D
    keeps dask from concatenating (copying) the blocks along dropped axes.
    """
    if X.ndim == 2:
        return X
    if np.isnan(X.shape[0]):
        raise ValueError(
            "X has chunks of unknown size along the samples; give them sizes "
            "(for instance dask.array.Array.compute_chunk_sizes) first."
        )
    return X.reshape(X.shape[0], int(np.prod(X.shape[1:])))


def _example_output(estimator, X, method):
    """The estimator's output for one all-zero sample: its width and dtype."""
    sample = np.zeros((1, *X.shape[1:]), dtype=X.dtype)
    return np.asarray(getattr(estimator, method)(sample))


def _graph_estimator(dask, estimator):
    """The estimator as one key of the graph: shipped once to each worker."""
    return dask.delayed(estimator, name=f"estimator-{uuid.uuid4().hex}", traverse=False)


def dask_transform(estimator, X):
    """Apply a fitted estimator's ``transform`` to a dask array, chunk by chunk.

    Each chunk of samples is transformed on its own by the (pickled) fitted
    ``estimator`` wherever dask runs the task: a thread, a process or a
    ``dask.distributed`` worker. The images are never gathered in one place;
    only the codes are, when the result is computed.

    Why not :class:`dask_ml.wrappers.ParallelPostFit`: it assumes 2-D input
    ``(n_samples, n_features)``; it guesses the output from a
    ``(1, X.shape[1])`` array and keeps the input's chunk structure, so on
    images ``(n, H, W, C)`` it hands the estimator a 2-D block and declares
    the wrong output shape. This function declares chunks
    ``(n_chunk, n_features_out)`` for input of any dimension.

    Parameters
    ----------
    estimator : estimator
        A fitted estimator or pipeline with ``transform``: any encoder of
        the library, :class:`~sklearn.pipeline.Pipeline`,
        :class:`~sklearn.decomposition.PCA`, ... It is run once, eagerly, on
        one all-zero sample to learn the output's width and dtype (and to
        raise input errors, such as a wrong image shape, at once).
    X : dask.array.Array of shape (n_samples, ...)
        Samples along the first axis, in the layout the estimator was fitted
        on. Chunks along the other axes are merged (each task needs whole
        samples).

    Returns
    -------
    Z : dask.array.Array of shape (n_samples, n_features_out)
        Lazy: call ``.compute()`` (or store it with ``dask.array.to_zarr``,
        ...). Chunked like ``X`` along the samples, one chunk across.

    See Also
    --------
    dask_predict : The same for ``predict`` (cluster labels).
    sk_aecluster.datasets.dask_image_folder : Image files as a lazy dask array.
    sk_aecluster.datasets.dask_image_array : A ``.npy`` file as a lazy dask array.

    Notes
    -----
    The result equals ``estimator.transform(X.compute())`` for estimators
    that transform every sample on its own, as the autoencoders (when the
    chunk size is a multiple of ``batch_size``, bit for bit; otherwise to
    float32 rounding), :class:`~sk_aecluster.HOGFeatures`, PCA and k-means
    do. :class:`~sk_aecluster.TSNETransformer` places new points against a
    grid shared by the points transformed together, so their positions
    differ slightly between chunkings (its training samples get their
    stored coordinates either way).

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sk_aecluster import DenseAutoEncoder, dask_transform
    >>> X = np.random.RandomState(0).randint(0, 256, (100, 8, 8), dtype=np.uint8)
    >>> ae = DenseAutoEncoder(hidden_units=(16,), latent_dim=3, max_epochs=1,
    ...                       batch_size=25, random_state=0).fit(X)
    >>> Z = dask_transform(ae, da.from_array(X, chunks=(50, 8, 8)))
    >>> Z.shape, Z.chunks
    ((100, 3), ((50, 50), (3,)))
    >>> bool((Z.compute(scheduler="sync") == ae.transform(X)).all())
    True
    """
    dask, da = _import_dask()
    X = _check_input(estimator, X, "transform", da)
    example = _example_output(estimator, X, "transform")
    if example.ndim != 2:
        raise ValueError(
            f"dask_transform expects transform to return 2-D output; "
            f"{type(estimator).__name__} returned shape {example.shape}."
        )
    width, dtype = example.shape[1], example.dtype
    flat = _flat(X)
    return da.map_blocks(
        _transform_block,
        flat,
        _graph_estimator(dask, estimator),
        sample_shape=X.shape[1:],
        width=width,
        out_dtype=dtype,
        dtype=dtype,
        chunks=(flat.chunks[0], (width,)),
        meta=np.empty((0, width), dtype=dtype),
        name=f"transform-{uuid.uuid4().hex}",
    )


def dask_predict(estimator, X):
    """Apply a fitted estimator's ``predict`` to a dask array, chunk by chunk.

    The labelling counterpart of :func:`dask_transform`: for a fitted
    clustering pipeline (encoder, reduction, k-means), the cluster of every
    image, computed where its chunk lies.

    Parameters
    ----------
    estimator : estimator
        A fitted estimator or pipeline with ``predict``. It is run once,
        eagerly, on one all-zero sample to learn the labels' dtype.
    X : dask.array.Array of shape (n_samples, ...)
        Samples along the first axis, in the layout the estimator was fitted
        on.

    Returns
    -------
    labels : dask.array.Array of shape (n_samples,)
        Lazy; chunked like ``X`` along the samples.

    See Also
    --------
    dask_transform : The same for ``transform``.

    Notes
    -----
    Equal to ``estimator.predict(X.compute())`` when every sample is
    predicted on its own (see :func:`dask_transform`).

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.pipeline import make_pipeline
    >>> from sk_aecluster import HOGFeatures, dask_predict
    >>> X = np.random.RandomState(0).randint(0, 256, (60, 16, 16), dtype=np.uint8)
    >>> pipe = make_pipeline(HOGFeatures(), KMeans(3, n_init=2, random_state=0)).fit(X)
    >>> labels = dask_predict(pipe, da.from_array(X, chunks=(25, 16, 16)))
    >>> labels.chunks
    ((25, 25, 10),)
    >>> bool((labels.compute(scheduler="sync") == pipe.predict(X)).all())
    True
    """
    dask, da = _import_dask()
    X = _check_input(estimator, X, "predict", da)
    example = _example_output(estimator, X, "predict")
    if example.ndim != 1:
        raise ValueError(
            f"dask_predict expects predict to return 1-D labels; "
            f"{type(estimator).__name__} returned shape {example.shape}."
        )
    dtype = example.dtype
    flat = _flat(X)
    labels = da.map_blocks(
        _predict_block,
        flat,
        _graph_estimator(dask, estimator),
        sample_shape=X.shape[1:],
        out_dtype=dtype,
        dtype=dtype,
        chunks=(flat.chunks[0], (1,)),
        meta=np.empty((0, 1), dtype=dtype),
        name=f"predict-{uuid.uuid4().hex}",
    )
    return labels[:, 0]
