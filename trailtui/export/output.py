"""Writing export files safely: mode 0600 from the first byte, atomically (a
temp file in the same directory, then a rename), and never over an existing
file unless the caller says so.

Exports hold what an incident is about (keys, IPs, secret names); a reader
must never see half a file, and a typo must never destroy an earlier report.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class OutputExists(FileExistsError):
    """The target exists and overwriting was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(17, "File exists", str(path))
        self.path = path

    def __str__(self) -> str:
        return f"{self.path} exists: use --force to overwrite it"


def check_target(path: Path, force: bool) -> None:
    """Fail early (before a long scan) when the file exists and force is off."""
    if not force and (path.exists() or path.is_symlink()):
        raise OutputExists(path)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))


def _publish(temp: str, path: Path, force: bool) -> None:
    if force:
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
    path = Path(path)
    check_target(path, force)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with open(fd, "w", encoding="utf-8", newline="") as handle:
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
