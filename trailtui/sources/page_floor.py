"""Which matches a newest-first page of N events can still need, judged while
a batch of files is read in order, so those it cannot need are counted but
never built into events (building one costs more than decoding it).

A match is beyond the page when N matches read before it (earlier files, or
earlier in its file) are at least as new: they are released before it, ties
going to the one read first.  It is still built when it is newer than its own
file's delivery stamp: such a match can be released out of order, and it is
reported as such, so it must reach the ordering.  Judging only within a batch
keeps this free of shared state: a worker process needs nothing but its batch.
"""

from __future__ import annotations

import heapq
from datetime import datetime


class PageFloor:
    """The `size` newest match times seen so far in a batch."""

    __slots__ = ("size", "_newest")

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._newest: list[datetime] = []  # a min-heap: [0] is the oldest of the newest

    def needs(self, when: datetime, stamp: datetime) -> bool:
        """False when a match at `when`, in a file stamped `stamp`, cannot be on
        the page; True (and it counts from now on) otherwise."""
        newest = self._newest
        if len(newest) < self.size:
            heapq.heappush(newest, when)
            return True
        if when > newest[0]:
            heapq.heapreplace(newest, when)
            return True
        return when > stamp
