"""Release events in exact newest-first order while files are still being read.

CloudTrail never puts an event in a log file delivered before the event
happened, so once every file stamped after time T has been read, every event
newer than T is known: those can be released.  Shared by the local and S3
sources (both read files in delivery-stamp order)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime

from trailtui.events import Event
from trailtui.sources.base import Page, Query


class NewestFirst:
    """Holds decoded events until it is safe to release them in time order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Event]] = []
        self._tick = 0

    def push(self, event: Event) -> None:
        self._tick += 1
        heapq.heappush(self._heap, (-event.time.timestamp(), self._tick, event))

    def release_newer_than(self, bound: datetime | None) -> Iterator[Event]:
        """Pop events strictly newer than `bound` (all of them when None)."""
        limit = None if bound is None else bound.timestamp()
        while self._heap and (limit is None or -self._heap[0][0] > limit):
            yield heapq.heappop(self._heap)[2]

    def final_pages(self, query: Query, emitted: int, status: str = "") -> Iterator[Page]:
        """Once every file is read: what is still held, within the limit, in
        pages of `query.page_size`; a single empty page when nothing is left."""
        rest = query.cap(list(self.release_newer_than(None)), emitted)
        for start in range(0, len(rest), query.page_size):
            yield Page(events=rest[start:start + query.page_size], progress=1.0)
        if not rest:
            yield Page(progress=1.0, status=status)

    def __len__(self) -> int:
        return len(self._heap)
