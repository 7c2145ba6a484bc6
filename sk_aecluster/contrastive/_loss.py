"""NT-Xent, SimCLR's contrastive loss."""

import torch
import torch.nn.functional as F
from torch import nn


class NTXentLoss(nn.Module):
    """Normalised temperature-scaled cross entropy over two views of a batch.

    The input holds ``2N`` projections, the first view of the ``N`` images
    followed by the second. Each projection is scaled to unit length; for
    projection ``i`` the other view of the same image is the positive and
    the other ``2N - 2`` projections are the negatives:
    ``-log(exp(s_ip / t) / sum_{j != i} exp(s_ij / t))`` with cosine
    similarities ``s`` and temperature ``t``, averaged over all ``2N``
    (Chen et al. 2020, eq. 1).

    Parameters
    ----------
    temperature : float, default=0.5
        The temperature ``t``; lower values weigh the hardest negatives more.
    """

    def __init__(self, temperature=0.5):
        super().__init__()
        self.temperature = float(temperature)

    def forward(self, projections):
        z = F.normalize(projections, dim=1)
        n2 = z.shape[0]
        n = n2 // 2
        sim = (z @ z.T) / self.temperature
        sim.fill_diagonal_(float("-inf"))
        idx = torch.arange(n2, device=z.device)
        targets = (idx + n) % n2
        return F.cross_entropy(sim, targets)
