"""Image data sets and loaders for image files and arrays.

- :func:`load_digits_images`: scikit-learn's bundled digits as 8x8 uint8
  images, the library's embedded default data set.
- :func:`load_image_folder`: a folder of image files (PNG, JPEG, ...) read
  with Pillow, optionally labelled by sub-folder.
- :func:`load_image_array`: images stored in a ``.npy`` or ``.npz`` file.
- :func:`dask_image_folder`, :func:`dask_image_array`: the same sources as
  lazily read dask arrays chunked by images, for image sets of any size.
"""

from ._files import IMAGE_EXTENSIONS
from ._lazy import dask_image_array, dask_image_folder
from ._loaders import (
    load_digits_images,
    load_image_array,
    load_image_folder,
)

__all__ = [
    "IMAGE_EXTENSIONS",
    "dask_image_array",
    "dask_image_folder",
    "load_digits_images",
    "load_image_array",
    "load_image_folder",
]
