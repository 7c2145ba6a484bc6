"""The contrastive encoder's network: a small conv backbone and a projection head."""

from torch import nn


def pooling_plan(height, width, depth):
    """The ``(kh, kw)`` max-pooling kernel after each block but the last.

    A block halves an axis only while that axis has at least 4 pixels, so
    small images keep a feature map of at least 2 pixels per axis: 32x32
    colour images go 32 → 16 → 8 → 4 over four blocks, 16x16 USPS digits
    16 → 8 → 4 → 2, the 8x8 digits 8 → 4 → 2 → 2, and rows read as strips
    one pixel high are pooled along their length only.
    """
    plan = []
    for _ in range(depth - 1):
        kh = 2 if height >= 4 else 1
        kw = 2 if width >= 4 else 1
        plan.append((kh, kw))
        height, width = height // kh, width // kw
    return plan


class ConvBackbone(nn.Module):
    """``depth`` blocks of 3x3 convolution, batch norm and ReLU, then global average pooling.

    Block ``i`` has ``width * 2**i`` channels (``width=32, depth=4``:
    32-64-128-256, the issue's network); max pooling between blocks follows
    :func:`pooling_plan`. The output, one vector of ``width * 2**(depth-1)``
    values per image, is what ``ContrastiveEncoder.transform`` returns.
    """

    def __init__(self, in_channels, image_size, width=32, depth=4):
        super().__init__()
        layers = []
        channels = in_channels
        plan = pooling_plan(*image_size, depth)
        for i in range(depth):
            out = width * 2**i
            layers += [nn.Conv2d(channels, out, 3, padding=1, bias=False),
                       nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
            if i < depth - 1 and plan[i] != (1, 1):
                layers.append(nn.MaxPool2d(plan[i]))
            channels = out
        self.blocks = nn.Sequential(*layers)
        self.n_features = channels

    def forward(self, x):
        return self.blocks(x).mean(dim=(2, 3))


class ContrastiveModule(nn.Module):
    """Backbone plus SimCLR's projection head (``Linear, BatchNorm1d, ReLU, Linear``).

    ``forward`` returns the projections the loss compares; ``encode`` the
    backbone's features, the representation kept after training (SimCLR
    drops the head: the features before it serve other tasks better).
    """

    def __init__(self, in_channels, image_size, width=32, depth=4, projection_dim=128):
        super().__init__()
        self.backbone = ConvBackbone(in_channels, image_size, width, depth)
        d = self.backbone.n_features
        self.head = nn.Sequential(nn.Linear(d, d, bias=False), nn.BatchNorm1d(d),
                                  nn.ReLU(inplace=True), nn.Linear(d, projection_dim))

    def encode(self, x):
        """Backbone features ``(n, width * 2**(depth-1))``."""
        return self.backbone(x)

    def forward(self, x):
        return self.head(self.backbone(x))


def contrastive_module(in_channels, image_size, **architecture):
    """A fresh :class:`ContrastiveModule` (``torch.nn.Module``)."""
    return ContrastiveModule(in_channels, tuple(image_size), **architecture)


