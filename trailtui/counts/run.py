"""Counting a source, the cheapest exact way it offers: the server's GROUP BY
(Athena, Lake), the local store's, a scan that counts where it decodes (local
trees), else a stream of its events through a bounded `GroupCounter`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from trailtui.counts.counter import DEFAULT_CAPACITY, GroupCounter
from trailtui.counts.keys import GroupSpec
from trailtui.counts.result import CountResult
from trailtui.counts.server import server_count
from trailtui.counts.store import store_count
from trailtui.sources.base import EventSource, Page, Query

PAGE_SIZE = 1000


async def count_stream(pages: AsyncIterator[Page], spec: GroupSpec, counter: GroupCounter,
                       on_page: Callable[[Page], None] | None = None) -> None:
    """Feed every page's events to `counter` (`on_page` sees each page first)."""
    key_of = spec.key_function()
    async for page in pages:
        if on_page is not None:
            on_page(page)
        if page.events:
            counter.add_events(page.events, key_of)


def _grouped_scan(source: EventSource) -> Any:
    """The source's own grouped scan (`LocalSource.search_groups`), also behind
    a store that could not answer (its plain source), else None."""
    for candidate in (source, getattr(source, "plain", None)):
        found = getattr(candidate, "search_groups", None)
        if found is not None:
            return found
    return None


async def count_source(source: EventSource, spec: GroupSpec, query: Query, top: int,
                       capacity: int = DEFAULT_CAPACITY, on_page: Callable[[Page], None] | None = None,
                       server: bool = True) -> CountResult:
    """The top `top` groups of the events matching `query` (its limit is ignored:
    a count covers every match).  `server=False` always streams events through
    this process (for comparisons)."""
    whole = Query(filter=query.filter, time_range=query.time_range, limit=None, page_size=PAGE_SIZE)
    if server:
        answered = await server_count(source, spec, whole, top) or await store_count(source, spec, whole, top, capacity)
        if answered is not None:
            return answered
    counter = GroupCounter(spec.texts, capacity)
    grouped = _grouped_scan(source) if server else None
    if grouped is not None:  # the source counts while it scans (local trees)
        async for part in grouped(whole, spec.texts):
            if on_page is not None:
                on_page(part.page)
            for groups in part.groups:
                counter.add_counts(groups)
        return counter.result(top)
    await count_stream(source.search(whole), spec, counter, on_page)
    return counter.result(top)
