"""Random shifts and rotations of training images (data augmentation)."""

import math

import torch
import torch.nn.functional as F


class RandomAffine:
    """Shift and rotate each image of a training batch by a random amount.

    The autoencoder then reconstructs the transformed image, so small
    translations and rotations stop being the main thing its latent code
    describes: codes of the same digit written a pixel further left come out
    closer together, which helps the clustering that follows.

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)`` for ``layout="chw"``, ``(H, W, C)`` for ``"hwc"``.
    max_shift : float
        Largest translation, in pixels, along each axis (uniform in
        ``[-max_shift, max_shift]``).
    max_rotation : float
        Largest rotation, in degrees (uniform in ``[-max_rotation,
        max_rotation]``).
    layout : {"chw", "hwc"}, default="chw"
        How one sample of the batch holds the image: a ``(C, H, W)`` tensor
        (conv networks) or flat values in that order, or flat values in
        ``(H, W, C)`` order (a dense network given channels-last images).

    Notes
    -----
    Pixels moved in from outside the image repeat the border pixels, which
    for centred digits and most photographs is background. Draws use torch's
    global random generator, which the estimators seed inside ``fit``.
    """

    def __init__(self, image_shape, max_shift, max_rotation, layout="chw"):
        self.image_shape = tuple(int(v) for v in image_shape)
        self.layout = layout
        self.max_shift = float(max_shift)
        self.max_rotation = float(max_rotation)

    def __call__(self, xb):
        """Return a transformed copy of the batch ``xb`` (same shape)."""
        n = xb.shape[0]
        if self.layout == "hwc":
            h, w, c = self.image_shape
            img = xb.reshape(n, h, w, c).permute(0, 3, 1, 2)
        else:
            c, h, w = self.image_shape
            img = xb.reshape(n, c, h, w)
        angle = (torch.rand(n, device=xb.device) * 2 - 1) * math.radians(self.max_rotation)
        shift = (torch.rand(n, 2, device=xb.device) * 2 - 1) * self.max_shift
        cos, sin = torch.cos(angle), torch.sin(angle)
        theta = torch.zeros(n, 2, 3, device=xb.device, dtype=xb.dtype)
        theta[:, 0, 0], theta[:, 0, 1] = cos, -sin
        theta[:, 1, 0], theta[:, 1, 1] = sin, cos
        # affine_grid works in [-1, 1] coordinates: one pixel is 2 / size
        theta[:, 0, 2] = shift[:, 0] * 2 / w
        theta[:, 1, 2] = shift[:, 1] * 2 / h
        grid = F.affine_grid(theta, (n, c, h, w), align_corners=False)
        out = F.grid_sample(img, grid, mode="bilinear", padding_mode="border",
                            align_corners=False)
        if xb.dim() == 4:
            return out.contiguous(memory_format=torch.channels_last)
        if self.layout == "hwc":
            out = out.permute(0, 2, 3, 1)
        return out.reshape(xb.shape)

    def __repr__(self):
        return (f"RandomAffine(image_shape={self.image_shape}, max_shift={self.max_shift}, "
                f"max_rotation={self.max_rotation}, layout={self.layout!r})")
