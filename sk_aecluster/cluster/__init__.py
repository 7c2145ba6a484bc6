"""Deep clustering: DEC and IDEC, clusterers that fine-tune an encoder with its centres."""

from ._base import BaseDEC
from ._dec import DEC, IDEC
from ._module import DECModule, target_distribution
from ._net import DECNet

__all__ = ["DEC", "IDEC", "BaseDEC", "DECModule", "DECNet", "target_distribution"]
