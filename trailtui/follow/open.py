"""The follower for a source URL: one interface (`prime`, `shown`, `poll`)
whatever the kind of source."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from trailtui.aws.config import AwsConfig
from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.follow.arrival import Arrival, SeenEvents
from trailtui.follow.local_files import Clock, LocalFollower, utc_now
from trailtui.follow.window import WindowFollower
from trailtui.sources.base import EventSource
from trailtui.sources.registry import scheme_of


class Poller(Protocol):
    async def prime(self, since: datetime | None = None) -> None: ...

    async def poll(self) -> Arrival: ...

    def note(self, when: datetime) -> None: ...


@dataclass(slots=True)
class Follower:
    """Watches one source for events that arrive after the first search.

    Call `prime()` before that search (so files that land during it are not
    missed), `shown()` with the events it printed, then `poll()` at an interval.
    A follow started after the search (the console's `F`) primes with the
    search's start time instead: files written since then are read again at
    the first poll, and `remember()` of the newest rows shown keeps their
    events from showing twice."""

    kind: str
    seen: SeenEvents
    poller: Poller
    newest: datetime | None = None

    async def prime(self, since: datetime | None = None) -> None:
        await self.poller.prime(since)

    def shown(self, events: list[Event]) -> None:
        for event in events:
            self.seen.add(event)
            self._note(event.time)

    def remember(self, raws: Iterable[dict[str, Any]], newest: datetime | None) -> None:
        """Records already on screen (by their eventID), and the newest time among them."""
        for raw in raws:
            self.seen.add_raw(raw)
        if newest is not None:
            self._note(newest)

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
        from trailtui.sources.local_path import local_path

        path = local_path(url)
        return Follower("files", seen, LocalFollower(path, flt, seen, clock))
    if scheme == "s3":
        from trailtui.aws.clients import ClientFactory
        from trailtui.follow.s3_objects import S3Follower
        from trailtui.sources.s3 import S3Source

        factory = source.client_factory if isinstance(source, S3Source) else ClientFactory(aws or AwsConfig())
        return Follower("objects", seen, S3Follower(url, factory, flt, seen, clock))
    return Follower("window", seen, WindowFollower(source, flt, seen, clock))
