"""The order the event list shows a `RowStore`'s rows in.

The store is append-only, so a row's index never changes (marks, the detail
view and the selection hold on to it).  Rows come from two places: the scan
(newest first, in store order) and, in follow mode, events that arrived
afterwards, which go on top, the newest arrival first.  Both are appended to
the store in runs (a page, a poll), possibly interleaved when the scan is
still spooling, so the order is kept as runs of store indexes, not one integer
per row: a position maps to its row by bisection over a handful of runs.

Positions count from the top of the newest-first list; the list reverses them
for oldest first.  Pure Python, no Textual.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Run:
    start: int  # first store index
    stop: int
    arrived: bool
    before: int  # rows of the same kind in earlier runs


class RowOrder:
    def __init__(self) -> None:
        self._runs: list[_Run] = []  # by store index
        self._starts: list[int] = []
        self._scan: list[_Run] = []  # scan runs, in order
        self._scan_ends: list[int] = []  # cumulative row counts
        self._arrived: list[_Run] = []  # arrival runs, oldest first
        self._arrived_ends: list[int] = []
        self.scanned = 0
        self.arrived = 0

    def __len__(self) -> int:
        return self.scanned + self.arrived

    def add(self, rows: range, arrived: bool = False) -> None:
        """Rows just appended to the store by the scan, or by one poll (oldest first)."""
        if not rows:
            return
        runs, ends = (self._arrived, self._arrived_ends) if arrived else (self._scan, self._scan_ends)
        last = self._runs[-1] if self._runs else None
        if last is not None and last.arrived == arrived and last.stop == rows.start:
            grown = _Run(last.start, rows.stop, arrived, last.before)
            self._runs[-1] = grown
            runs[-1] = grown
            ends[-1] += len(rows)
        else:
            count = ends[-1] if ends else 0
            run = _Run(rows.start, rows.stop, arrived, count)
            self._runs.append(run)
            self._starts.append(rows.start)
            runs.append(run)
            ends.append(count + len(rows))
        if arrived:
            self.arrived += len(rows)
        else:
            self.scanned += len(rows)

    def index_at(self, position: int) -> int:
        """The store index of the row at `position` (0: top of newest first)."""
        if not self.arrived and len(self._scan) <= 1:
            return position + (self._scan[0].start if self._scan else 0)
        if position < self.arrived:
            nth = self.arrived - 1 - position  # counting arrivals from the oldest
            run = self._arrived[bisect_right(self._arrived_ends, nth)]
        else:
            nth = position - self.arrived
            found = bisect_right(self._scan_ends, nth)
            if found >= len(self._scan):  # past the end (the store grew before the order heard of it)
                return position
            run = self._scan[found]
        return run.start + (nth - run.before)

    def position_of(self, index: int) -> int:
        """Where the row with store index `index` is (0: top of newest first)."""
        if not self.arrived and len(self._scan) <= 1:
            return index - (self._scan[0].start if self._scan else 0)
        found = bisect_right(self._starts, index) - 1
        if found < 0 or index >= self._runs[found].stop:
            return index
        run = self._runs[found]
        nth = run.before + (index - run.start)
        return self.arrived - 1 - nth if run.arrived else self.arrived + nth

    def is_arrived(self, index: int) -> bool:
        """True for a row that follow mode brought."""
        if not self.arrived:
            return False
        found = bisect_right(self._starts, index) - 1
        return found >= 0 and index < self._runs[found].stop and self._runs[found].arrived
