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
    """The skorch callbacks of the networks the command trains.

    The epoch table and, on a terminal, a progress bar (none when quiet);
    always :class:`~sk_aecluster.cli._interrupt.StopOnInterrupt`, so that
    Ctrl-C ends training even where Python swallowed its KeyboardInterrupt.
    """
    from skorch.callbacks import PrintLog, ProgressBar

    from ._interrupt import StopOnInterrupt

    callbacks = [("cli_interrupt", StopOnInterrupt())]
    if not console.quiet:
        callbacks.append(("cli_log", PrintLog(sink=console.table)))
        if console.tty:
            callbacks.append(("cli_progress", ProgressBar()))
    return callbacks


STEP_DONE = re.compile(r"\(step (\d+) of (\d+)\) Processing (.+?), total=\s*([\d.]+)(s|min)")


class StageLog:
    """Where a ``Pipeline(verbose=True)`` prints: one progress line per finished step.

    scikit-learn's pipeline reports each step when it is done, with its
    time; those times are kept in :attr:`timings` (seconds by step name) for
    ``metrics.json`` and the report, also when the console is quiet. Given
    the pipeline's step ``names``, a finished step also announces the next
    one, so that a long step without a progress bar of its own (UMAP,
    t-SNE) does not leave the console silent.
    """

    def __init__(self, console, names=None):
        self.console = console
        self.names = names
        self.timings = {}
        self._buffer = ""

    def write(self, text):
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            self._line(line)
        return len(text)

    def flush(self):
        pass

    def _line(self, line):
        match = STEP_DONE.search(line)
        if match is None:
            if line.strip():
                self.console.progress("      " + line.strip())
            return
        step, total, name, value, unit = match.groups()
        seconds = float(value) * (60 if unit == "min" else 1)
        self.timings[name] = seconds
        self.console.progress(f"      step {step} of {total} ({name}) done in {seconds:.1f} s")
        step, total = int(step), int(total)
        if self.names is not None and len(self.names) == total and step < total:
            self.console.progress(f"      step {step + 1} of {total} ({self.names[step]}) started")
