"""The source the console is looking at, run on its own thread.

Why a thread: a source does real CPU work between its awaits (decoding JSON,
building events, ordering them newest first).  On the UI's event loop each such
stretch would delay key presses by tens to hundreds of milliseconds; on a
thread of its own, with its own event loop, the interpreter switches to the UI
every few milliseconds.  The source is opened there lazily (opening a remote
source imports boto3/aiobotocore: never before first paint), every search runs
there, and pages cross to the UI loop through a small bounded queue, which is
also the back-pressure: when the UI stops taking pages the source stops at its
next `yield`.

Closing the consumer (cancelling the UI worker, or `aclose()` on `pages()`)
cancels the pump on the source thread, whose `finally` closes the source's
async generator with `aclose()`, which stops its scan or its server query.

Pure asyncio and threading, no Textual.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from trailtui.aws.config import AwsConfig
from trailtui.sources.base import Capabilities, EventSource, Page, Query
from trailtui.sources.registry import open_source

_END = object()
_Item = TypeVar("_Item")


async def aclose_quietly(iterator: object) -> None:
    """Close an async generator (which stops the scan or query behind it);
    a failure while closing is not the user's business."""
    closer = getattr(iterator, "aclose", None)
    if closer is not None:
        try:
            await closer()
        except Exception:  # noqa: BLE001, S110 - closing a finished or broken generator: nothing to report
            pass


@dataclass(frozen=True, slots=True)
class _Failure:
    error: BaseException


class SourceSession:
    QUEUE_PAGES = 2

    def __init__(self, url: str, aws: AwsConfig | None = None, source: EventSource | None = None,
                 index: bool = False, prepare_hunts: bool = False) -> None:
        self.url = url
        self.aws = aws or AwsConfig()
        self.index = index  # through the local store, filled in the background
        # and then the built-in hunts' findings kept, ready for `h` (`trailtui.store.prepare`)
        self.prepare_hunts = prepare_hunts
        self._source = source
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        # searches still running on the source thread: done-signal -> their future
        self._pumps: dict[threading.Event, concurrent.futures.Future[None] | None] = {}
        self.newest_seen: datetime | None = None

    # -- the source thread --------------------------------------------------------
    def _source_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="trailtui-source", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        return self._loop

    async def _open(self) -> EventSource:
        """Runs on the source thread: open the source on first use."""
        if self._source is None:
            source = await asyncio.to_thread(open_source, self.url, self.aws, self.index, True)
            if self.prepare_hunts and hasattr(source, "prepare_hunts"):
                source.prepare_hunts = True
            self._source = source
        return self._source

    def pages(self, query: Query) -> AsyncIterator[Page]:
        """The source's pages for `query`, produced on the source thread and
        delivered on the caller's loop.  Raises what the source raises
        (SourceError for a one-line, user-facing failure)."""
        return self.stream(lambda source: source.search(query))

    async def stream(self, produce: Callable[[EventSource], AsyncIterator[_Item]]) -> AsyncGenerator[_Item]:
        """What `produce(source)` yields, run on the source thread (with the work
        it does between items, such as evaluating hunts) and delivered on the
        caller's loop, through the same bounded queue as `pages`."""
        ui_loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue(maxsize=self.QUEUE_PAGES)

        async def deliver(item: object) -> None:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(queue.put(item), ui_loop))

        async def pump() -> None:
            generator = None
            try:
                source = await self._open()
                generator = produce(source)
                async for page in generator:
                    await deliver(page)
                await deliver(_END)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which decides what to show
                await deliver(_Failure(exc))
            finally:
                await aclose_quietly(generator)

        finished = threading.Event()
        self._pumps[finished] = None

        async def pump_then_signal() -> None:
            try:
                await pump()
            finally:
                finished.set()
                self._pumps.pop(finished, None)

        running = asyncio.run_coroutine_threadsafe(pump_then_signal(), self._source_loop())
        self._pumps[finished] = running
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                if isinstance(item, _Failure):
                    raise item.error
                yield item  # type: ignore[misc]  # anything else is what produce() yielded
        finally:
            running.cancel()

    @property
    def capabilities(self) -> Capabilities | None:
        """What the source declares, once it is open (None before)."""
        source = self._source
        return source.capabilities if source is not None else None

    def as_source(self) -> SessionSource:
        """This session as an `EventSource`, for consumers that take one (the
        exporter): their searches run on the session's thread too."""
        return SessionSource(self)

    def index_word(self) -> str:
        """What the local store is doing for this source ("indexed", "indexing
        42%"), or "" when it is not read through one."""
        word = getattr(self._source, "index_word", None)
        return str(word()) if callable(word) else ""

    def saw(self, when: datetime) -> None:
        """Remember the newest event time seen (the demo's time anchor)."""
        if self.newest_seen is None or when > self.newest_seen:
            self.newest_seen = when

    async def close(self) -> None:
        """Stop every search (their generators closed), close the source on
        its thread, then stop the thread."""
        loop, source = self._loop, self._source
        self._source = None
        pumps = list(self._pumps.items())
        for _finished, running in pumps:
            if running is not None:
                running.cancel()
        for finished, _running in pumps:  # their generators' finally blocks have run
            await asyncio.to_thread(finished.wait, 5)
        if source is not None:
            if loop is not None:
                try:
                    await asyncio.wait_for(asyncio.wrap_future(
                        asyncio.run_coroutine_threadsafe(source.close(), loop)), timeout=5)
                except (TimeoutError, Exception):  # noqa: BLE001, S110 - best-effort close at shutdown
                    pass
            else:
                await source.close()
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                await asyncio.to_thread(self._thread.join, 5)
                if not self._thread.is_alive():
                    loop.close()
            self._loop = self._thread = None


class SessionSource:
    """A `SourceSession` seen as an `EventSource`.  It does not own the source:
    `close()` leaves it open for the console; closing a search's generator
    (or cancelling its consumer) stops that search."""

    def __init__(self, session: SourceSession) -> None:
        self._session = session
        self.url = session.url

    @property
    def capabilities(self) -> Capabilities:
        return self._session.capabilities or Capabilities()

    def search(self, query: Query) -> AsyncIterator[Page]:
        return self._session.pages(query)

    async def close(self) -> None:
        """The session closes the source when the console quits."""
