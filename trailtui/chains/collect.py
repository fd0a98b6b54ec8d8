"""One streaming pass over any `EventSource` into a `ChainIndex`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from trailtui.chains.index import ChainIndex
from trailtui.sources.base import EventSource, Problem, Query
from trailtui.timerange import TimeRange

PAGE_SIZE = 1_000


@dataclass(slots=True)
class ChainScan:
    """Progress of a collecting pass: the index so far, events scanned,
    problems since the previous step."""

    index: ChainIndex
    scanned: int = 0
    problems: list[Problem] = field(default_factory=list)
    progress: float | None = None


async def collect_chains(source: EventSource, time_range: TimeRange | None = None,
                         event_id: str = "", index: ChainIndex | None = None) -> AsyncIterator[ChainScan]:
    """Feed every event of `source` in `time_range` to one index, yielding
    progress per page.  Every event matters (any of them may be made with a key
    of the chain), so nothing is filtered out at the source.  The caller owns
    the source; cancelling the consumer stops the scan."""
    index = index if index is not None else ChainIndex(want_event_id=event_id)
    query = Query(time_range=time_range or TimeRange(), page_size=PAGE_SIZE)
    scanned = 0
    async for page in source.search(query):
        scanned += page.scanned
        for event in page.events:
            index.feed(event)
        yield ChainScan(index, scanned, list(page.problems), page.progress)
