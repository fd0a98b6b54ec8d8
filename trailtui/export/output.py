"""Writing export files safely: mode 0600 from the first byte, atomically (a
temp file in the same directory, then a rename), and never over an existing
file unless the caller says so.

Exports hold what an incident is about (keys, IPs, secret names); a reader
must never see half a file, and a typo must never destroy an earlier report.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


class OutputExists(FileExistsError):
    """The target exists and overwriting was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(17, "File exists", str(path))
        self.path = path

    def __str__(self) -> str:
        return f"{self.path} exists: use --force to overwrite it"


class OutputRefused(OutputExists):
    """The target is not a regular file (a device, a FIFO, a symbolic link):
    even --force never replaces it, nor writes through it."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(path)
        self.what = what

    def __str__(self) -> str:
        return f"{self.path} is {self.what}: not replaced (--force replaces regular files only)"


def _kind(mode: int) -> str | None:
    """What a non-regular target is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    return "not a regular file"


def check_target(path: Path, force: bool) -> None:
    """Fail early (before a long scan) when the file exists and force is off,
    and always when the target is anything but a regular file (lstat: a link
    is judged itself, never its target)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    what = _kind(mode)
    if what is not None:
        raise OutputRefused(path, what)
    if not force:
        raise OutputExists(path)


def _publish(temp: str, path: Path, force: bool) -> None:
    if force:
        check_target(path, force)  # again, just before: the target may have been swapped meanwhile
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)  # atomic and refuses to replace: no window for a race
    except FileExistsError:
        raise OutputExists(path) from None
    except OSError:
        # Filesystems without hard links: best effort, still never clobbering knowingly.
        if path.exists() or path.is_symlink():
            raise OutputExists(path) from None
        os.replace(temp, path)
        return
    os.unlink(temp)


@contextmanager
def atomic_text_file(path: Path, force: bool = False) -> Iterator[IO[str]]:
    """A UTF-8 text stream that becomes `path` only when the block succeeds.

    The temp file is created 0600 by mkstemp in the target's directory (so the
    final rename stays on one filesystem); on any error or cancellation it is
    removed and `path` is untouched."""
    with _atomic(Path(path), force, binary=False) as handle:
        yield handle


@contextmanager
def atomic_bytes_file(path: Path, force: bool = False) -> Iterator[IO[bytes]]:
    """`atomic_text_file` for bytes (the store's kept findings)."""
    with _atomic(Path(path), force, binary=True) as handle:
        yield handle


@contextmanager
def _atomic(path: Path, force: bool, binary: bool) -> Iterator[IO[Any]]:
    check_target(path, force)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with (open(fd, "wb") if binary else open(fd, "w", encoding="utf-8", newline="")) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _publish(temp, path, force)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
