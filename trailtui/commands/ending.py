"""SIGTERM and SIGHUP end a command the way Ctrl-C does: by unwinding.

Python's default for both is to die at once, so an export's temp file stays
behind and worker processes are left to finish on their own.  Raised as an
exception in the main thread instead, the signal runs every `finally` (the
atomic writer removes its temp file, sources stop their worker pools) and the
command exits 128 + the signal number, as a shell reports a signal death.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(SystemExit):
    """A SIGTERM or SIGHUP arrived.  A SystemExit: no `except Exception` on the
    way out can swallow it, and asyncio re-raises it even from a loop callback
    (any other BaseException raised there is only logged)."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def __str__(self) -> str:
        return f"terminated by {signal.Signals(self.signum).name}; nothing partial was left"


def _raise(signum: int, _frame: FrameType | None) -> None:
    # Later signals while unwinding are ignored: the clean-up is bounded
    # (worker batches finish in a fraction of a second), SIGKILL remains.
    for each in ENDING_SIGNALS:
        signal.signal(each, signal.SIG_IGN)
    raise Terminated(signum)


@contextmanager
def ending_signals() -> Iterator[None]:
    """Within the block, SIGTERM/SIGHUP raise `Terminated` (main thread only;
    elsewhere signals cannot be handled and the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {each: signal.getsignal(each) for each in ENDING_SIGNALS}
    for each in ENDING_SIGNALS:
        signal.signal(each, _raise)
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)
