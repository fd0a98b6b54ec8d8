"""Counts (`c` on the Events pane): the top values of a field for the current
filter and time range, with count, share, first and last seen and a spark of
when, filling in while the scan runs.

The count runs in an exclusive worker on its own search (`SourceSession.pages`,
so the source works on its own thread) and feeds a bounded `GroupCounter` in
chunks, yielding to the event loop between them; the table is repainted from
the counter on a timer, so a key press never waits for the count.  `enter`
dismisses with a pivot narrowing to the row's value, `x` with one excluding
it; `tab` counts the next field within the value, `backspace` goes back up.
Values are event data: shown as `Text` with control characters escaped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from trailtui.counts import GroupByError, GroupCounter, GroupField, GroupSpec, format_key_part
from trailtui.counts.result import CountResult, Group
from trailtui.counts.store import store_count
from trailtui.filters import EventFilter
from trailtui.safe import visible
from trailtui.sources.base import EventSource, Query, SourceError
from trailtui.timerange import TimeRange
from trailtui.ui import keys
from trailtui.ui.counts_field_menu import EXPRESSION, FieldMenu
from trailtui.ui.counts_scope import CountScope
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.histogram import sparkline
from trailtui.ui.pivots import Pivot
from trailtui.ui.prompt_screen import PromptScreen
from trailtui.ui.session import SourceSession, aclose_quietly

CAPACITY = 20_000  # exact up to this many distinct values; bounded (and flagged) beyond
TOP_ROWS = 200
CHUNK = 500
TICK = 0.2
SPARK_BARS = 10
# (header, width) of every column but VALUE; cells carry their own spacing (no cell padding)
COLUMNS = (("   COUNT ", 9), (" SHARE ", 7), ("FIRST       ", 12), ("LAST        ", 12), ("WHEN", SPARK_BARS + 1))
FIXED_WIDTH = sum(width for _, width in COLUMNS) + 2  # and the scrollbar
MIN_VALUE_WIDTH = 16


def _when(moment: datetime | None) -> str:
    return f"{moment:%m-%d %H:%M}" if moment is not None else "-"


def shorten(text: str, width: int) -> str:
    """`text` in `width` cells, cut in the middle keeping more of the end (the
    end of an ARN names the role and session; its start is always `arn:aws:`)."""
    if cell_len(text) <= width:
        return text
    head = max(1, (width - 1) // 3)
    tail = width - 1 - head
    end = ""
    for char in reversed(text):
        if cell_len(char + end) > tail:
            break
        end = char + end
    return set_cell_size(text, head) + "…" + end


def _row(group: Group, events: int, value_width: int) -> tuple[Text, ...]:
    share = "100%" if events and group.count == events else (f"{100 * group.count / events:.1f}%" if events else "-")
    count = f"{group.count:,}" + ("±" if group.error else "")
    value = shorten(visible(format_key_part(group.key[0])), value_width - 1)
    return (Text(" " + value, no_wrap=True), Text(f"{count:>8} ", no_wrap=True),
            Text(f"{share:>6} ", no_wrap=True), Text(_when(group.first) + " "), Text(_when(group.last) + " "),
            Text(sparkline(list(group.bins)), style="bold"))


class CountsScreen(DismissOnce, Screen[Pivot | None]):
    """Dismisses with a pivot (`enter` narrow, `x` exclude) or None (`esc`)."""

    DEFAULT_CSS = """
    CountsScreen #counts-title { height: 1; background: $panel; }
    CountsScreen #counts-scope { height: 1; color: $text-muted; }
    CountsScreen #counts-table { height: 1fr; }
    CountsScreen #counts-status { height: 1; color: $text-muted; }
    CountsScreen #counts-status.-error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.COUNTS))

    running: reactive[bool] = reactive(False)

    def __init__(self, session: SourceSession, filter_text: str, time_range: TimeRange, range_label: str,
                 field: GroupField | None = None) -> None:
        super().__init__()
        self.session = session
        self.filter_text = filter_text
        self.time_range = time_range
        self.range_label = range_label
        self.scope: CountScope | None = CountScope(field) if field is not None else None
        self.counter: GroupCounter | None = None
        self.answer: CountResult | None = None  # the store's whole answer (then the counter stays empty)
        self.result: CountResult | None = None
        self.scanned = 0
        self.problems = 0
        self.progress: float | None = None
        self.error = ""
        self.generation = 0
        self.value_width = MIN_VALUE_WIDTH
        self._dirty = False

    def compose(self) -> ComposeResult:
        yield Static("", id="counts-title")
        yield Static("", id="counts-scope")
        yield DataTable(id="counts-table", cursor_type="row", zebra_stripes=False, cell_padding=0)
        yield Static("", id="counts-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.value_width = max(MIN_VALUE_WIDTH, self.app.size.width - FIXED_WIDTH)
        table.add_column(" VALUE", width=self.value_width, key="value")
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label.strip().lower())
        table.focus()
        self.set_interval(TICK, self._tick)
        if self.scope is None:
            self.action_choose_field()
        else:
            self.start()

    # -- counting -------------------------------------------------------------------
    def start(self) -> None:
        """Count the scope's field afresh (a running count is cancelled)."""
        if self.scope is None:
            return
        self.generation += 1
        spec = self.scope.spec()
        self.counter = GroupCounter(spec.texts, CAPACITY, spark=True)
        self.answer = None
        self.result = None
        self.scanned = self.problems = 0
        self.progress = None
        self.error = ""
        clauses = ([self.filter_text] if self.filter_text else []) + self.scope.clauses()
        text = clauses[0] if len(clauses) == 1 else " && ".join(f"({c})" for c in clauses)
        query = Query(filter=EventFilter.compile(text), time_range=self.time_range, page_size=CHUNK)
        self.running = True
        self._dirty = True
        self._paint_scope()
        self.count(self.generation, query, spec, self.counter)

    async def _from_store(self, query: Query, spec: GroupSpec) -> CountResult | None:
        """The whole answer as one GROUP BY in the local store (sparks
        included), when the store holds the range fresh and the filter and
        field translate exactly; else None and the count streams."""

        async def one(source: EventSource) -> AsyncIterator[CountResult | None]:
            yield await store_count(source, spec, query, TOP_ROWS, CAPACITY, spark_bars=SPARK_BARS)

        answers = self.session.stream(one)
        found: CountResult | None = None
        try:
            async for answer in answers:
                found = answer if isinstance(answer, CountResult) else None
        except Exception:  # noqa: BLE001 - the store is only a shortcut: the streamed count decides
            return None
        finally:
            await aclose_quietly(answers)
        return found

    @work(exclusive=True, group="trailtui-counts", exit_on_error=False)
    async def count(self, generation: int, query: Query, spec: GroupSpec, counter: GroupCounter) -> None:
        answer = await self._from_store(query, spec)
        if generation != self.generation:
            return
        if answer is not None:
            self.answer = answer
            self.progress = 1.0
            self.running = False
            self._dirty = True
            return
        key_of = spec.key_function()
        pages = self.session.pages(query)
        try:
            async for page in pages:
                for start in range(0, len(page.events), CHUNK):
                    counter.add_events(page.events[start:start + CHUNK], key_of)
                    await asyncio.sleep(0)  # a key press goes first
                if generation != self.generation:
                    return
                self.scanned += page.scanned
                self.problems += len(page.problems)
                self.progress = page.progress
                self._dirty = True
        except SourceError as exc:
            self.error = _one_line(exc)
        except Exception as exc:  # noqa: BLE001 - shown in one line; the console stays up
            self.error = f"{type(exc).__name__}: {_one_line(exc)}"
        finally:
            await aclose_quietly(pages)
            if generation == self.generation:
                self.running = False
                self._dirty = True

    # -- painting -------------------------------------------------------------------
    def _tick(self) -> None:
        if not self._dirty or self.counter is None:
            return
        self._dirty = False
        self.result = self.answer or self.counter.result(TOP_ROWS, SPARK_BARS)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for index, group in enumerate(self.result.groups):
            table.add_row(*_row(group, self.result.events, self.value_width), key=str(index))
        if self.result.groups:
            table.move_cursor(row=min(max(row, 0), len(self.result.groups) - 1), animate=False)
        self._paint_status()

    def _paint_scope(self) -> None:
        if self.scope is None:
            return
        title = Text(f"Counts by {self.scope.field.label}", style="bold")
        title.append(f"   {visible(self.range_label)}")
        if self.filter_text:
            title.append(f" · {visible(self.filter_text)}")
        self.query_one("#counts-title", Static).update(Text.assemble(title, no_wrap=True, overflow="ellipsis"))
        width = max(MIN_VALUE_WIDTH, self.app.size.width - 1)
        if self.scope.within:
            levels = " ▸ ".join(visible(level.label) for level in self.scope.within)
            line = " within " + shorten(levels, width - 15) + "   ⌫ up"
        else:
            line = " " + shorten(visible(self.scope.field.expression), width - 1)
        self.query_one("#counts-scope", Static).update(Text(line, no_wrap=True))

    def _paint_status(self) -> None:
        status = self.query_one("#counts-status", Static)
        status.set_class(bool(self.error), "-error")
        if self.error:
            status.update(Text(f" ✗ {self.error}", no_wrap=True, overflow="ellipsis"))
            return
        result = self.result
        events = result.events if result else 0
        distinct = result.distinct if result else 0
        head = "counting" + (f" {self.progress:.0%}" if self.progress is not None else "…") if self.running else "done"
        text = f" {head}: {events:,} events, {distinct:,} distinct values"
        if result is not None and result.method == "store":
            text += " (counted by the store)"
        if self.problems:
            text += f", {self.problems} unreadable"
        if result is not None and result.approximate:
            text += f" · ≈ approximate (± {result.error_bound:,})"
        status.update(Text(text, no_wrap=True, overflow="ellipsis"))

    # -- keys -----------------------------------------------------------------------
    def _selected(self) -> Group | None:
        if self.result is None or not self.result.groups:
            self.notify("no value selected yet", severity="warning")
            return None
        row = self.query_one(DataTable).cursor_row
        return self.result.groups[row] if 0 <= row < len(self.result.groups) else None

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)), animate=False)

    def action_jump(self, row: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=row if row >= 0 else table.row_count - 1, animate=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_narrow()

    def action_narrow(self) -> None:
        group = self._selected()
        if group is not None and self.scope is not None:
            self.dismiss(self.scope.narrow(group.key))

    def action_exclude(self) -> None:
        group = self._selected()
        if group is not None and self.scope is not None:
            self.dismiss(self.scope.exclude(group.key))

    def action_deeper(self) -> None:
        group = self._selected()
        if group is None or self.scope is None:
            return
        deeper = self.scope.deeper(group.key)
        if deeper is None:
            self.notify("nothing deeper to count: backspace goes back up", severity="warning")
            return
        self.scope = deeper
        self.start()

    def action_shallower(self) -> None:
        if self.scope is None or self.scope.shallower() is None:
            self.notify("already at the top level")
            return
        self.scope = self.scope.shallower()
        self.start()

    def action_choose_field(self) -> None:
        def chosen(field: GroupField | None) -> None:
            if field is EXPRESSION:
                self._ask_expression()
            elif field is not None:
                self._use_field(field)
            elif self.scope is None:
                self.dismiss(None)

        self.app.push_screen(FieldMenu(self.scope.field if self.scope else None), chosen)

    def _ask_expression(self) -> None:
        def typed(text: str | None) -> None:
            if not text or not text.strip():
                if self.scope is None:
                    self.dismiss(None)
                return
            try:
                spec = GroupSpec.compile([text.strip()])
            except GroupByError as exc:
                self.notify(visible(str(exc)), severity="error", markup=False)
                if self.scope is None:
                    self.dismiss(None)
                return
            self._use_field(spec.fields[0])

        self.app.push_screen(PromptScreen("Count by (JMESPath over the raw event)", "", "userIdentity.arn"), typed)

    def _use_field(self, field: GroupField) -> None:
        self.scope = self.scope.with_field(field) if self.scope else CountScope(field)
        self.start()

    def action_close(self) -> None:
        self.dismiss(None)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return visible(text)[:300]
