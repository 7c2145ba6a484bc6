"""Running fitted estimators over image sets larger than memory.

- :func:`dask_transform`, :func:`dask_predict`: a fitted encoder or pipeline
  applied chunk by chunk to a dask array of images, on any dask scheduler
  (threads, processes or a ``dask.distributed`` cluster).
"""

from ._dask import dask_predict, dask_transform

__all__ = ["dask_predict", "dask_transform"]
