"""A local tree's log files newest delivery first, in exactly the order of the
eager listing (`discover`: by (stamp, path), descending), but parsed and sorted
folder by folder only as a scan reaches them.

A day folder whose every name is the one CloudTrail writes there
(`ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_...`, the folder's own account,
region and day, a valid hour and minute) holds no file stamped after that day:
it waits, unparsed, behind that bound until every file stamped later has been
taken.  Its names then sort as its files do (same prefix, fixed-width stamp),
so it is opened with one string sort and each name parsed only when taken.
Any other folder (a stray name, a stamp with seconds, files outside a day
folder) is parsed whole up front, so the order stays exact for any tree.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta

from trailtui.instant import EARLIEST, LATEST
from trailtui.sources.layout import DeliveryWindow
from trailtui.sources.tree_walk import Folder, LogFile, Walked, log_file_stamp, log_files

# What follows the day in a name CloudTrail writes: a valid hour and minute, `Z_`.
_TIMES_OF_DAY = frozenset(f"{hour:02d}{minute:02d}Z_" for hour in range(24) for minute in range(60))
_DAY = timedelta(days=1)
_LAST_MICROSECOND = timedelta(microseconds=1)


def day_bound(folder: Folder) -> datetime | None:
    """The latest stamp any file of `folder` can carry when it is a day folder
    holding only names CloudTrail writes there; None otherwise (the folder
    must be parsed to know).  String operations over the whole listing: a day
    folder holds hundreds of names, a tree hundreds of day folders."""
    key = folder.day
    names = folder.names
    if key is None or not names:
        return None
    start = datetime(key.day.year, key.day.month, key.day.day, tzinfo=UTC)
    if start < EARLIEST or start + _DAY > LATEST:
        return None
    text = "\n" + "\n".join(names)
    if text.count("\n") != len(names):  # a name holding a line break
        return None
    prefix = f"\n{key.account}_CloudTrail_{key.region}_{start:%Y%m%d}T"
    if text.count(prefix) != len(names):  # every name starts with it
        return None
    at = len(prefix) - 1
    if not {name[at:at + 6] for name in names} <= _TIMES_OF_DAY:
        return None
    return start + _DAY - _LAST_MICROSECOND


class _Run:
    """One folder's files, newest first: parsed already, or (a conforming day
    folder) names sorted on opening and parsed one by one as taken."""

    __slots__ = ("folder", "bound", "files", "names", "head")

    def __init__(self, folder: Folder, window: DeliveryWindow) -> None:
        self.folder = folder
        self.bound = day_bound(folder)
        self.files: list[LogFile] = []
        self.names: list[str] = []
        self.head: LogFile | None = None
        if self.bound is None:
            self.files = sorted(log_files(folder, window))  # oldest first: taken from the end

    def open(self) -> None:
        self.names = sorted(self.folder.names)
        self.bound = None

    def advance(self, window: DeliveryWindow) -> LogFile | None:
        """Move to the next file (None when the run is done)."""
        if self.files:
            self.head = self.files.pop()
            return self.head
        prefix = self.folder.prefix
        while self.names:
            name = self.names.pop()
            stamp = log_file_stamp(name, window)
            if stamp is not None:
                self.head = LogFile(stamp, prefix + name)
                return self.head
        self.head = None
        return None


class _Newest:
    """A heap entry that sorts first when its key is the largest."""

    __slots__ = ("key", "run")

    def __init__(self, key: tuple[datetime, int, str], run: _Run) -> None:
        self.key = key
        self.run = run

    def __lt__(self, other: _Newest) -> bool:
        return self.key > other.key


class NewestFiles:
    """The `FileCursor` of a walked tree: files newest first, folders parsed
    as they are reached."""

    def __init__(self, walked: Walked, window: DeliveryWindow) -> None:
        self.window = window
        self._heap: list[_Newest] = []
        self._left = 0
        for folder in walked.folders:
            self._left += len(folder.names)
            run = _Run(folder, window)
            if run.bound is not None:
                # A waiting folder sorts above every file stamped at its bound or earlier.
                self._heap.append(_Newest((run.bound, 1, ""), run))
            elif (head := run.advance(window)) is not None:
                self._push(run, head)
        heapq.heapify(self._heap)

    def _push(self, run: _Run, head: LogFile) -> None:
        heapq.heappush(self._heap, _Newest((head.stamp, 0, head.path), run))

    def _top(self) -> LogFile | None:
        """The next file, opening waiting folders that could hold a newer one."""
        while self._heap:
            run = self._heap[0].run
            if run.bound is None:
                return run.head
            heapq.heappop(self._heap)
            run.open()
            if (head := run.advance(self.window)) is not None:
                self._push(run, head)
        return None

    def take(self, count: int) -> list[tuple[datetime, str]]:
        out: list[tuple[datetime, str]] = []
        while len(out) < count:
            head = self._top()
            if head is None:
                break
            out.append(head)
            run = heapq.heappop(self._heap).run
            if (after := run.advance(self.window)) is not None:
                self._push(run, after)
        self._left = max(len(out), self._left) - len(out)
        return out

    def next_stamp(self) -> datetime | None:
        head = self._top()
        return None if head is None else head.stamp

    def left(self) -> int:
        return self._left
