"""Deep clustering: DEC and IDEC, which fine-tune an encoder with its centres, and SCAN."""

from ._base import BaseDEC
from ._dec import DEC, IDEC
from ._module import DECModule, target_distribution
from ._net import DECNet
from ._scan import SCAN
from ._scan_module import ClusteringHeads, SCANLoss
from ._scan_net import SCANNet

__all__ = ["DEC", "IDEC", "SCAN", "BaseDEC", "ClusteringHeads", "DECModule", "DECNet",
           "SCANLoss", "SCANNet", "target_distribution"]
