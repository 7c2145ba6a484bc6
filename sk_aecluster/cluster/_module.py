"""The network DEC and IDEC train: an encoder, learnable centres, and the decoder for IDEC."""

import numpy as np
import torch
from torch import nn


def log_soft_assignments(z, centers, alpha):
    """Log of DEC's soft assignments: Student's t kernel around the centres.

    ``q_ij`` is proportional to ``(1 + |z_i - mu_j|^2 / alpha) ** (-(alpha + 1) / 2)``
    and normalised over the clusters ``j`` (Xie et al. 2016, eq. 1);
    computed in log space, so it stays finite however far a code lies
    from every centre.
    """
    sq = (
        z.pow(2).sum(1, keepdim=True)
        - 2.0 * z @ centers.T
        + centers.pow(2).sum(1)
    ).clamp_min(0.0)
    logits = -(alpha + 1.0) / 2.0 * torch.log1p(sq / alpha)
    return torch.log_softmax(logits, dim=1)


def target_distribution(q):
    """DEC's sharpened target ``p_ij = (q_ij^2 / f_j) / sum_j' (q_ij'^2 / f_j')``.

    ``f_j = sum_i q_ij`` are the soft cluster frequencies (Xie et al. 2016,
    eq. 3): squaring puts more weight on confident assignments, dividing by
    ``f_j`` keeps large clusters from absorbing the others.

    Parameters
    ----------
    q : ndarray of shape (n_samples, n_clusters)
        Soft assignments of **all** samples.

    Returns
    -------
    p : ndarray of shape (n_samples, n_clusters), float32
    """
    q = np.asarray(q, dtype=np.float64)
    weight = q**2 / np.maximum(q.sum(0), np.finfo(np.float64).tiny)
    return (weight / weight.sum(1, keepdims=True)).astype(np.float32)


class DECModule(nn.Module):
    """An encoder's network with cluster centres in its latent space.

    ``forward`` returns ``(log_q, reconstruction)``: the log soft
    assignments of the batch and, when ``decode`` is true (IDEC), the
    decoder's reconstruction of it (``None`` for DEC, whose clustering phase
    leaves the decoder out).

    Parameters
    ----------
    autoencoder : torch.nn.Module
        The encoder estimator's network; its ``encode`` method gives the
        codes (flattened here) and, for IDEC, its ``decode`` method the
        reconstruction from codes of shape ``latent_shape``.
    centers : torch.Tensor of shape (n_clusters, n_latent)
        The starting centres.
    alpha : float
        Degrees of freedom of the Student's t kernel.
    latent_shape : tuple of int
        Shape of one code before flattening (what ``decode`` takes).
    decode : bool
        Whether ``forward`` also reconstructs (IDEC).
    """

    def __init__(self, autoencoder, centers, alpha, latent_shape, decode):
        super().__init__()
        self.autoencoder = autoencoder
        self.centers = nn.Parameter(torch.as_tensor(centers, dtype=torch.float32).clone())
        self.alpha = float(alpha)
        self.latent_shape = tuple(latent_shape)
        self.decode = bool(decode)

    def encode(self, x):
        """Flattened codes of the batch ``x``."""
        return self.autoencoder.encode(x).flatten(1)

    def soft_assign(self, x):
        """Soft assignments ``q`` of the batch ``x`` (rows sum to 1)."""
        return log_soft_assignments(self.encode(x), self.centers, self.alpha).exp()

    def unused_parameters(self, x):
        """The trainable parameters ``forward`` of the batch ``x`` does not depend on.

        DEC's decoder (and a contrastive encoder's projection head): they get
        no gradient in the clustering phase. Found from one evaluation-mode
        pass (no random numbers drawn, no statistics updated).
        """
        params = [p for p in self.parameters() if p.requires_grad]
        modes = [(m, m.training) for m in self.modules()]
        self.eval()
        try:
            with torch.enable_grad():
                log_q, recon = self(x)
                out = log_q.sum() if recon is None else log_q.sum() + recon.sum()
                grads = torch.autograd.grad(out, params, allow_unused=True)
        finally:
            for module, training in modes:
                module.training = training
        return [p for p, g in zip(params, grads, strict=True) if g is None]

    def forward(self, x):
        z = self.encode(x)
        log_q = log_soft_assignments(z, self.centers, self.alpha)
        if not self.decode:
            return log_q, None
        return log_q, self.autoencoder.decode(z.view(-1, *self.latent_shape))
