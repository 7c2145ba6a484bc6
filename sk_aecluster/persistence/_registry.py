"""The registry: every kind of model a file can hold.

To support a new kind, write one module defining a :class:`~._kind.Kind`
named ``KIND`` and add it to :data:`KINDS` (see the package docstring).
"""

from . import (
    _autoencoders,
    _contrastive,
    _deep_cluster,
    _hog,
    _pipeline,
    _scan,
    _sklearn,
    _tsne,
    _umap,
)
from ._kind import name_of

#: Every kind of model, in no particular order (a model matches by exact type).
KINDS = (
    _pipeline.KIND,
    _autoencoders.KIND,
    _contrastive.KIND,
    _deep_cluster.KIND,
    _scan.KIND,
    _tsne.KIND,
    _hog.KIND,
    _sklearn.KIND,
    _umap.KIND,
)

_BY_TAG = {kind.tag: kind for kind in KINDS}
assert len(_BY_TAG) == len(KINDS), "two kinds share a tag"


def kind_of(model):
    """``(kind, name)`` of ``model``'s class, or ``(None, None)`` when unsupported."""
    for kind in KINDS:
        name = name_of(type(model), kind.classes())
        if name is not None:
            return kind, name
    return None, None


def kind_for_tag(tag):
    """The kind whose entries carry ``"$t": tag``, or None."""
    return _BY_TAG.get(tag) if isinstance(tag, str) else None
