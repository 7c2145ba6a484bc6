"""Image data sets and loaders for image files and arrays.

- :func:`load_digits_images`: scikit-learn's bundled digits as 8x8 uint8
  images, the library's embedded default data set.
- :func:`load_image_folder`: a folder of image files (PNG, JPEG, ...) read
  with Pillow, optionally labelled by sub-folder.
- :func:`load_image_array`: images stored in a ``.npy`` or ``.npz`` file.
"""

from ._loaders import (
    IMAGE_EXTENSIONS,
    load_digits_images,
    load_image_array,
    load_image_folder,
)

__all__ = [
    "IMAGE_EXTENSIONS",
    "load_digits_images",
    "load_image_array",
    "load_image_folder",
]
