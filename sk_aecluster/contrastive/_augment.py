"""SimCLR's augmentations, drawn for a whole batch at once as tensor operations."""

import math

import torch
import torch.nn.functional as F

# ITU-R BT.601 luma weights (what torchvision's and kornia's greyscale use)
_LUMA = (0.299, 0.587, 0.114)
# RGB <-> YIQ: hue is a rotation of the (I, Q) chroma plane
_RGB_TO_YIQ = torch.tensor([[0.299, 0.587, 0.114],
                            [0.596, -0.274, -0.322],
                            [0.211, -0.523, 0.312]])
_YIQ_TO_RGB = torch.linalg.inv(_RGB_TO_YIQ)


class ContrastiveAugmentation:
    """Random resized crops, flips, colour jitter and greyscale for a batch of images.

    SimCLR's augmentation (Chen et al. 2020, appendix A) on whole batches:
    every random number of the batch is drawn in a handful of
    ``torch.rand`` calls and every image is transformed by the same few
    tensor operations, on the device of the batch (the GPU when training
    there). The draws use torch's global generator, which the estimator
    seeds in ``fit``, so one ``random_state`` gives the same views, bit for
    bit, on the CPU.

    Steps, in order:

    1. **Random resized crop and horizontal flip**, in one bilinear
       resampling (:func:`torch.nn.functional.grid_sample`): a rectangle of
       ``U(*crop_scale)`` of the image's area and aspect ratio log-uniform
       in ``crop_ratio`` (both sides clipped to the image), placed uniformly
       inside the image, resized back to the full image size; mirrored left
       to right with probability 1/2 when ``flip``.
    2. **Colour jitter** with probability ``jitter_prob``: brightness,
       contrast and saturation factors ``U(1 - 0.8 s, 1 + 0.8 s)`` and a hue
       rotation ``U(-0.2 s, 0.2 s)`` of a full turn, ``s`` the
       ``jitter_strength`` (SimCLR's parametrisation), applied in that
       fixed order, each clipped to the pixel range. Hue rotates the
       chroma plane of the YIQ colour space.
    3. **Greyscale** with probability ``greyscale_prob``: every channel
       replaced by the luma.

    One-channel images get the crop, the flip, brightness and contrast
    (saturation, hue and greyscale do nothing to them).

    Parameters
    ----------
    crop_scale : tuple of float
        Range of the crop's share of the image area, in ``(0, 1]``.
    crop_ratio : tuple of float
        Range of the crop's aspect ratio (width / height).
    flip : bool
        Mirror half the images left to right.
    jitter_strength : float
        SimCLR's colour distortion strength ``s``; ``0`` switches jitter off.
    jitter_prob : float
        Probability that an image is colour-jittered.
    greyscale_prob : float
        Probability that an image is turned grey.

    Notes
    -----
    kornia's ``augmentation`` module offers the same operations; measured
    on this project's 2-core CPU machine on a batch of 256 32x32 colour
    images (best of 15), its ``RandomResizedCrop, RandomHorizontalFlip,
    ColorJitter, RandomGrayscale`` took 47 ms against 10 ms for this class
    (its colour jitter alone 29 ms against 7 ms: it converts to HSV and
    back), a cost paid twice per training step, so the library does these
    few operations itself (``benchmarks/RESULTS.md``).
    """

    def __init__(self, crop_scale=(0.2, 1.0), crop_ratio=(3 / 4, 4 / 3), flip=True,
                 jitter_strength=0.5, jitter_prob=0.8, greyscale_prob=0.2):
        self.crop_scale = tuple(float(v) for v in crop_scale)
        self.crop_ratio = tuple(float(v) for v in crop_ratio)
        self.flip = bool(flip)
        self.jitter_strength = float(jitter_strength)
        self.jitter_prob = float(jitter_prob)
        self.greyscale_prob = float(greyscale_prob)

    def __call__(self, xb):
        """One random view of each image of ``xb``: ``(n, C, H, W)`` in ``[-1, 1]``."""
        u = self.crop_and_flip(xb)
        u = (u + 1.0) * 0.5  # colour operations on [0, 1]
        if u.shape[1] == 3:
            if self.jitter_strength > 0 and self.jitter_prob > 0:
                u = self.colour_jitter(u)
            if self.greyscale_prob > 0:
                u = self.greyscale(u)
        elif self.jitter_strength > 0 and self.jitter_prob > 0:
            u = self.colour_jitter(u)
        out = u * 2.0 - 1.0
        return out.contiguous(memory_format=torch.channels_last)

    def _uniform(self, n, low, high, device):
        return torch.rand(n, device=device) * (high - low) + low

    def crop_and_flip(self, xb):
        """Random resized crop (and flip) of every image, in one bilinear resampling."""
        n, c, h, w = xb.shape
        dev = xb.device
        area = self._uniform(n, *self.crop_scale, dev)
        log_ratio = self._uniform(n, math.log(self.crop_ratio[0]),
                                  math.log(self.crop_ratio[1]), dev)
        ratio = torch.exp(log_ratio)
        # crop sides as fractions of the image's sides, clipped to it
        cw = torch.sqrt(area * ratio).clamp(max=1.0)
        ch = torch.sqrt(area / ratio).clamp(max=1.0)
        # the crop's centre, uniform where the whole crop fits ([-1, 1] units)
        cx = (torch.rand(n, device=dev) * 2 - 1) * (1 - cw)
        cy = (torch.rand(n, device=dev) * 2 - 1) * (1 - ch)
        sx = cw
        if self.flip:
            sx = torch.where(torch.rand(n, device=dev) < 0.5, -cw, cw)
        theta = torch.zeros(n, 2, 3, device=dev, dtype=xb.dtype)
        theta[:, 0, 0] = sx
        theta[:, 0, 2] = cx
        theta[:, 1, 1] = ch
        theta[:, 1, 2] = cy
        grid = F.affine_grid(theta, (n, c, h, w), align_corners=False)
        return F.grid_sample(xb, grid, mode="bilinear", padding_mode="border",
                             align_corners=False)

    def colour_jitter(self, u):
        """Brightness, contrast, saturation and hue, on a random share of ``u``."""
        n, c = u.shape[:2]
        dev = u.device
        s = self.jitter_strength
        lo, hi = max(0.0, 1 - 0.8 * s), 1 + 0.8 * s
        b = self._uniform(n, lo, hi, dev).view(n, 1, 1, 1)
        k = self._uniform(n, lo, hi, dev).view(n, 1, 1, 1)
        sat = self._uniform(n, lo, hi, dev).view(n, 1, 1, 1)
        hue = self._uniform(n, -0.2 * s, 0.2 * s, dev) * (2 * math.pi)
        apply = (torch.rand(n, device=dev) < self.jitter_prob).view(n, 1, 1, 1)
        v = (u * b).clamp_(0.0, 1.0)
        mean = self._luma(v).mean(dim=(1, 2, 3), keepdim=True)
        v = ((v - mean) * k + mean).clamp_(0.0, 1.0)
        if c == 3:
            grey = self._luma(v)
            v = ((v - grey) * sat + grey).clamp_(0.0, 1.0)
            v = self._rotate_hue(v, hue).clamp_(0.0, 1.0)
        return torch.where(apply, v, u)

    def greyscale(self, u):
        """Replace a random share ``greyscale_prob`` of the images by their luma."""
        n = u.shape[0]
        apply = (torch.rand(n, device=u.device) < self.greyscale_prob).view(n, 1, 1, 1)
        return torch.where(apply, self._luma(u).expand_as(u), u)

    @staticmethod
    def _luma(u):
        if u.shape[1] == 1:
            return u
        r, g, b = u[:, 0:1], u[:, 1:2], u[:, 2:3]
        return r * _LUMA[0] + g * _LUMA[1] + b * _LUMA[2]

    @staticmethod
    def _rotate_hue(u, angle):
        """Rotate every image's chroma by its angle: one 3x3 matrix per image."""
        n = u.shape[0]
        cos, sin = torch.cos(angle), torch.sin(angle)
        rot = torch.zeros(n, 3, 3, device=u.device, dtype=u.dtype)
        rot[:, 0, 0] = 1.0
        rot[:, 1, 1], rot[:, 1, 2] = cos, -sin
        rot[:, 2, 1], rot[:, 2, 2] = sin, cos
        to_yiq = _RGB_TO_YIQ.to(u.device, u.dtype)
        to_rgb = _YIQ_TO_RGB.to(u.device, u.dtype)
        m = to_rgb @ rot @ to_yiq  # (n, 3, 3)
        return torch.einsum("nij,njhw->nihw", m, u)

    def __repr__(self):
        return (f"ContrastiveAugmentation(crop_scale={self.crop_scale}, "
                f"crop_ratio={self.crop_ratio}, flip={self.flip}, "
                f"jitter_strength={self.jitter_strength}, jitter_prob={self.jitter_prob}, "
                f"greyscale_prob={self.greyscale_prob})")

