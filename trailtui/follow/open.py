"""The follower for a source URL: one interface (`prime`, `shown`, `poll`)
whatever the kind of source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from trailtui.aws.config import AwsConfig
from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.follow.arrival import Arrival, SeenEvents
from trailtui.follow.local_files import Clock, LocalFollower, utc_now
from trailtui.follow.window import WindowFollower
from trailtui.sources.base import EventSource
from trailtui.sources.registry import scheme_of


class Poller(Protocol):
    async def prime(self) -> None: ...

    async def poll(self) -> Arrival: ...

    def note(self, when: datetime) -> None: ...


@dataclass(slots=True)
class Follower:
    """Watches one source for events that arrive after the first search.

    Call `prime()` before that search (so files that land during it are not
    missed), `shown()` with the events it printed, then `poll()` at an interval."""

    kind: str
    seen: SeenEvents
    poller: Poller
    newest: datetime | None = None

    async def prime(self) -> None:
        await self.poller.prime()

    def shown(self, events: list[Event]) -> None:
        for event in events:
            self.seen.add(event)
            self._note(event.time)

    async def poll(self) -> Arrival:
        arrival = await self.poller.poll()
        for event in arrival.events:
            self._note(event.time)
        return arrival

    def _note(self, when: datetime) -> None:
        if self.newest is None or when > self.newest:
            self.newest = when
        self.poller.note(when)


def open_follower(url: str, source: EventSource, flt: EventFilter, aws: AwsConfig | None = None,
                  clock: Clock = utc_now) -> Follower:
    """A follower for `url`: new files for a local tree or an S3 bucket, a
    re-query of the newest window for Event history, Athena and Lake."""
    seen = SeenEvents()
    scheme = scheme_of(url)
    if scheme == "file":
        path = url[len("file://"):] if url.startswith("file://") else url
        return Follower("files", seen, LocalFollower(path, flt, seen, clock))
    if scheme == "s3":
        from trailtui.aws.clients import ClientFactory
        from trailtui.follow.s3_objects import S3Follower

        factory = getattr(source, "_factory", None) or ClientFactory(aws or AwsConfig())
        return Follower("objects", seen, S3Follower(url, factory, flt, seen, clock))
    return Follower("window", seen, WindowFollower(source, flt, seen, clock))
