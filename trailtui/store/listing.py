"""The log files a source holds now, each with what says whether it changed:
size and mtime for a local file, ETag (and size) for an S3 object.

Listing a big local tree (tens of thousands of files) costs more than the
store's whole answer, mostly in reading and parsing every file name.  So a
whole listing also records every folder it walked with its ctime (`marks`,
taken before the walk); a folder's ctime changes whenever an entry is added,
removed or renamed in it (and on chmod).  While every mark holds, the files are
the ones the manifest lists, and only their sizes and mtimes need reading
(`known_listing`): the answer is still exact for a file rewritten in place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from trailtui.events import EPOCH
from trailtui.sources.base import Problem
from trailtui.sources.layout import FAR_FUTURE
from trailtui.sources.local import discover
from trailtui.sources.pushdown.timebounds import micros
from trailtui.store.manifest import FileEntry, Manifest
from trailtui.store.marks import folder_marks, marks_hold


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
    folders: dict[str, int] | None = None  # the marks of a whole local listing, else None


_NO_STAMP = -1  # FAR_FUTURE: a file whose name carries no delivery stamp


def stamp_micros(stamp: datetime) -> int:
    return _NO_STAMP if stamp >= FAR_FUTURE else micros(stamp)


def _stamp(value: int, memo: dict[int, datetime]) -> datetime:
    found = memo.get(value)
    if found is None:
        found = FAR_FUTURE if value == _NO_STAMP else EPOCH + timedelta(microseconds=value)
        memo[value] = found
    return found


def known_listing(manifest: Manifest) -> Listing:
    """The files the manifest lists, each stat'ed now, in reading order (for a
    whole listing whose folder marks hold).  The manifest is saved in reading
    order, so the sort below only confirms it; tuples are built without the
    named constructor (tens of thousands before every answer)."""
    files: list[LogIdentity] = []
    add, stat, make = files.append, os.stat, tuple.__new__
    memo: dict[int, datetime] = {}
    for location, entry in manifest.files.items():
        stamp = memo.get(entry.stamp) or _stamp(entry.stamp, memo)
        try:
            st = stat(location)
        except OSError:
            add(make(LogIdentity, (location, stamp, UNREADABLE_SIZE, None, None)))
            continue
        add(make(LogIdentity, (location, stamp, st.st_size, st.st_mtime_ns, None)))
    files.sort(key=_reading_order, reverse=True)
    return Listing(files, [], dict(manifest.folders))


def _reading_order(log: LogIdentity) -> tuple[datetime, str]:
    return log[1], log[0]


UNREADABLE_SIZE = -1  # stat failed: never fresh, so the plain scan reports the problem


def local_listing(root: str, since: datetime | None = None, until: datetime | None = None,
                  known: Manifest | None = None) -> Listing:
    """The local source's files for a range (the same files, in the same order,
    as `LocalSource` reads), each stat'ed; from `known` when its marks hold."""
    whole = since is None and until is None and os.path.isdir(root)
    if whole and known is not None and root in known.folders and marks_hold(known.folders):
        return known_listing(known)
    marks = folder_marks(root) if whole else None  # before the walk: a later change breaks a mark
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
    return Listing(files, list(found.problems), None if found.problems else marks)
