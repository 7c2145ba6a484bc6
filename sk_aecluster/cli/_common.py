"""Names every part of the command shares: program name, exit codes, errors."""

PROG = "sk-aecluster"
MARKER = "complete.json"
MODEL_FILE = "model.safetensors"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Bad input found by the command itself (exit status 2)."""


class Interrupted(Exception):
    """The run was interrupted (Ctrl-C), also when skorch swallowed it."""


def one_line(exc):
    """An exception's message on one line (a KeyError's without its quotes)."""
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError):
        text = text.strip("'\"")
    return text or type(exc).__name__
