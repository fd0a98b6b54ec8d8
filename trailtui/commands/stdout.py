"""Standard output for the commands: a failed write is one line and exit 2,
and text bound for a terminal cannot drive it.

`CheckedStdout` stands in for `sys.stdout` while a command runs: a full disk
(ENOSPC), a closed pipe (EPIPE) or any other write error becomes
`OutputFailed`, which `trailtui.cli.main` reports in one line with exit 2
(for `verify`, 1 means an integrity failure, so an output failure must not
look like one).  `for_terminal` wraps it, only when it is a terminal, so that
escape sequences in attacker-written fields (OSC 52 clipboard writes, OSC 2
titles, CSI) are shown as escapes; a file or a pipe gets the exact bytes.
"""

from __future__ import annotations

import io
from typing import IO, Any

from trailtui.safe import terminal_json, terminal_text


class OutputFailed(Exception):
    """Writing standard output failed; the output is incomplete."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error

    def __str__(self) -> str:
        reason = self.error.strerror or str(self.error)
        return f"cannot write the output to stdout ({reason}); it is incomplete"


class CheckedBuffer:
    """The binary side of `CheckedStdout` (hunt writes JSON Lines as bytes)."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def write(self, data: bytes) -> int:
        try:
            return int(self._raw.write(data))
        except OSError as exc:
            raise OutputFailed(exc) from None

    def flush(self) -> None:
        try:
            self._raw.flush()
        except OSError as exc:
            raise OutputFailed(exc) from None


class CheckedStdout(io.TextIOBase):
    """A text stream over the real stdout whose write errors are `OutputFailed`."""

    def __init__(self, real: IO[str]) -> None:
        super().__init__()
        self.real = real
        raw = getattr(real, "buffer", None)
        self.buffer = CheckedBuffer(raw) if raw is not None else None

    def write(self, text: str) -> int:
        try:
            return self.real.write(text)
        except OSError as exc:
            raise OutputFailed(exc) from None

    def flush(self) -> None:
        try:
            self.real.flush()
        except OSError as exc:
            raise OutputFailed(exc) from None

    def isatty(self) -> bool:
        try:
            return self.real.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        return self.real.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.real, "encoding", "utf-8"))


class TerminalStream(io.TextIOBase):
    """Text for a terminal: controls escaped (`terminal_text`), or, for JSON,
    re-escaped so the JSON stays the same value (`terminal_json`).  No
    `buffer`: bytes written around it would bypass the escaping."""

    def __init__(self, inner: IO[str], json: bool) -> None:
        super().__init__()
        self.inner = inner
        self._escape = terminal_json if json else terminal_text

    def write(self, text: str) -> int:
        self.inner.write(self._escape(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return True


def for_terminal(stream: IO[str], json: bool = False) -> IO[str]:
    """`stream` itself when it is a file or a pipe, else an escaping wrapper."""
    try:
        tty = stream.isatty()
    except (OSError, ValueError):
        tty = False
    return TerminalStream(stream, json) if tty else stream  # type: ignore[return-value]  # a TextIOBase is an IO[str]
