"""The k-way newest-first merge of page streams, on streams made here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from trailtui.events import Event
from trailtui.sources.base import Page, Query
from trailtui.sources.merge import Stream, merge_newest_first

BASE = datetime(2026, 6, 1, tzinfo=UTC)


def event(name: str, minute: int) -> Event:
    return Event.from_raw({"eventID": name}, time=BASE + timedelta(minutes=minute))


async def pages_of(events: list[Event], size: int, closed: list[str], name: str,
                   fail_after: int | None = None, block: asyncio.Event | None = None) -> AsyncIterator[Page]:
    try:
        for index, start in enumerate(range(0, len(events), size)):
            if fail_after is not None and index == fail_after:
                raise RuntimeError("connection reset")
            yield Page(events=events[start:start + size], scanned=size)
        if block is not None:
            await block.wait()
    finally:
        closed.append(name)


async def run(streams: list[Stream], query: Query) -> tuple[list[str], list[str], list[Page]]:
    pages = [p async for p in merge_newest_first(streams, query)]
    return [e.raw["eventID"] for p in pages for e in p.events], [str(x) for p in pages for x in p.problems], pages


async def test_merged_newest_first_with_ties_in_stream_order():
    closed: list[str] = []
    a = [event(f"a{m}", m) for m in (50, 40, 40, 10, 0)]
    b = [event(f"b{m}", m) for m in (45, 40, 30, 20, 5)]
    c: list[Event] = []
    streams = [Stream("a", pages_of(a, 2, closed, "a")), Stream("b", pages_of(b, 1, closed, "b")),
               Stream("c", pages_of(c, 1, closed, "c"))]
    ids, problems, pages = await run(streams, Query(page_size=3))
    assert ids == ["a50", "b45", "a40", "a40", "b40", "b30", "b20", "a10", "b5", "a0"]
    assert problems == [] and pages[-1].progress == 1.0 and all(len(p.events) <= 3 for p in pages)
    assert sorted(closed) == ["a", "b", "c"]


async def test_a_failing_stream_is_one_problem_and_the_others_go_on():
    closed: list[str] = []
    a = [event(f"a{m}", m) for m in range(10, 0, -1)]
    b = [event(f"b{m}", m) for m in (9, 3)]
    ids, problems, _ = await run([Stream("acct-a", pages_of(a, 3, closed, "a", fail_after=1)),
                                  Stream("acct-b", pages_of(b, 1, closed, "b"))], Query())
    assert problems == ["acct-a: connection reset"]
    assert ids == ["a10", "a9", "b9", "a8", "b3"]  # what a released before failing stays, in order


async def test_stopping_at_the_limit_closes_every_stream_even_a_waiting_one():
    closed: list[str] = []
    never = asyncio.Event()
    a = [event(f"a{m}", m) for m in range(100, 0, -1)]
    b = [event(f"b{m}", m) for m in (99, 98)]
    ids, _, _ = await asyncio.wait_for(run([Stream("a", pages_of(a, 10, closed, "a")),
                                            Stream("b", pages_of(b, 2, closed, "b", block=never))], Query(limit=3)),
                                       10)
    assert ids == ["a100", "a99", "b99"]  # a tie goes to the earlier stream
    assert sorted(closed) == ["a", "b"]  # b was still running when the limit was met: cancelled and closed


async def test_cancelling_the_reader_cancels_every_stream():
    closed: list[str] = []
    never = asyncio.Event()
    started = asyncio.Event()

    async def consume() -> None:
        streams = [Stream("a", pages_of([event("a1", 1)], 1, closed, "a", block=never)),
                   Stream("b", pages_of([event("b2", 2)], 1, closed, "b", block=never))]
        async for _ in merge_newest_first(streams, Query()):
            started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 10)  # b2 was released; a1 waits on a stream that never ends
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled() and sorted(closed) == ["a", "b"]
