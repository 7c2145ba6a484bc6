"""Embeddings that can place new points: t-SNE as a pipeline step."""

from ._tsne import TSNETransformer

__all__ = ["TSNETransformer"]
