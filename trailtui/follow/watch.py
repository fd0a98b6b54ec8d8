"""The follow loop shared by `query --follow` and the console's `F`: poll at
the interval, and on a failed poll (a lost network, throttling, an expired
token) say why and wait longer, doubling up to `MAX_WAIT`, never ending the
follow.  Each poll becomes one `FollowStep` for the face to show.

`watch` is the console's follow, started after its search: it primes the
follower with the search's start time, remembers the rows already shown, and
follows what the view shows OR what any hunt could use, so every new event
goes through the hunts while only the view's go on screen (the face re-applies
its filter).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trailtui.aws.config import AwsConfig
from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.follow.hunting import ArrivalHunts
from trailtui.follow.local_files import Clock, utc_now
from trailtui.follow.open import Follower, open_follower
from trailtui.hunts.engine import Hit
from trailtui.hunts.model import Hunt
from trailtui.hunts.runner import candidate_filter
from trailtui.safe import visible
from trailtui.sources.base import EventSource, Problem, SourceError

MAX_WAIT = 300.0
Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True)
class FollowStep:
    """One poll.  `events`: the new ones, oldest first; `error`: why the poll
    failed (one line; empty when it worked); `retry_in`: seconds to the next poll."""

    polled_at: datetime
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    error: str = ""
    retry_in: float = 0.0
    newest: datetime | None = None
    scanned_bytes: int | None = None


def poll_error(exc: BaseException) -> str:
    """A failed poll in one line: the source's own words, or the error's kind."""
    if isinstance(exc, SourceError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    lines = text.strip().splitlines()
    return visible(lines[0] if lines else type(exc).__name__)[:200]


async def follow_steps(follower: Follower, interval: float, hunts: ArrivalHunts | None = None,
                       clock: Clock = utc_now, sleep: Sleep = asyncio.sleep,
                       first_wait: float | None = None) -> AsyncGenerator[FollowStep]:
    """Poll `follower` forever (until the consumer closes the generator),
    one step per poll; the first poll comes after `first_wait` (default: the
    interval).  New events go through `hunts` when given."""
    wait = interval if first_wait is None else first_wait
    while True:
        await sleep(wait)
        try:
            arrival = await follower.poll()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a failed poll is one line and a longer wait, never the end
            wait = min(max(wait * 2, interval), MAX_WAIT)
            yield FollowStep(clock(), error=poll_error(exc), retry_in=wait, newest=follower.newest)
            continue
        wait = interval
        hits = hunts.offer(arrival.events) if hunts is not None else []
        yield FollowStep(arrival.polled_at or clock(), arrival.events, arrival.problems, hits,
                         retry_in=wait, newest=follower.newest, scanned_bytes=arrival.scanned_bytes)


@dataclass(frozen=True, slots=True)
class WatchPlan:
    """A follow started after a search: what to watch and what is on screen."""

    url: str
    view: EventFilter  # what the face shows
    interval: float
    hunts: tuple[Hunt, ...] = ()
    since: datetime | None = None  # when the search on screen started
    shown: tuple[dict[str, Any], ...] = ()  # the newest records on screen
    newest: datetime | None = None  # the newest event time on screen
    aws: AwsConfig | None = None


def watched_filter(view: EventFilter, hunts: tuple[Hunt, ...]) -> EventFilter:
    """The view's filter, widened to every event a hunt could use."""
    if not hunts or not view.text.strip():
        return view
    return EventFilter.compile(f"({view.text}) || ({candidate_filter(hunts).text})")


async def watch(source: EventSource, plan: WatchPlan, clock: Clock = utc_now,
                sleep: Sleep = asyncio.sleep) -> AsyncGenerator[FollowStep]:
    """Follow `source` after a search; the first poll comes at once (it
    catches up on what landed since the search started)."""
    hunting = ArrivalHunts(plan.hunts) if plan.hunts else None
    follower = open_follower(plan.url, source, watched_filter(plan.view, plan.hunts), plan.aws, clock)
    await follower.prime(plan.since)
    follower.remember(plan.shown, plan.newest)
    if hunting is not None:
        hunting.seed(Event.from_raw(raw) for raw in plan.shown)
    async for step in follow_steps(follower, plan.interval, hunting, clock, sleep, first_wait=0.0):
        yield step
