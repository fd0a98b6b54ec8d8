"""Following a query source (Event history, Athena, Lake): ask again for the
window since the newest event seen, less an overlap for events that CloudTrail
delivers late, and keep only the events not shown yet."""

from __future__ import annotations

from datetime import datetime, timedelta

from trailtui.filters import EventFilter
from trailtui.follow.arrival import Arrival, SeenEvents
from trailtui.follow.local_files import Clock, utc_now
from trailtui.sources.base import EventSource, Query
from trailtui.timerange import TimeRange

# CloudTrail delivers most events within 5 minutes and nearly all within 15.
OVERLAP = timedelta(minutes=20)


class WindowFollower:
    def __init__(self, source: EventSource, flt: EventFilter, seen: SeenEvents, clock: Clock = utc_now) -> None:
        self.source = source
        self.filter = flt
        self.seen = seen
        self.clock = clock
        self.newest: datetime | None = None

    async def prime(self, since: datetime | None = None) -> None:
        """Nothing to take stock of: the window starts at the newest event shown."""

    def note(self, when: datetime) -> None:
        """An event shown by the first search: the window starts from the newest."""
        if self.newest is None or when > self.newest:
            self.newest = when

    async def poll(self) -> Arrival:
        now = self.clock()
        since = (self.newest or now) - OVERLAP
        arrival = Arrival(polled_at=now)
        query = Query(filter=self.filter, time_range=TimeRange(since=since), page_size=500)
        async for page in self.source.search(query):
            arrival.problems.extend(page.problems)
            if page.scanned_bytes is not None:
                arrival.scanned_bytes = (arrival.scanned_bytes or 0) + page.scanned_bytes
            arrival.events.extend(self.seen.fresh(page.events))
        for event in arrival.events:
            self.note(event.time)
        arrival.events.sort(key=lambda e: e.time)
        return arrival
