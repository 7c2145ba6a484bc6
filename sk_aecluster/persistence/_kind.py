"""What a kind of model is to the file format, and the helpers kinds share."""

from collections.abc import Callable
from dataclasses import dataclass

#: How deeply plain values (lists, dicts, ...) may nest in a model file.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Kind:
    """One kind of model that :func:`save_model` writes and :func:`load_model` reads.

    Attributes
    ----------
    tag : str
        The ``"$t"`` of the kind's entries in the file's JSON description;
        unique among the kinds.
    classes : callable
        ``classes() -> {name: class}``: the classes of the kind, by the name
        stored in the file. Called when a file is written or read, so a kind
        may import its classes lazily. A model belongs to the kind when its
        type *is* one of these classes (subclasses are not).
    encode : callable
        ``encode(encoder, model, name, where) -> dict``: the JSON entry of
        ``model`` (``"$t"`` set to ``tag``); arrays go through
        ``encoder.array``, plain values through ``encoder.value``.
    decode : callable
        ``decode(decoder, node, where) -> model``: the model of an entry,
        checking every field and calling ``decoder.fail(where, what)`` on
        anything unexpected.
    """

    tag: str
    classes: Callable[[], dict]
    encode: Callable
    decode: Callable


def name_of(cls, table):
    """The name under which ``cls`` itself (not a subclass) is in ``table``, or None."""
    for name, c in table.items():
        if c is cls:
            return name
    return None
