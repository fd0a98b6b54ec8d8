"""The one protocol every event source implements.

A source yields `Page`s newest first.  It may push part of the filter down to the
server (SQL, a lookup attribute, date-path pruning) but the caller's `EventFilter`
is always re-applied to every event it yields, so every source returns the same
rows for the same query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.timerange import TimeRange


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that could not be read, said in one line: where and what."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class Capabilities:
    sql_pushdown: bool = False
    server_time_pruning: bool = False
    raw_json: bool = True
    server_cancel: bool = False


@dataclass(slots=True)
class Query:
    filter: EventFilter = field(default_factory=lambda: EventFilter.compile(""))
    time_range: TimeRange = field(default_factory=TimeRange)
    limit: int | None = None
    page_size: int = 200

    def cap(self, events: list[Event], emitted: int) -> list[Event]:
        """`events` cut to what is left of the limit once `emitted` went out."""
        return events if self.limit is None else events[: max(0, self.limit - emitted)]


@dataclass(slots=True)
class Page:
    """A batch of matching events plus progress counters.

    `scanned` counts events examined for this page (not cumulative); `problems`
    lists what could not be read since the previous page; `progress` is a 0..1
    estimate when the source can tell, else None; `status` is a short word for
    the status line (e.g. `RUNNING 12.3 MB scanned`); `notices` are one-line
    warnings about how the answer was found (e.g. the store could not be used
    and a plain scan answered), not about the data; `scanned_bytes` is what the
    server says the query read (Athena's DataScannedInBytes, which it bills),
    on the page that ends a query, None where a source cannot tell."""

    events: list[Event] = field(default_factory=list)
    scanned: int = 0
    problems: list[Problem] = field(default_factory=list)
    progress: float | None = None
    status: str = ""
    notices: list[str] = field(default_factory=list)
    scanned_bytes: int | None = None


def split_pages(events: list[Event], page_size: int, scanned: int = 0, problems: list[Problem] | None = None,
                progress: float | None = None, status: str = "") -> Iterator[Page]:
    """One server response as pages of at most `page_size` events (a single
    empty page when there are none); `scanned` and `problems` go on the first."""
    for start in range(0, max(len(events), 1), page_size):
        yield Page(events=events[start:start + page_size], scanned=scanned if start == 0 else 0,
                   problems=(problems or []) if start == 0 else [], progress=progress, status=status)


class SourceError(Exception):
    """A fatal, user-facing error from a source: one line, no traceback."""


@runtime_checkable
class EventSource(Protocol):
    """What the TUI, CLI, hunts and export talk to."""

    url: str

    @property
    def capabilities(self) -> Capabilities:
        """What the source can do server-side (the console says how a cancel ends)."""
        ...

    def search(self, query: Query) -> AsyncIterator[Page]:
        """Yield pages newest first until the query is exhausted or its limit met.
        Cancelling the consuming task must stop the work (and the server query)."""
        ...

    async def close(self) -> None:
        ...
