"""Release events in exact newest-first order while files are still being read.

CloudTrail never puts an event in a log file delivered before the event
happened, so once every file stamped after time T has been read, every event
newer than T is known: those can be released.  Shared by the local and S3
sources (both read files in delivery-stamp order)."""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import Iterator

from trailtui.events import Event


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

    def __len__(self) -> int:
        return len(self._heap)
