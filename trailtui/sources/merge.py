"""A k-way merge of newest-first page streams into one newest-first stream.

Each stream (one account's Event history, say) already yields its events
newest first, so the newest event not yet released is always the head of one
stream: released one at a time from a heap of heads, the merged order is exact.
An event can only be released once every stream that is still running has a
head, so the merge waits for a stream whose buffer is empty (and releases what
it has before waiting, so the first rows show without waiting on the slowest
stream).

Every stream is read by its own task into a queue of at most `AHEAD` pages, so
streams fetch concurrently (each within its own rate limit) while memory stays
at `AHEAD` pages plus one buffered page per stream.  A stream that fails
becomes one problem line (`describe` says what happened) and the others go on.
Closing or cancelling the merged stream cancels every task.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from trailtui.events import Event
from trailtui.sources.base import Page, Problem, Query

AHEAD = 2  # pages each stream may fetch before the merge has used them


@dataclass(slots=True)
class Stream:
    """One input: its name (for problem lines) and its pages."""

    name: str
    pages: AsyncIterator[Page]


@dataclass(slots=True)
class _Failed:
    error: BaseException


_END = object()


@dataclass(slots=True)
class _Input:
    name: str
    queue: asyncio.Queue[object]
    buffer: deque[Event] = field(default_factory=deque)
    done: bool = False


async def _pump(stream: Stream, queue: asyncio.Queue[object]) -> None:
    try:
        async for page in stream.pages:
            await queue.put(page)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - one stream's failure is a problem line, never the merge's
        await queue.put(_Failed(exc))
    finally:
        closer = getattr(stream.pages, "aclose", None)
        if closer is not None:
            await closer()
    await queue.put(_END)


@dataclass(slots=True)
class _Tally:
    """What the merged pages report besides events."""

    problems: list[Problem] = field(default_factory=list)
    scanned: int = 0
    finished: int = 0

    def page(self, events: list[Event], total: int, status: str) -> Page:
        page = Page(events=events, scanned=self.scanned, problems=self.problems,
                    progress=None if self.finished < total else 1.0, status=status)
        self.problems, self.scanned = [], 0
        return page


async def merge_newest_first(streams: list[Stream], query: Query,
                             describe: Callable[[BaseException], str] = str) -> AsyncIterator[Page]:
    """Pages of at most `query.page_size` events, newest first across every
    stream, up to `query.limit`."""
    inputs = [_Input(s.name, asyncio.Queue(maxsize=AHEAD)) for s in streams]
    tasks = [asyncio.create_task(_pump(s, i.queue)) for s, i in zip(streams, inputs, strict=True)]
    tally = _Tally()
    total = len(inputs)

    def status() -> str:
        return f"{tally.finished}/{total} account(s) done"

    def take(item: object, target: _Input) -> None:
        if item is _END:
            target.done = True
            tally.finished += 1
        elif isinstance(item, _Failed):
            tally.problems.append(Problem(target.name, describe(item.error)))
        elif isinstance(item, Page):
            target.buffer.extend(item.events)
            tally.problems.extend(item.problems)
            tally.scanned += item.scanned

    try:
        out: list[Event] = []
        emitted = 0
        heap: list[tuple[float, int]] = []
        for index, target in enumerate(inputs):
            while not target.buffer and not target.done:
                take(await target.queue.get(), target)
            if target.buffer:
                heapq.heappush(heap, (-target.buffer[0].time.timestamp(), index))
        while heap and (query.limit is None or emitted < query.limit):
            _, index = heapq.heappop(heap)
            target = inputs[index]
            out.append(target.buffer.popleft())
            emitted += 1
            if len(out) >= query.page_size:
                yield tally.page(out, total, status())
                out = []
            while not target.buffer and not target.done:
                if target.queue.empty() and (out or tally.problems):
                    yield tally.page(out, total, status())  # show what is known before waiting
                    out = []
                take(await target.queue.get(), target)
            if target.buffer:
                heapq.heappush(heap, (-target.buffer[0].time.timestamp(), index))
        tally.finished = total
        yield tally.page(out, total, status())
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
