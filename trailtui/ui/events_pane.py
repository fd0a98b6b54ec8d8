"""Pane 2, Events: filter bar, pivot breadcrumbs, timeline, the event list, and
the query worker that feeds them.

Paging policy.  A query runs in one exclusive async worker (`group="query"`),
so a new filter, time range or pivot cancels the running one; cancelling the
worker closes the page stream, which closes the source's async generator
(`aclose()`, on the source's own thread: see `SourceSession`), which stops its
scan or cancels its server query.  Pages are taken as they come and the scan keeps
going in the background until `READ_AHEAD` matches lie beyond the cursor; then
it pauses (the status line says so) until the cursor comes within `READ_AHEAD`
of the end (scrolling, pgdn, `G`), when it resumes.  So a selective filter
scans the whole range at full speed, while a filter matching millions stops
spooling at a bounded distance ahead of the analyst.  Each match costs about 36
bytes of memory (`RowStore`); its JSON waits in a temporary file.

Follow mode (`F`).  A second exclusive worker (`group="follow"`) consumes the
follow steps (`trailtui.follow.watch`), run on the source thread like the
scan: new events that match the filter and the range (a `last …` preset's end
opens) are appended to the same store as a run of arrivals, which the
`RowOrder` shows on top (`EventList` keeps the selection), the timeline grows,
and the hunts' hits on arrival are counted.  `F` pressed while the scan runs
waits for its end; a new query while following follows the new results once
they are in; `F` again, `esc` or `ctrl+c` cancels the worker, which closes the
step stream and so the follower on the source thread.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.follow.watch import FollowStep, WatchPlan, watch
from trailtui.hunts.engine import Hit
from trailtui.hunts.model import Hunt
from trailtui.safe import visible
from trailtui.sources.base import Page, Query, SourceError
from trailtui.timerange import TimeRange, utcnow
from trailtui.ui.browse_state import BrowseState
from trailtui.ui.columns import Layout
from trailtui.ui.event_list import EventList
from trailtui.ui.filter_bar import FilterBar
from trailtui.ui.follow_state import FollowState
from trailtui.ui.histogram import Histogram
from trailtui.ui.marks import MarkBook, mark_key
from trailtui.ui.row_order import RowOrder
from trailtui.ui.row_store import RowStore
from trailtui.ui.session import SourceSession, aclose_quietly
from trailtui.ui.status_line import RunState
from trailtui.ui.timeline import Timeline


def _catalogue() -> tuple[Hunt, ...]:
    """The built-in hunts (none when the catalogue cannot be read: the
    follow goes on without hunts, and `h` says why)."""
    from trailtui.hunts import CatalogueError, load_catalogue

    try:
        return tuple(load_catalogue().hunts)
    except CatalogueError:
        return ()


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return visible(text)[:300]


class EventsPane(Vertical):
    READ_AHEAD = 50_000
    PAGE_SIZE = 500
    CHUNK = 500
    TICK = 0.1
    MARK_SCAN = 20_000  # rows searched for an event marked again by undo
    FOLLOW_SEED = 5_000  # newest rows on screen a follow remembers (never shown twice, counted by hunts)
    FOLLOW_TICK = 1.0  # seconds between repaints of "newest … ago · polled … ago"
    HITS_KEPT = 1_000  # hunt hits on arrival kept for `h`

    class StateChanged(Message):
        """The query, its progress or the pivots changed: repaint the status line."""

    class HuntHits(Message):
        """Hunts fired on events that just arrived."""

        def __init__(self, hits: list[Hit]) -> None:
            super().__init__()
            self.hits = hits

    def __init__(self, session: SourceSession, marks: MarkBook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.marks = marks
        self.state = BrowseState()
        self.run = RunState()
        self.store: RowStore | None = None
        self.histogram = Histogram()
        self.marked_rows: set[int] = set()
        self.anchor_now = utcnow()
        self.problems: deque[str] = deque(maxlen=200)
        self._wanted = asyncio.Event()
        self._dirty = False
        self._header_layout: Layout | None = None  # what the column header was painted for
        self._shown_rows = -1
        self.generation = 0
        self.order = RowOrder()
        self.scan_started_at = utcnow()
        self.follow = FollowState()
        self.follow_interval = 30.0
        self.follow_hunts: tuple[Hunt, ...] | None = ()
        self.arrived_hits: deque[Hit] = deque(maxlen=self.HITS_KEPT)
        self._follow_generation = -1  # the query a running follow belongs to

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        yield Static("", id="crumbs")
        yield Timeline(id="timeline")
        yield Static("", id="columns")
        yield EventList(id="event-list")

    @property
    def list(self) -> EventList:
        return self.query_one(EventList)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def on_mount(self) -> None:
        self.query_one("#crumbs").display = False
        self.set_interval(self.TICK, self._tick)
        self.set_interval(self.FOLLOW_TICK, self._follow_tick)

    def on_resize(self) -> None:
        self.call_after_refresh(self._paint_header)

    def _paint_header(self) -> None:
        width = self.list.scrollable_content_region.width
        if width > 0:
            layout = self.list.row_layout()
            self._header_layout = layout
            self.query_one("#columns", Static).update(Text(layout.header(), no_wrap=True))

    # -- starting and stopping queries ------------------------------------------
    def start(self, state: BrowseState) -> None:
        """Show `state`: a fresh result, scanned by a new worker (the old one is cancelled)."""
        self.state = state
        self.generation += 1
        old = self.store
        self.store = RowStore()
        self.order = RowOrder()
        self.histogram = Histogram()
        self.marked_rows = set()
        self.anchor_now = utcnow()
        self.scan_started_at = self.anchor_now
        self.problems.clear()
        self.run = RunState(running=True, started=time.monotonic())
        self._wanted.set()
        if self.follow.active:  # the follow moves to the new results once they are in
            self.workers.cancel_group(self, "follow")
            self.follow.waiting = True
            self.follow.arrived = 0  # rows arrived in this list
        self.list.show_store(self.store, self.marked_rows, self.order)
        self.list.set_empty_text(" scanning…")
        self._shown_rows = 0
        self._paint_crumbs()
        self._paint_timeline()
        self.run_query(self.generation, state, self.store, self.run, self.histogram)
        if old is not None:
            old.close()
        self.post_message(self.StateChanged())

    def cancel(self) -> bool:
        """Stop the running scan (esc); True when there was one."""
        if not (self.run.running or self.run.paused):
            return False
        self.workers.cancel_group(self, "query")
        self.run.running = False
        self.run.paused = False
        self.run.stopped = True
        self.run.elapsed = time.monotonic() - self.run.started
        self._dirty = True
        return True

    # -- follow mode ----------------------------------------------------------
    @property
    def following(self) -> bool:
        return self.follow.active

    def start_follow(self, interval: float, hunts: tuple[Hunt, ...] | None) -> str:
        """`F`: follow the current source, with `hunts` on arrival (None: the
        built-in catalogue); returns what to tell the analyst."""
        self.follow_interval = interval
        self.follow_hunts = hunts
        self.follow = FollowState(active=True, waiting=True)
        self.arrived_hits.clear()
        if not self.run.running or self.run.paused:
            self._begin_follow()
        self.post_message(self.StateChanged())
        until = self.state.effective_range().following().until
        if until is not None and until < utcnow():
            return (f"following; the range ends {until:%Y-%m-%d %H:%M}Z, so new events are counted by the hunts "
                    "but not listed (t: a 'last …' range lists them)")
        waits = " when the scan ends" if self.follow.waiting else ""
        return f"following{waits}: new events on top, marked +, every {interval:g} s; F or esc stops"

    def stop_follow(self) -> bool:
        """Stop following (F, esc, ctrl+c); True when it was on."""
        if not self.follow.active:
            return False
        self.workers.cancel_group(self, "follow")
        self.follow.active = False
        self.follow.waiting = False
        self._dirty = True
        self.post_message(self.StateChanged())
        return True

    def _begin_follow(self) -> None:
        follow = self.follow
        if not follow.active or not follow.waiting or self.store is None:
            return
        follow.waiting = False
        self._follow_generation = self.generation
        self.follow_worker(self.generation, self.state, self.store, self.order)
        self._dirty = True

    def _follow_tick(self) -> None:
        if self.follow.active:
            self.post_message(self.StateChanged())

    def _newest_rows(self, store: RowStore, order: RowOrder) -> tuple[tuple[dict[str, Any], ...], datetime | None]:
        """The newest rows on screen (read back from the spool), for the follow to remember."""
        raws: list[dict[str, Any]] = []
        newest: float = 0.0
        for position in range(min(len(order), self.FOLLOW_SEED)):
            index = order.index_at(position)
            if store.closed:
                break
            raws.append(store.raw(index))
            newest = max(newest, store.times[index])
        return tuple(raws), (datetime.fromtimestamp(newest, tz=UTC) if newest > 0 else None)

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def follow_worker(self, generation: int, state: BrowseState, store: RowStore, order: RowOrder) -> None:
        try:
            view = state.compile()
            shown, newest = await asyncio.to_thread(self._newest_rows, store, order)
            hunts = self.follow_hunts
            if hunts is None:
                hunts = self.follow_hunts = await asyncio.to_thread(_catalogue)
        except Exception as exc:  # noqa: BLE001 - a closed spool or a bad filter: one line, no follow
            self._follow_failed(one_line(exc))
            return
        self.follow.newest = newest
        plan = WatchPlan(self.session.url, view, self.follow_interval, hunts,
                         since=self.scan_started_at - timedelta(seconds=2), shown=shown, newest=newest,
                         aws=self.session.aws)
        time_range = state.effective_range().following()
        steps = self.session.stream(lambda source: watch(source, plan))
        try:
            async with aclosing(steps):
                async for step in steps:
                    if store.closed or generation != self.generation or not self.follow.active:
                        return
                    self._take_step(step, view, time_range, store, order)
        except SourceError as exc:
            self._follow_failed(one_line(exc))
        except Exception as exc:  # noqa: BLE001 - a follow that cannot start shows one line, never a traceback
            self._follow_failed(f"{type(exc).__name__}: {one_line(exc)}")

    def _follow_failed(self, message: str) -> None:
        self.follow.error = message
        self.follow.retry_in = 0.0
        self._dirty = True
        self.post_message(self.StateChanged())

    def _take_step(self, step: FollowStep, view: EventFilter, time_range: TimeRange, store: RowStore,
                   order: RowOrder) -> None:
        """One poll's outcome: rows on top, the timeline, the hunt count, the status line."""
        follow = self.follow
        follow.error, follow.retry_in = step.error, step.retry_in
        if not step.error:
            follow.polled_at = step.polled_at
            follow.scanned_bytes = step.scanned_bytes
        if step.newest is not None:
            follow.newest = step.newest
        if step.problems:
            self.run.problems += len(step.problems)
            self.run.last_problem = visible(str(step.problems[-1]))
            self.problems.extend(str(p) for p in step.problems)
        self.run.scanned += len(step.events)
        rows = [e for e in step.events if time_range.contains(e.time) and view.matches(e.raw)]
        if rows:
            self._add_arrivals(rows, store, order)
        if step.hits:
            self.arrived_hits.extend(step.hits)
            follow.hunt_hits += len(step.hits)
            self.post_message(self.HuntHits(step.hits))
        self._dirty = True
        self.post_message(self.StateChanged())

    def _add_arrivals(self, rows: Sequence[Event], store: RowStore, order: RowOrder) -> None:
        added = store.extend(rows)
        order.add(added, arrived=True)
        keys = self.marks.keys() if len(self.marks) else None
        if keys:
            self.marked_rows.update(i for i, e in zip(added, rows, strict=True) if mark_key(e.raw) in keys)
        self.histogram.add_many(t for t in (e.time.timestamp() for e in rows) if t > 0)
        newest = max(e.time for e in rows)
        self.session.saw(newest)
        self.anchor_now = max(self.anchor_now, utcnow(), newest)
        self.follow.arrived += len(rows)
        self.run.matched = len(store)
        self._shown_rows = len(store)
        self.list.rows_changed()  # at once: the selection must never point at a shifted row
        self._paint_timeline()

    @work(exclusive=True, group="query", exit_on_error=False)
    async def run_query(self, generation: int, state: BrowseState, store: RowStore, run: RunState,
                        histogram: Histogram) -> None:
        choice = state.effective_range()
        try:
            query = Query(filter=state.compile(), time_range=choice.time_range, page_size=self.PAGE_SIZE)
        except Exception as exc:  # noqa: BLE001 - the filter was validated before; this is a safety net
            self._fail(run, one_line(exc))
            return
        pages = self.session.pages(query)
        try:
            async for page in pages:
                if store.closed:
                    return
                await self._take_page(page, store, run, histogram)
                await self._wait_for_demand(store, run)
        except SourceError as exc:
            run.error = one_line(exc)
        except Exception as exc:  # noqa: BLE001 - a failed source shows one line, never a traceback
            run.error = f"{type(exc).__name__}: {one_line(exc)}"
        finally:
            await aclose_quietly(pages)
            if run.running:
                run.elapsed = time.monotonic() - run.started
            run.running = False
            run.paused = False
            self._dirty = True
            if self.follow.active and self.follow.waiting and generation == self.generation:
                self.call_later(self._begin_follow)

    def _fail(self, run: RunState, message: str) -> None:
        run.error = message
        run.running = False
        self._dirty = True

    async def _take_page(self, page: Page, store: RowStore, run: RunState, histogram: Histogram) -> None:
        events = page.events
        keys = self.marks.keys() if len(self.marks) else None
        for start in range(0, len(events), self.CHUNK):
            chunk = events[start:start + self.CHUNK]
            rows = store.extend(chunk)
            if store is self.store:
                self.order.add(rows)
            histogram.add_many(t for t in (e.time.timestamp() for e in chunk) if t > 0)
            if keys:
                self.marked_rows.update(i for i, e in zip(rows, chunk, strict=True) if mark_key(e.raw) in keys)
            if start + self.CHUNK < len(events):
                await asyncio.sleep(0)
                if store.closed:
                    return
        if events:
            self.session.saw(max(events[0].time, events[-1].time))
        run.scanned += page.scanned
        run.matched = len(store)
        if page.problems:
            run.problems += len(page.problems)
            run.last_problem = visible(str(page.problems[-1]))
            self.problems.extend(str(p) for p in page.problems)
        run.progress = page.progress
        run.status = visible(page.status)[:40]
        self._dirty = True
        if self._shown_rows == 0 and len(store):
            self._tick()  # the first rows: paint now, not at the next tick
        await asyncio.sleep(0)

    async def _wait_for_demand(self, store: RowStore, run: RunState) -> None:
        # oldest first, the analyst reads from the far end: the scan never pauses
        while (not self.list.oldest_first
               and len(store) - max(self.list.cursor, self.list.last_visible) > self.READ_AHEAD):
            run.paused = True
            self._dirty = True
            if self.follow.active and self.follow.waiting:
                self.call_later(self._begin_follow)  # paused far ahead of the analyst: follow from here
            self._wanted.clear()
            await self._wanted.wait()
        if run.paused:
            run.paused = False
            self._dirty = True

    def on_event_list_cursor_moved(self, event: EventList.CursorMoved) -> None:
        self._demand(event.index)

    def on_event_list_viewed(self, event: EventList.Viewed) -> None:
        self._demand(event.last_visible)

    def _demand(self, index: int) -> None:
        """The analyst is at row `index`: resume a paused scan when it is near the end."""
        if self.store is not None and len(self.store) - index <= self.READ_AHEAD:
            self._wanted.set()

    # -- painting -------------------------------------------------------------
    def _tick(self) -> None:
        if self._header_layout is not None and self.list.row_layout() is not self._header_layout:
            self._paint_header()  # a resize the header missed (the list's width settles after the pane's)
        run = self.run
        index = self.session.index_word()
        if index != run.index:
            run.index = index
            self._dirty = True
        if run.running and not run.paused:
            run.tick += 1
        elif not self._dirty:
            return
        self._dirty = False
        count = len(self.store) if self.store is not None else 0
        if count != self._shown_rows:
            self._shown_rows = count
            self.list.rows_changed()
            self._paint_timeline()
            self._paint_header()
        self.list.set_empty_text(self._empty_text())
        self.post_message(self.StateChanged())

    def _empty_text(self) -> str:
        run = self.run
        if run.error:
            return f" ✗ {run.error}"
        if run.running:
            return " scanning…"
        if run.stopped:
            return " stopped before any match (esc cancelled the scan)"
        where = self.state.effective_range().label
        return f" no events match ({run.scanned:,} scanned, range: {visible(where)}); t changes the range, / the filter"

    def _paint_timeline(self) -> None:
        choice = self.state.effective_range()
        time_range = choice.following() if self.follow.active else choice.time_range
        lo = time_range.since.timestamp() if time_range.since else None
        if time_range.until is not None:
            hi = time_range.until.timestamp()
        elif time_range.since is not None:
            hi = self.anchor_now.timestamp()
        else:
            hi = None
        self.query_one(Timeline).show(self.histogram, lo, hi)

    def _paint_crumbs(self) -> None:
        crumbs = self.query_one("#crumbs", Static)
        pivots = self.state.pivots
        crumbs.display = bool(pivots)
        if not pivots:
            crumbs.update("")
            return
        text = Text(" pivots", style="bold", no_wrap=True, overflow="ellipsis")
        for pivot in pivots:
            text.append(" ▸ ")
            text.append(visible(pivot.label))
        text.append("   ⌫ pops")
        crumbs.update(text)

    # -- what the app asks ----------------------------------------------------
    def selected_index(self) -> int | None:
        if self.store is None or not len(self.store):
            return None
        return self.list.store_index(self.list.cursor)

    def selected_raw(self) -> dict[str, Any] | None:
        index = self.selected_index()
        return None if index is None or self.store is None else self.store.raw(index)

    def raw_at(self, index: int) -> dict[str, Any]:
        assert self.store is not None  # noqa: S101 - narrows the type: indexes exist only once a store is set
        return self.store.raw(index)

    def mark_changed(self, raw: dict[str, Any], index: int | None, marked: bool) -> None:
        if index is not None and self.store is not None and index < len(self.store):
            if marked:
                self.marked_rows.add(index)
            else:
                self.marked_rows.discard(index)
        elif not marked and self.store is not None:
            key = mark_key(raw)
            for row in list(self.marked_rows):
                if mark_key(self.store.raw(row)) == key:
                    self.marked_rows.discard(row)
        elif self.store is not None:  # marked again (undo): find its row among the first MARK_SCAN
            key = mark_key(raw)
            for row in range(min(len(self.store), self.MARK_SCAN)):
                if mark_key(self.store.raw(row)) == key:
                    self.marked_rows.add(row)
                    break
        self.list.marks_changed()

    def position_text(self, index: int) -> str:
        total = len(self.store) if self.store is not None else 0
        more = "+" if self.run.running or self.run.paused or self.follow.active else ""
        line = self.list.line_of(index) if index < len(self.order) else index
        return f"{line + 1:,} of {total:,}{more}"

    def close(self) -> None:
        self.follow.active = False
        if self.store is not None:
            self.store.close()
