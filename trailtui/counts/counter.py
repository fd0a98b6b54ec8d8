"""Counting keys in bounded memory: exact while they fit, Space-Saving beyond.

While at most `capacity` distinct keys have been seen every count, first and
last time is exact.  When the table reaches twice `capacity` it keeps the
`capacity` largest counts and drops the rest, remembering `floor`, the largest
count it dropped.  A key seen again after that (or for the first time) starts
at `floor + 1` with an error of `floor`, as in Space-Saving (Metwally et al.,
2005): every kept count is an over-estimate by at most its error, and a key
not kept occurred at most `floor` times.  So memory stays at about
`2 * capacity` entries (and `KEY_CHARS_BUDGET` characters of keys) however
many distinct keys stream past, and the answer says it is approximate
and by how much.  Distinct keys are then estimated with HyperLogLog.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from trailtui.counts.distinct import DistinctEstimate
from trailtui.counts.keys import Key, key_order
from trailtui.counts.result import CountResult, Group, ordered
from trailtui.counts.spark import SparkFrame, bars, rebinned
from trailtui.events import EPOCH, Event

DEFAULT_CAPACITY = 100_000
# Keys are event data and may be long (`--by requestParameters`): the table is
# also compacted when its keys' text passes this many characters (~100 MB).
KEY_CHARS_BUDGET = 25_000_000
SPARK_BARS = 12

# An entry: [count, error, first, last] (+ [bins, exponent] with sparks).
_COUNT, _ERROR, _FIRST, _LAST, _BINS, _EXPONENT = range(6)


def _key_chars(key: Key) -> int:
    return sum(len(part) for part in key if isinstance(part, str))


class GroupCounter:
    """Counts events per key.  `spark=True` also keeps when each group's
    events happened (the console's spark), at some cost per event."""

    def __init__(self, by: Iterable[str], capacity: int = DEFAULT_CAPACITY, spark: bool = False) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.by = tuple(by)
        self.capacity = capacity
        self.spark = spark
        self.events = 0
        self.floor = 0
        self.approximate = False
        self.frame = SparkFrame()
        self.first: datetime | None = None
        self.last: datetime | None = None
        self._table: dict[Key, list[Any]] = {}
        self._key_chars = 0
        self._distinct: DistinctEstimate | None = None

    def __len__(self) -> int:
        return len(self._table)

    # -- counting -----------------------------------------------------------------
    def add_events(self, events: Iterable[Event], key_of: Callable[[dict[str, Any]], Key]) -> None:
        if self.spark:
            self._add_with_spark(events, key_of)
            return
        table = self._table
        added = 0
        for event in events:
            added += 1
            key = key_of(event.raw)
            when = event.time
            entry = table.get(key)
            if entry is None:
                self._insert(key, when)
                table = self._table  # a compaction replaces it
                continue
            entry[0] += 1
            if when < entry[2]:
                entry[2] = when
            elif when > entry[3]:
                entry[3] = when
        self.events += added

    def _add_with_spark(self, events: Iterable[Event], key_of: Callable[[dict[str, Any]], Key]) -> None:
        table, frame = self._table, self.frame
        for event in events:
            self.events += 1
            key = key_of(event.raw)
            when = event.time
            second = int((when - EPOCH).total_seconds())
            frame.cover(second)
            if self.first is None or when < self.first:
                self.first = when
            if self.last is None or when > self.last:
                self.last = when
            entry = table.get(key)
            if entry is None:
                entry = self._insert(key, when)
                table = self._table  # a compaction replaces it
            else:
                entry[0] += 1
                if when < entry[2]:
                    entry[2] = when
                elif when > entry[3]:
                    entry[3] = when
            if entry[_EXPONENT] != frame.exponent:
                entry[_BINS] = rebinned(entry[_BINS], entry[_EXPONENT], frame.exponent)
                entry[_EXPONENT] = frame.exponent
            slot = second >> frame.exponent
            bins = entry[_BINS]
            bins[slot] = bins.get(slot, 0) + 1

    def add_counts(self, groups: dict[Key, list[Any]]) -> None:
        """Counts made elsewhere (a scanning process): key -> [count, first, last]."""
        table = self._table
        for key, (count, first, last) in groups.items():
            self.events += count
            entry = table.get(key)
            if entry is None:
                self._insert(key, first, count)[_LAST] = last
                table = self._table  # a compaction replaces it
                continue
            entry[_COUNT] += count
            if first < entry[_FIRST]:
                entry[_FIRST] = first
            if last > entry[_LAST]:
                entry[_LAST] = last

    def add(self, key: Key, when: datetime) -> None:
        """One event (for callers without `Event`s)."""
        self.add_events([Event({}, time=when)], lambda _raw: key)

    def _insert(self, key: Key, when: datetime, count: int = 1) -> list[Any]:
        floor = self.floor
        entry: list[Any] = [floor + count, floor, when, when]
        if self.spark:
            entry += [{}, self.frame.exponent]
        self._table[key] = entry
        if self._distinct is not None:
            self._distinct.add(key)
        self._key_chars += _key_chars(key)
        if len(self._table) >= 2 * self.capacity or self._key_chars > KEY_CHARS_BUDGET:
            self._compact(min(self.capacity, len(self._table) // 2))
        return entry

    def _compact(self, keep: int) -> None:
        """Keep the `keep` largest counts; remember the largest dropped.
        One sort of the bare counts (in C) finds the cut, one pass keeps."""
        table = self._table
        if self._distinct is None:
            self._distinct = DistinctEstimate()
            for key in table:
                self._distinct.add(key)
        counts = sorted((entry[_COUNT] for entry in table.values()), reverse=True)
        keep = max(1, keep)
        cut = counts[keep - 1]
        room = keep - sum(1 for count in counts[:keep] if count > cut)
        kept: dict[Key, list[Any]] = {}
        dropped = 0
        for key, entry in table.items():
            count = entry[_COUNT]
            if count > cut:
                kept[key] = entry
            elif count == cut and room > 0:
                kept[key] = entry
                room -= 1
            elif count > dropped:
                dropped = count
        self.floor = max(self.floor, dropped)
        self._table = kept
        self._key_chars = sum(_key_chars(key) for key in kept)
        self.approximate = True

    # -- answers -------------------------------------------------------------------
    @property
    def distinct(self) -> int:
        if self._distinct is None:
            return len(self._table)
        return max(self._distinct.estimate(), len(self._table))

    def result(self, top: int | None, spark_bars: int = SPARK_BARS) -> CountResult:
        """The `top` groups (all when None), count descending then key ascending."""
        chosen = self._top_items(top) if top is not None else list(self._table.items())
        groups = ordered([self._group(key, entry, spark_bars) for key, entry in chosen])
        if top is not None:
            groups = groups[:top]
        return CountResult(by=self.by, events=self.events, distinct=self.distinct, groups=tuple(groups),
                           approximate=self.approximate, error_bound=self.floor, first=self.first, last=self.last)

    def _top_items(self, top: int) -> list[tuple[Key, list[Any]]]:
        """The `top` entries by count, ties at the cut broken by key order."""
        if top <= 0:
            return []
        entries = self._table.items()
        largest = heapq.nlargest(top, entries, key=lambda item: item[1][_COUNT])
        if not largest:
            return []
        cut = largest[-1][1][_COUNT]
        above = [item for item in largest if item[1][_COUNT] > cut]
        tied = [item for item in entries if item[1][_COUNT] == cut]
        return above + heapq.nsmallest(top - len(above), tied, key=lambda item: key_order(item[0]))

    def _group(self, key: Key, entry: list[Any], spark_bars: int) -> Group:
        spark: tuple[int, ...] = ()
        if self.spark:
            spark = bars(rebinned(entry[_BINS], entry[_EXPONENT], self.frame.exponent), self.frame, spark_bars)
        return Group(key, entry[_COUNT], entry[_FIRST], entry[_LAST], entry[_ERROR], spark)
