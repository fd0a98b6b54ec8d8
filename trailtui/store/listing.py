"""The log files a source holds now, each with what says whether it changed:
size and mtime for a local file, ETag (and size) for an S3 object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from trailtui.sources.base import Problem
from trailtui.sources.local import discover
from trailtui.store.manifest import FileEntry


class LogIdentity(NamedTuple):
    """A log file as listed: `location` is its path or `s3://` URL (what events
    carry), `stamp` its delivery stamp (the order a plain scan reads files in).
    A tuple, not a dataclass: a listing makes one per file (tens of thousands
    before every answer), and a frozen dataclass costs ~3x more to build."""

    location: str
    stamp: datetime
    size: int
    mtime_ns: int | None = None
    etag: str | None = None

    def same_as(self, entry: FileEntry | None) -> bool:
        """True when the store's entry still describes this file."""
        if entry is None:
            return False
        if self.etag is not None:
            return entry.etag == self.etag and entry.size == self.size
        return entry.etag is None and entry.size == self.size and entry.mtime_ns == self.mtime_ns


@dataclass(slots=True)
class Listing:
    files: list[LogIdentity]  # newest first, the order a plain scan reads them
    problems: list[Problem]


UNREADABLE_SIZE = -1  # stat failed: never fresh, so the plain scan reports the problem


def local_listing(root: str, since: datetime | None = None, until: datetime | None = None) -> Listing:
    """The local source's files for a range (the same files, in the same order,
    as `LocalSource` reads), each stat'ed."""
    found = discover(root, since, until)
    files: list[LogIdentity] = []
    add, stat = files.append, os.stat
    for stamp, path in found.files:
        try:
            st = stat(path)
        except OSError:
            add(LogIdentity(path, stamp, UNREADABLE_SIZE))
            continue
        add(LogIdentity(path, stamp, st.st_size, st.st_mtime_ns))
    return Listing(files, list(found.problems))
