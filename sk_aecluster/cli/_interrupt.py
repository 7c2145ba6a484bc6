"""Ctrl-C that is not lost: a flag set by the signal, and a callback that obeys it.

Python turns SIGINT into a ``KeyboardInterrupt`` wherever the main thread
happens to be. When that is a finaliser (``__del__``), a weakref callback
or a hook that C code calls, the exception is printed as "Exception
ignored in ..." and swallowed, and training would go on. While
:func:`interrupts_remembered` is active, the signal also sets a flag;
:class:`StopOnInterrupt` raises ``KeyboardInterrupt`` after the next batch
when it is set (skorch's ``partial_fit`` takes that as the end of
training), and :func:`interrupt_requested` lets the command stop between
steps.
"""

import contextlib
import signal
import threading

from skorch.callbacks import Callback

# module state, not a callback attribute: scikit-learn's clone deep-copies
# the callbacks of every candidate the command fits
_REQUESTED = threading.Event()


@contextlib.contextmanager
def interrupts_remembered():
    """While inside, SIGINT sets the flag and raises ``KeyboardInterrupt`` as usual.

    Outside the main thread (where signals cannot be handled) it does nothing.
    The previous handler is restored on exit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _REQUESTED.clear()

    def handler(signum, frame):
        _REQUESTED.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def interrupt_requested():
    """Whether Ctrl-C came while :func:`interrupts_remembered` was active."""
    return _REQUESTED.is_set()


class StopOnInterrupt(Callback):
    """Ends training after the batch in which Ctrl-C came, even if it was swallowed."""

    def on_batch_end(self, net, **kwargs):
        if _REQUESTED.is_set():
            raise KeyboardInterrupt
