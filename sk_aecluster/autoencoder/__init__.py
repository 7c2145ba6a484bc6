"""Autoencoders as scikit-learn transformers, trained through skorch."""

from .._training.data import ArrayDataset, BatchLoader
from .._training.input import InputFormat
from .._training.net import StopOnDivergence
from ._base import BaseAutoEncoder
from ._conv import AE1Encoder, AE2Encoder, ConvAutoEncoder
from ._dense import DenseAutoEncoder
from ._net import AutoEncoderNet

__all__ = [
    "AE1Encoder",
    "AE2Encoder",
    "ArrayDataset",
    "AutoEncoderNet",
    "BaseAutoEncoder",
    "BatchLoader",
    "ConvAutoEncoder",
    "DenseAutoEncoder",
    "InputFormat",
    "StopOnDivergence",
]
