"""Release events in exact newest-first order while files are still being read.

CloudTrail never puts an event in a log file delivered before the event
happened, so once every file stamped after time T has been read, every event
newer than T is known: those can be released.  Shared by the local and S3
sources (both read files in delivery-stamp order)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime

from trailtui.events import Event, record_label
from trailtui.sources.base import Page, Problem, Query


class NewestFirst:
    """Holds decoded events until it is safe to release them in time order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Event]] = []
        self._tick = 0
        self._floor: float | None = None  # the time of the oldest event released so far

    def push(self, event: Event) -> Problem | None:
        """Hold `event`; a problem when it comes too late for its place: it is
        newer than events already released, which only a file holding events
        newer than its delivery stamp (crafted, or a clock far off) can cause.
        It is still released, next, and the problem says it is out of order."""
        self._tick += 1
        stamp = event.time.timestamp()
        heapq.heappush(self._heap, (-stamp, self._tick, event))
        if self._floor is None or stamp <= self._floor:
            return None
        return Problem(event.location, f"{record_label(event.raw)} at {event.time:%Y-%m-%dT%H:%M:%SZ} is newer than "
                                       "its file's delivery stamp and than events already shown: listed out of order")

    def release_newer_than(self, bound: datetime | None) -> Iterator[Event]:
        """Pop events strictly newer than `bound` (all of them when None)."""
        limit = None if bound is None else bound.timestamp()
        while self._heap and (limit is None or -self._heap[0][0] > limit):
            stamp, _, event = heapq.heappop(self._heap)
            self._floor = -stamp if self._floor is None else min(self._floor, -stamp)
            yield event

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
