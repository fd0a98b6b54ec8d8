"""What a scan reads from: (delivery stamp, path) pairs, newest first, taken a
batch at a time.

A list already sorted is one such cursor; `trailtui.sources.newest_files`
is another that lists and sorts folders only as the scan reaches them, so a
newest-first page of a huge tree never parses the names of old folders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class FileCursor(Protocol):
    def take(self, count: int) -> list[tuple[datetime, str]]:
        """The next `count` files (fewer at the end)."""
        ...

    def next_stamp(self) -> datetime | None:
        """The stamp of the next file to be taken; None when none is left."""
        ...

    def left(self) -> int:
        """The number of files left, or more (exact for a list; a lazy listing
        counts names it has not judged yet): for progress and for deciding
        whether worker processes pay off."""
        ...


class ListCursor:
    """A cursor over files already listed and sorted newest first."""

    def __init__(self, files: Sequence[tuple[datetime, str]]) -> None:
        self._files = files
        self._at = 0

    def take(self, count: int) -> list[tuple[datetime, str]]:
        chunk = list(self._files[self._at:self._at + count])
        self._at += len(chunk)
        return chunk

    def next_stamp(self) -> datetime | None:
        return self._files[self._at][0] if self._at < len(self._files) else None

    def left(self) -> int:
        return len(self._files) - self._at
