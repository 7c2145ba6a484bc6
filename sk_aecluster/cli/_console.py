"""Console output: progress lines and skorch's epoch table on stderr, results on stdout."""

import re
import sys

from ._common import PROG

ANSI = re.compile(r"\x1b\[[0-9;]*m")

class Console:
    """Progress lines on stderr (unless quiet), results on stdout."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()

    def progress(self, text):
        if not self.quiet:
            print(f"{PROG}: {text}", file=sys.stderr, flush=True)

    def table(self, text):
        """Sink for skorch's epoch table: stderr, without colours unless a terminal."""
        if not self.tty:
            text = ANSI.sub("", text)
        print(text, file=sys.stderr, flush=True)

    def result(self, text):
        if not self.quiet:
            print(text, flush=True)

    def warning(self, message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        print(f"{PROG}: warning: {text}", file=sys.stderr, flush=True)


def progress_callbacks(console):
    if console.quiet:
        return None
    from skorch.callbacks import PrintLog, ProgressBar

    callbacks = [("cli_log", PrintLog(sink=console.table))]
    if console.tty:
        callbacks.append(("cli_progress", ProgressBar()))
    return callbacks
