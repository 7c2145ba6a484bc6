"""Docstring pieces shared by the autoencoder estimators."""

TRAINING_PARAMS = """\
max_epochs : int, default={max_epochs}
        Number of passes over the training data.
    batch_size : int, default=64
        Samples per mini-batch, in training and when encoding.
    lr : float, default={lr}
        Learning rate of the optimizer.
    optimizer : type, default=torch.optim.Adam
        A ``torch.optim.Optimizer`` class.
    optimizer_params : dict or None, default=None
        Extra keyword arguments for the optimizer, e.g.
        ``{{"weight_decay": 1e-5}}``. With :class:`torch.optim.Adam` or
        :class:`~torch.optim.AdamW` on the CPU or a CUDA device the library
        adds ``fused=True`` (PyTorch's one-pass kernel: the same algorithm,
        about 5% faster training steps for small networks, results that
        differ in the last bits) unless ``fused``, ``foreach`` or
        ``differentiable`` is given here; ``{{"fused": False}}`` selects
        PyTorch's default kernel.
    augment_shift : float, default=0.0
        Data augmentation for images: each training image is shifted by a
        random number of pixels, up to this many along each axis, before the
        network reconstructs it (``transform`` never augments). ``1`` to
        ``2`` pixels make codes of the same shape written a little off-centre
        agree, which helps clustering (see ``benchmarks/RESULTS.md``).
    augment_rotation : float, default=0.0
        Largest random rotation of each training image, in degrees (used
        with or without ``augment_shift``).
    device : str or torch.device, default="cpu"
        Where to train and encode (``"cuda"``, ``"cuda:1"``, ...). A CUDA
        device without a GPU raises a ``ValueError``.
    callbacks : list of skorch callbacks, "disable" or None, default=None
        Added to skorch's default callbacks (epoch timer, training loss,
        epoch table). Use ``(name, callback)`` pairs or callbacks, e.g.
        ``[ProgressBar(), EarlyStopping(monitor="train_loss")]``;
        ``"disable"`` turns every callback off (fastest; no history).
    verbose : int, default=0
        ``1`` prints skorch's table of epochs.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation and shuffling. The same integer gives
        bit-identical latent codes on the CPU, in one process or across
        processes. The global torch random state is left untouched.
    net_params : dict or None, default=None
        Any further keyword arguments for the skorch net
        (:class:`~sk_aecluster.AutoEncoderNet`), e.g.
        ``{{"train_split": skorch.dataset.ValidSplit(5)}}`` or
        ``{{"iterator_train__num_workers": 2}}``. They override the
        library's choices.
    accelerator : accelerate.Accelerator or None, default=None
        Train data-parallel through Hugging Face Accelerate (``pip install
        "sk_aecluster[accelerate]"``) on the processes, GPUs or machines of
        a launch (``torchrun`` or ``accelerate launch``; see
        :ref:`distributed_training`). Training then runs on
        ``accelerator.device`` (``device`` is not used) and ``batch_size`` is
        per process. ``None`` trains in this process alone. The fitted
        estimator is an ordinary one: it pickles, saves and transforms
        without Accelerate."""

FITTED_ATTRIBUTES = """\
net_ : AutoEncoderNet
        The trained skorch net: ``net_.module_`` is the torch module,
        ``net_.history`` the training history.
    history_ : skorch.history.History
        Shortcut for ``net_.history``.
    input_format_ : InputFormat
        The layout and scaling of the samples seen in ``fit``.
    latent_shape_ : tuple of int
        Shape of one sample's latent code before flattening.
    n_epochs_ : int
        Epochs actually run (fewer than ``max_epochs`` if interrupted).
    fit_time_ : float
        Seconds spent in training.
    n_features_in_ : int
        Number of values in one input sample.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names."""


def fill_doc(**extra):
    """Class decorator: substitute the shared pieces into ``__doc__``."""

    def decorate(cls):
        cls.__doc__ = cls.__doc__.format(
            training_params=TRAINING_PARAMS.format(**extra),
            fitted_attributes=FITTED_ATTRIBUTES,
        )
        return cls

    return decorate
