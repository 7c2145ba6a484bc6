"""Autoencoders as scikit-learn transformers, trained through skorch."""

from ._base import BaseAutoEncoder
from ._conv import AE1Encoder, AE2Encoder, ConvAutoEncoder
from ._dense import DenseAutoEncoder
from ._input import InputFormat
from ._net import ArrayDataset, AutoEncoderNet, BatchLoader, StopOnDivergence

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
