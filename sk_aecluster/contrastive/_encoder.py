"""ContrastiveEncoder: a SimCLR-style self-supervised image encoder as a transformer."""

import numbers

import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .._training.estimator import BaseNetEstimator
from .._training.input import image_format
from ._augment import ContrastiveAugmentation
from ._loss import NTXentLoss
from ._modules import contrastive_module
from ._net import ContrastiveNet


def _check_range(value, name, *, upper=None):
    """``(low, high)`` of positive floats with ``low <= high`` (``<= upper``)."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        low = high = None
    bound = "" if upper is None else f" <= {upper}"
    if low is None or not (0 < low <= high) or (upper is not None and high > upper):
        raise ValueError(
            f"ContrastiveEncoder: {name} must be a pair (low, high) with "
            f"0 < low <= high{bound}; got {value!r}."
        )
    return low, high


class ContrastiveEncoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNetEstimator):
    """Self-supervised contrastive image encoder (SimCLR) as a scikit-learn transformer.

    ``fit`` trains a small convolutional network so that two random
    augmentations of one image (crops, flips, colour distortion) map to
    nearby points and different images apart: the NT-Xent loss of SimCLR
    (Chen et al. 2020) on a projection head. No labels are used.
    ``transform`` returns the backbone's features (the projection head is
    dropped, as in SimCLR), which a following UMAP and k-means group by
    content rather than by colour and layout, as reconstruction objectives
    do.

    The backbone has ``depth`` blocks of 3x3 convolution, batch norm and
    ReLU with ``width * 2**i`` channels, max pooling between blocks and
    global average pooling at the end. A block halves an axis only while it
    has at least 4 pixels, so small images work as they are: 32x32 colour
    images end on a 4x4 map, 16x16 USPS digits on 2x2, 8x8 digits on 2x2
    after two halvings; any image size is accepted (no padding).

    Parameters
    ----------
    width : int, default=32
        Channels of the first block; block ``i`` has ``width * 2**i``.
    depth : int, default=4
        Number of convolution blocks. The features have
        ``width * 2**(depth - 1)`` values (256 by default).
    projection_dim : int, default=128
        Output size of the projection head (``Linear, BatchNorm1d, ReLU,
        Linear``) the loss is computed on.
    temperature : float, default=0.5
        NT-Xent temperature.
    crop_scale : tuple of float, default=(0.2, 1.0)
        Range of the random crop's share of the image area (SimCLR uses
        ``(0.08, 1)`` for 224-pixel images; for 32 pixels and less a crop of
        8% of the image would keep 2 to 9 pixels per side). Crops are resized
        back to the full image size.
    crop_ratio : tuple of float, default=(3/4, 4/3)
        Range of the crop's aspect ratio (log-uniform).
    flip : bool, default=True
        Mirror half of the views left to right (``False`` for digits and
        text, whose mirror images are other shapes).
    jitter_strength : float, default=0.5
        Colour distortion strength ``s``: brightness, contrast and
        saturation factors in ``[1 - 0.8 s, 1 + 0.8 s]``, hue shifts up to
        ``0.2 s`` of a turn. ``0`` switches jitter off. Grey images get
        brightness and contrast only.
    jitter_prob : float, default=0.8
        Probability that a view is colour-jittered.
    greyscale_prob : float, default=0.2
        Probability that a colour view is turned grey.
    image_shape : tuple of int or None, default=None
        Shape each row of 2-D input is reshaped to: ``(H, W)``, ``(H, W, C)``
        or ``(C, H, W)``. ``None`` assumes square grey images.
    data_format : {"auto", "channels_last", "channels_first"}, default="auto"
        Where the channel axis of 4-D input is; ``"auto"`` takes the last axis
        when it has at most 4 values, else the first.
    max_epochs : int, default=30
        Number of passes over the training data.
    batch_size : int, default=256
        Images per mini-batch (each step sees ``2 * batch_size`` views; every
        image's negatives are the other images of its batch, so larger
        batches give more negatives), and per batch when encoding.
    lr : float, default=1e-3
        Learning rate of the optimizer.
    optimizer : type, default=torch.optim.Adam
        A ``torch.optim.Optimizer`` class.
    optimizer_params : dict or None, default=None
        Extra keyword arguments for the optimizer, e.g.
        ``{"weight_decay": 1e-6}``. Adam and AdamW run PyTorch's fused
        kernel on the CPU and CUDA unless ``fused``, ``foreach`` or
        ``differentiable`` is given here.
    device : str or torch.device, default="cpu"
        Where to train, augment and encode (``"cuda"``, ...). A CUDA device
        without a GPU raises a ``ValueError``.
    callbacks : list of skorch callbacks, "disable" or None, default=None
        Added to skorch's default callbacks (epoch timer, training loss,
        epoch table), e.g. ``[ProgressBar()]``; ``"disable"`` turns every
        callback off.
    verbose : int, default=0
        ``1`` prints skorch's table of epochs.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the augmentations. The
        same integer gives bit-identical features on the CPU, in one process
        or across processes. The global torch random state is left untouched.
    net_params : dict or None, default=None
        Further keyword arguments for the skorch net
        (:class:`~sk_aecluster.contrastive.ContrastiveNet`), e.g.
        ``{"train_split": skorch.dataset.ValidSplit(5)}``. They override the
        library's choices.
    accelerator : accelerate.Accelerator or None, default=None
        Train data-parallel through Hugging Face Accelerate (``pip install
        "sk_aecluster[accelerate]"``) on the processes, GPUs or machines of
        a launch (``torchrun`` or ``accelerate launch``; see
        :ref:`distributed_training`). Training then runs on
        ``accelerator.device`` (``device`` is not used) and ``batch_size`` is
        per process. ``None`` trains in this process alone. The fitted
        estimator is an ordinary one: it pickles, saves and transforms
        without Accelerate.
        Every process draws its negatives from its own batch. The
        accelerator's mixed precision applies to training, e.g.
        ``Accelerator(cpu=True, mixed_precision="bf16")`` in one process:
        about twice as fast per epoch on CPUs with bfloat16 instructions
        (:ref:`bfloat16 training <contrastive_bf16>`); ``transform`` stays
        float32.

    Attributes
    ----------
    net_ : ContrastiveNet
        The trained skorch net: ``net_.module_`` is the torch module
        (``backbone`` and ``head``), ``net_.history`` the training history.
    history_ : skorch.history.History
        Shortcut for ``net_.history``.
    input_format_ : InputFormat
        The layout and scaling of the images seen in ``fit``.
    latent_shape_ : tuple of int
        ``(n_features,)``, the shape of one image's features.
    n_epochs_ : int
        Epochs actually run (fewer than ``max_epochs`` if interrupted).
    fit_time_ : float
        Seconds spent in training.
    n_features_in_ : int
        Number of values in one input sample.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    sk_aecluster.make_recommended_pipeline : ``features="contrastive"``:
        this encoder, UMAP and k-means.
    HOGFeatures : Hand-made features for photographs, no training.
    ConvAutoEncoder : Features learnt by reconstruction.

    Notes
    -----
    Training costs two forward and backward passes per image (one per
    view); on two CPU cores the default network trains on 10,000 32x32
    colour images at about 17 s per epoch (``benchmarks/RESULTS.md``).
    The augmentations are batched tensor operations
    (:class:`~sk_aecluster.contrastive.ContrastiveAugmentation`) run on
    ``device``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_aecluster import ContrastiveEncoder
    >>> X = np.random.RandomState(0).randint(0, 256, (20, 8, 8, 3), dtype=np.uint8)
    >>> enc = ContrastiveEncoder(width=4, depth=2, projection_dim=8,
    ...                          max_epochs=1, random_state=0).fit(X)
    >>> enc.transform(X).shape  # width * 2 ** (depth - 1) features
    (20, 8)
    """

    _parameter_constraints = {
        **BaseNetEstimator._parameter_constraints,
        "width": [Interval(numbers.Integral, 1, None, closed="left")],
        "depth": [Interval(numbers.Integral, 1, None, closed="left")],
        "projection_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
        "crop_scale": [tuple, list],
        "crop_ratio": [tuple, list],
        "flip": ["boolean"],
        "jitter_strength": [Interval(numbers.Real, 0, None, closed="left")],
        "jitter_prob": [Interval(numbers.Real, 0, 1, closed="both")],
        "greyscale_prob": [Interval(numbers.Real, 0, 1, closed="both")],
        "image_shape": [tuple, list, None],
        "data_format": [StrOptions({"auto", "channels_last", "channels_first"})],
    }

    _net_class = ContrastiveNet

    def __init__(
        self,
        width=32,
        depth=4,
        projection_dim=128,
        temperature=0.5,
        crop_scale=(0.2, 1.0),
        crop_ratio=(3 / 4, 4 / 3),
        flip=True,
        jitter_strength=0.5,
        jitter_prob=0.8,
        greyscale_prob=0.2,
        image_shape=None,
        data_format="auto",
        max_epochs=30,
        batch_size=256,
        lr=1e-3,
        optimizer=torch.optim.Adam,
        optimizer_params=None,
        device="cpu",
        callbacks=None,
        verbose=0,
        random_state=None,
        net_params=None,
        accelerator=None,
    ):
        self.width = width
        self.depth = depth
        self.projection_dim = projection_dim
        self.temperature = temperature
        self.crop_scale = crop_scale
        self.crop_ratio = crop_ratio
        self.flip = flip
        self.jitter_strength = jitter_strength
        self.jitter_prob = jitter_prob
        self.greyscale_prob = greyscale_prob
        self.image_shape = image_shape
        self.data_format = data_format
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state
        self.net_params = net_params
        self.accelerator = accelerator

    # -- BaseNetEstimator hooks -------------------------------------------------
    def _input_format(self, X):
        _check_range(self.crop_scale, "crop_scale", upper=1.0)
        _check_range(self.crop_ratio, "crop_ratio")
        return image_format(X, image_shape=self.image_shape, data_format=self.data_format,
                            size_multiple=1, pad_images=False, name=type(self).__name__)

    def _build_module(self, input_format):
        c, h, w = input_format.network_shape
        return contrastive_module(c, (h, w), width=self.width, depth=self.depth,
                                  projection_dim=self.projection_dim)

    def _augmentation(self):
        return ContrastiveAugmentation(
            crop_scale=_check_range(self.crop_scale, "crop_scale", upper=1.0),
            crop_ratio=_check_range(self.crop_ratio, "crop_ratio"),
            flip=self.flip,
            jitter_strength=self.jitter_strength,
            jitter_prob=self.jitter_prob,
            greyscale_prob=self.greyscale_prob,
        )

    def _net_extra_kwargs(self, device):
        return {
            "criterion": NTXentLoss,
            "criterion__temperature": self.temperature,
            "augmentation": self._augmentation(),
        }

    def _check_first_batch(self, dataset, device):
        module = self.net_.module_
        was_training = module.training
        module.eval()
        with torch.inference_mode():
            xb, _ = dataset[slice(0, 1)]
            z = module.encode(xb.to(device))
        module.train(was_training)
        self.latent_shape_ = tuple(z.shape[1:])
        self._n_features_out = int(z.shape[1])

    # -- scikit-learn API -------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the encoder on two random views of every image of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training images; see :ref:`input` in the user guide for the
            accepted layouts and how they are scaled.
        y : Ignored
            Not used (self-supervised); accepted so the estimator works in
            pipelines and grid searches.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_net(X)

    def transform(self, X):
        """The backbone features of ``X`` (no augmentation, no projection head).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Images in the format seen in ``fit``.

        Returns
        -------
        Z : ndarray of shape (n_samples, width * 2 ** (depth - 1)), dtype float32
            The features, computed in batches of ``batch_size``.
        """
        return self._encode(self._checked(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()  # TransformerMixin's come last: set here
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.three_d_array = True
        return tags
