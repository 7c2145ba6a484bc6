"""The ``sk-aecluster`` command: cluster a folder or array of images from the shell.

A thin layer over the public API: it loads images with
:mod:`sk_aecluster.datasets`, builds a recipe's scikit-learn
:class:`~sklearn.pipeline.Pipeline` (:func:`sk_aecluster.make_recommended_pipeline`
or the study's) and calls its ``fit_predict``, draws the figures with
:mod:`sk_aecluster.plotting`, writes ``report.html`` and saves the fitted
pipeline with :func:`sk_aecluster.save_model`.

Modules: ``_parser`` (the options), ``_recipes`` (``--recipe``: which
pipeline, which options apply), ``_inputs`` (images and labels),
``_cluster`` and ``_predict`` (the two commands), ``_outputs`` (the output
folder, written file by file with ``complete.json`` last, and the report),
``_console`` (progress lines and results), ``_common`` (exit codes and
errors).
"""

import sys
import warnings

from ._cluster import run_cluster
from ._common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    MARKER,
    MODEL_FILE,
    PROG,
    InputError,
    Interrupted,
    one_line,
)
from ._console import Console
from ._interrupt import interrupts_remembered
from ._outputs import OUTPUT_FILES
from ._parser import build_parser
from ._predict import run_predict

__all__ = [
    "EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "MARKER", "MODEL_FILE",
    "OUTPUT_FILES", "PROG", "InputError", "Interrupted", "build_parser", "main",
]


def main(argv=None):
    """Run the ``sk-aecluster`` command.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        0 when done, 1 when the run failed (training diverged, a file could
        not be written), 2 for bad input or usage (a one-line message on
        stderr), 130 when interrupted (Ctrl-C).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    console = Console(args.quiet)
    command = run_cluster if args.command == "cluster" else run_predict
    try:
        with warnings.catch_warnings(), interrupts_remembered():
            warnings.showwarning = console.warning
            return command(args, console)
    except (KeyboardInterrupt, Interrupted) as exc:
        detail = f" ({exc})" if isinstance(exc, Interrupted) else ""
        print(
            f"{PROG}: interrupted{detail}; no complete results were written "
            f"(a finished run ends with {MARKER}).",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except (InputError, FileNotFoundError, FileExistsError, NotADirectoryError,
            ValueError, TypeError) as exc:
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, FloatingPointError, MemoryError) as exc:
        print(f"{PROG}: failed: {one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
