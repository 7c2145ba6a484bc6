"""Helpers of the persistence tests: edit a saved model file as an attacker would."""

import json

from safetensors import safe_open
from safetensors.numpy import load_file, save_file


def node_of_kind(desc, tag):
    """The first entry of ``desc`` (a model file's JSON description) whose ``$t`` is ``tag``."""
    stack = [desc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$t") == tag:
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise AssertionError(f"no {tag} entry")


def tamper(path, edit=None, arrays=None):
    """Rewrite the model file ``path``: ``edit(description)``, ``arrays(tensors)``, in place."""
    tensors = load_file(path)
    with safe_open(path, "np") as f:
        meta = f.metadata()
    if edit is not None:
        desc = json.loads(meta["model"])
        edit(desc)
        meta["model"] = json.dumps(desc)
    if arrays is not None:
        arrays(tensors)
    save_file(tensors, path, metadata=meta)
