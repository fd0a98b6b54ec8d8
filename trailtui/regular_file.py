"""Read a file only when it is a regular file, and only up to a bound.

A FIFO among the logs blocks `open()` until a writer appears (for ever, and
Ctrl-C cannot end a thread stuck there); `/dev/zero` or `/dev/urandom` behind a
log name never ends.  Opening without blocking and checking what was opened
before reading makes both a one-line problem instead.
"""

from __future__ import annotations

import errno
import os
import stat

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))
_CHUNK = 1 << 20


class NotRegularFile(OSError):
    """The path is a FIFO, device, socket or directory: never read."""


class FileTooLarge(OSError):
    """The file is larger than the bound the caller set."""


def kind_of(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of `path` (symlinks followed) if it is a regular file of at
    most `limit` bytes.  Raises NotRegularFile, FileTooLarge or any OSError of
    opening and reading; `strerror` is a short user-facing reason."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"{kind_of(mode)}, not a regular file: not read", str(path))
        if info.st_size <= limit:  # one read; a short read of a regular file is its end
            first = os.read(fd, info.st_size + 1)
            if len(first) <= info.st_size:
                return first
            parts, size = [first], len(first)
        else:
            parts, size = [], 0
        while size <= limit:  # the size can change while reading: count what arrives, not st_size
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        if size > limit:
            raise FileTooLarge(errno.EFBIG, f"larger than {limit / (1 << 20):.0f} MiB: not read", str(path))
        return b"".join(parts)
    finally:
        os.close(fd)
