"""
=================================================
Q2: original images next to their reconstructions
=================================================

The study's second question: *pick images from the data set and show them
next to what the autoencoder reconstructs from them.* The reconstruction is
the encoder followed by the decoder, ``inverse_transform(transform(X))``,
which every autoencoder of the library offers as ``reconstruct``. Looking at
it shows what the latent code keeps and what it throws away.

:class:`~sk_aecluster.plotting.ReconstructionDisplay` draws originals above
their reconstructions; we use it for both of the study's autoencoders on the
same images.

**Size.** 1 797 digits of 8x8 pixels and 10 epochs run in seconds. At full
size, pass the study's ``(n, 32, 32, 3)`` ``uint8`` images and
``max_epochs=100``; the display shows colour images the same way.
"""

# %%
# Train both autoencoders
# -----------------------
# The same data, the same number of epochs and the same seed for both.
import matplotlib.pyplot as plt
import numpy as np

from sk_aecluster import AE1Encoder, AE2Encoder
from sk_aecluster.datasets import load_digits_images
from sk_aecluster.plotting import ReconstructionDisplay

X, y = load_digits_images(return_X_y=True)  # (1797, 8, 8) uint8
ae1 = AE1Encoder(max_epochs=10, random_state=0).fit(X)
ae2 = AE2Encoder(max_epochs=10, random_state=0).fit(X)

for name, ae in [("AE1", ae1), ("AE2", ae2)]:
    print(f"{name}: latent code {ae.latent_shape_} = {int(np.prod(ae.latent_shape_))} "
          f"values for {X[0].size} pixels, reconstruction MSE {-ae.score(X):.4f} "
          f"(on the [-1, 1] scale)")

# %%
# Note the code sizes: on 8x8 images AE1 keeps ``8 x 4 x 4 = 128`` numbers and
# AE2 ``256 x 1 x 1 = 256``, *more* than the 64 pixels. Neither network
# compresses by counting numbers; what limits them is their structure. AE1's
# single stride-2 convolution followed by one transposed convolution can only
# mix pixels within small neighbourhoods, and AE2 squeezes the image through
# three max-pooling steps. The same holds at full size: 2048 (AE1) and 4096
# (AE2) numbers for 32x32x3 = 3072 pixel values.
#
# Originals and reconstructions
# -----------------------------
# One image per digit, the first of each class, for both networks. The number
# above each column is the image's index in the data set; the number below
# the reconstruction is its mean squared error on the ``[0, 1]`` display
# scale.
indices = [int(np.flatnonzero(y == digit)[0]) for digit in range(10)]

fig, (ax_top, ax_bottom) = plt.subplots(2, 1, figsize=(9, 5.8))
ReconstructionDisplay.from_estimator(
    ae1, X, indices=indices, ax=ax_top, cmap="gray_r",
    title="AE1: one convolution and one transposed convolution")
ReconstructionDisplay.from_estimator(
    ae2, X, indices=indices, ax=ax_bottom, cmap="gray_r",
    title="AE2: three convolution blocks and their mirror")
fig.tight_layout()

# %%
# What the pictures say
# ---------------------
# After ten epochs AE1 reconstructs worse than AE2, and in a telling way: its
# decoder is a single transposed convolution with a 2x2 kernel and stride 2,
# so every latent position paints one 2x2 block of the output independently
# of its neighbours, and the blocks show. AE1 has barely a hundred weights and
# learns slowly at the default learning rate. AE2 rebuilds the image from a
# 1x1 spatial code after three poolings, yet its reconstructions already keep
# the strokes: its code describes the digit's shape as a whole, which is also
# what makes it the better code for clustering (see
# :ref:`sphx_glr_auto_examples_study_plot_q1_table.py`). Longer training
# sharpens both.
#
# The two images the study showed
# -------------------------------
# The report showed two images. Any subset can be chosen with ``indices``;
# here the two digits AE2 reconstructs worst and best, which is a useful way to
# find what a network has not learnt.
errors = ((ae2.reconstruct(X).astype(float) - X) ** 2).reshape(len(X), -1).mean(axis=1)
worst, best = int(np.argmax(errors)), int(np.argmin(errors))
fig, ax = plt.subplots(figsize=(5, 5))
ReconstructionDisplay.from_estimator(
    ae2, X, indices=[worst, best], ax=ax, cmap="gray_r",
    title=f"AE2: worst (#{worst}, a {y[worst]}) and best (#{best}, a {y[best]})")
fig.tight_layout()
