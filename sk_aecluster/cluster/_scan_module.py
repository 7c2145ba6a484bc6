"""SCAN's clustering heads and loss (Van Gansbeke et al. 2020, the SCAN step)."""

import torch
import torch.nn.functional as F
from torch import nn


class ClusteringHeads(nn.Module):
    """``n_heads`` independent two-layer clustering heads on unit-length features.

    Each head is ``Linear(d, hidden), BatchNorm1d, ReLU, Linear(hidden, k)``;
    the heads are computed together (one matrix product for all first
    layers, one batched product for the second), so ten heads cost about
    as much as one wide layer. Features are scaled to unit length first:
    neighbours are mined by cosine similarity, and the heads see the same
    geometry.

    ``forward`` returns the logits of every head, ``(batch, n_heads, k)``;
    ``encode`` the probabilities of the selected head (buffer ``head``,
    set after training), ``(batch, k)``.

    Parameters
    ----------
    n_features : int
        Length of one feature vector.
    n_clusters : int
        Outputs per head.
    n_heads : int
        Number of heads trained side by side.
    hidden_size : int
        Width of each head's hidden layer.
    """

    def __init__(self, n_features, n_clusters, n_heads, hidden_size):
        super().__init__()
        self.n_heads, self.hidden_size, self.n_clusters = n_heads, hidden_size, n_clusters
        self.hidden = nn.Linear(n_features, n_heads * hidden_size)
        self.norm = nn.BatchNorm1d(n_heads * hidden_size)
        bound = hidden_size**-0.5  # nn.Linear's default initialisation
        self.out_weight = nn.Parameter(
            torch.empty(n_heads, hidden_size, n_clusters).uniform_(-bound, bound))
        self.out_bias = nn.Parameter(torch.empty(n_heads, n_clusters).uniform_(-bound, bound))
        self.register_buffer("head", torch.zeros((), dtype=torch.int64))

    def forward(self, x):
        h = F.relu(self.norm(self.hidden(F.normalize(x, dim=1))))
        h = h.view(-1, self.n_heads, self.hidden_size)
        return torch.einsum("bnh,nhk->bnk", h, self.out_weight) + self.out_bias

    def encode(self, x):
        """Cluster probabilities of the selected head, ``(batch, n_clusters)``."""
        return self(x)[:, int(self.head)].softmax(1)


class SCANLoss(nn.Module):
    """SCAN's loss of every head: neighbour consistency minus weighted entropy.

    For anchors ``a`` and one mined neighbour ``n`` of each, with cluster
    probabilities ``p``: ``-mean log <p_a, p_n> - entropy_weight * H(mean p_a)``
    (eq. 2 of the paper). The first term makes neighbours agree and
    confident, the second keeps the batch spread over the clusters
    instead of collapsing into one.

    Parameters
    ----------
    entropy_weight : float
        Weight of the entropy of the mean assignment.
    """

    def __init__(self, entropy_weight):
        super().__init__()
        self.entropy_weight = float(entropy_weight)

    def forward(self, logits, n_anchors):
        """Losses ``(n_heads,)`` of the logits of anchors followed by their neighbours."""
        p = logits.softmax(2)
        anchors, neighbours = p[:n_anchors], p[n_anchors:]
        agreement = (anchors * neighbours).sum(2).clamp_min(1e-8)
        consistency = -agreement.log().mean(0)
        mean = anchors.mean(0)
        entropy = -(mean * mean.clamp_min(1e-8).log()).sum(1)
        return consistency - self.entropy_weight * entropy
