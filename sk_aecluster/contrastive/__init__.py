"""Self-supervised contrastive encoders (SimCLR), trained through skorch."""

from ._augment import ContrastiveAugmentation
from ._encoder import ContrastiveEncoder
from ._loss import NTXentLoss
from ._modules import ContrastiveModule, ConvBackbone
from ._net import ContrastiveNet

__all__ = [
    "ContrastiveAugmentation",
    "ContrastiveEncoder",
    "ContrastiveModule",
    "ContrastiveNet",
    "ConvBackbone",
    "NTXentLoss",
]
