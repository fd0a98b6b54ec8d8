"""Following a local trail: new or changed log files under today's and
yesterday's date folders, each read once it is complete.

A file still being written (a sync in progress, a slow copy) is not reported
as corrupt: it is read once its size and mtime held still from one poll to the
next, or once it is older than `settle` seconds, and a file that fails to parse
while it is younger than `grace` seconds is simply tried again at the next poll.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trailtui.filters import EventFilter
from trailtui.follow.arrival import Arrival, SeenEvents
from trailtui.sources.base import Problem
from trailtui.sources.local import discover
from trailtui.sources.scan import ScanRequest, scan_path

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _age(mark: FileMark) -> float:
    """Seconds since the file was last written (wall clock, like its mtime)."""
    return time.time() - mark.mtime_ns / 1e9


@dataclass(frozen=True, slots=True)
class FileMark:
    """What a file looked like when last seen: a change means read it again."""

    size: int
    mtime_ns: int


class LocalFollower:
    """Polls a local tree for log files that were not there (or have changed)."""

    def __init__(self, root: str, flt: EventFilter, seen: SeenEvents, clock: Clock = utc_now,
                 settle: float = 2.0, grace: float = 120.0) -> None:
        self.root = root
        self.filter = flt
        self.seen = seen
        self.clock = clock
        self.settle = settle
        self.grace = grace
        self._read: dict[str, FileMark] = {}
        self._waiting: dict[str, FileMark] = {}

    def _window_start(self) -> datetime:
        """Midnight UTC of yesterday: a file for a day that just ended can still land."""
        now = self.clock()
        return datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=1)

    def _current(self) -> tuple[dict[str, FileMark], list[Problem]]:
        found = discover(self.root, since=self._window_start())
        marks: dict[str, FileMark] = {}
        for log in found.files:
            try:
                info = os.stat(log.path)
            except OSError:
                continue  # vanished between the walk and now
            marks[log.path] = FileMark(info.st_size, info.st_mtime_ns)
        return marks, list(found.problems)

    async def prime(self, since: datetime | None = None) -> None:
        """Take the files there now as read: the search that runs first shows
        them.  With `since` (when that search started), files written at or
        after it are left to the first poll: they may have landed after the
        search passed them."""
        marks, _ = await asyncio.to_thread(self._current)
        if since is not None:
            cut = since.timestamp() * 1e9
            marks = {path: mark for path, mark in marks.items() if mark.mtime_ns < cut}
        self._read = marks

    async def poll(self) -> Arrival:
        return await asyncio.to_thread(self.poll_now)

    def note(self, when: datetime) -> None:
        """Files, not times, say what is new here."""

    def poll_now(self) -> Arrival:
        now = self.clock()
        marks, problems = self._current()
        arrival = Arrival(problems=problems, polled_at=now)
        request = ScanRequest(self.filter.text)
        for path, mark in sorted(marks.items()):
            if self._read.get(path) == mark or not self._complete(path, mark):
                continue
            scan = scan_path(path, request)
            young = _age(mark) < self.grace
            if scan.problem and young:
                self._waiting[path] = mark  # probably still being written: try again
                continue
            self._read[path] = mark
            self._waiting.pop(path, None)
            if scan.problem:
                arrival.problems.append(Problem(path, scan.problem))
            arrival.events.extend(self.seen.fresh(scan.events))
        self._forget(marks)
        arrival.events.sort(key=lambda e: e.time)
        return arrival

    def _complete(self, path: str, mark: FileMark) -> bool:
        """Unchanged since the previous poll, or untouched for `settle` seconds."""
        if self._waiting.get(path) == mark:
            return True
        if _age(mark) >= self.settle:
            return True
        self._waiting[path] = mark
        return False

    def _forget(self, marks: dict[str, FileMark]) -> None:
        """Files that left the window (or the disk) are forgotten: memory stays flat."""
        self._read = {p: m for p, m in self._read.items() if p in marks}
        self._waiting = {p: m for p, m in self._waiting.items() if p in marks}
