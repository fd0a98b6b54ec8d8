"""The event list: a virtual list (Textual's Line API, the toolong pattern).

Only the rows on screen are rendered, each from the compact `RowStore`; a small
LRU cache keeps rendered strips, so a list of a million rows scrolls as fast as
one of a hundred and its memory is the store's, not the widget's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from trailtui.ui import keys
from trailtui.ui.columns import Layout, layout_for, row_text
from trailtui.ui.row_order import RowOrder
from trailtui.ui.row_store import RowStore


class EventList(ScrollView, can_focus=True):
    """Rows of the current result.  `cursor` is the selected line on screen;
    `store_index()` maps a line to its row in the store through the `RowOrder`
    (the scan's rows newest first, follow mode's arrivals above them): with
    `oldest_first` the lines run the other way.

    Rows that arrive in follow mode never move the selection: the selected
    event stays selected.  Newest first they go on top: at the top of the list
    the view stays there and shows them (the rest moves down); scrolled down,
    the view moves with the rows it shows, so what the analyst reads stays
    put.  Oldest first they go at the bottom, where nothing moves."""

    BINDINGS = keys.bindings(keys.LIST)
    COMPONENT_CLASSES = {
        "event-list--cursor",
        "event-list--error",
        "event-list--marked",
        "event-list--arrived",
        "event-list--empty",
    }

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)

    @dataclass
    class CursorMoved(Message):
        index: int

    @dataclass
    class Opened(Message):
        index: int

    @dataclass
    class Viewed(Message):
        """The view scrolled (mouse wheel, scrollbar): `last_visible` is the bottom row."""

        last_visible: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store: RowStore | None = None
        self.order = RowOrder()
        self._counted = (0, 0)  # (scanned, arrived) rows the virtual size includes
        self.marked: set[int] = set()
        self.empty_text = ""
        self._cache: LRUCache[tuple[Any, ...], Strip] = LRUCache(1024)
        self._layout: Layout | None = None
        self.oldest_first = False
        self._years: frozenset[int] = frozenset()  # of the newest and oldest rows, updated as rows arrive
        self._accounts = False  # rows from more than one account: an account column where it fits

    def store_index(self, line: int) -> int:
        return self.order.index_at(self.row_count - 1 - line if self.oldest_first else line)

    def line_of(self, index: int) -> int:
        """The line showing the row with store index `index`."""
        position = self.order.position_of(index)
        return self.row_count - 1 - position if self.oldest_first else position

    def set_oldest_first(self, value: bool) -> None:
        """Flip the order.  From the first line the cursor stays on the first
        line (now the other end, to read from the start); elsewhere the
        selected event stays selected."""
        if value == self.oldest_first:
            return
        at_top = self.cursor == 0
        selected = self.store_index(self.cursor) if self.row_count else 0
        self.oldest_first = value
        self._cache.clear()
        line = 0 if at_top or not self.row_count else self.line_of(selected)
        self.set_reactive(EventList.cursor, line)
        self._scroll_cursor_into_view()
        self.refresh()

    # -- data ---------------------------------------------------------------
    def show_store(self, store: RowStore | None, marked: set[int] | None = None,
                   order: RowOrder | None = None) -> None:
        """Show a new result (a new query); resets the cursor and scroll."""
        self.store = store
        self.order = order if order is not None else RowOrder()
        self._counted = (0, 0)
        self.marked = marked if marked is not None else set()
        self._cache.clear()
        self.set_reactive(EventList.cursor, 0)
        self.rows_changed()
        self.scroll_to(y=0, animate=False, immediate=True)

    def rows_changed(self) -> None:
        """Rows were appended: grow the virtual size, repaint.  Rows that land
        above the selection (the scan's older rows, oldest first; arrivals,
        newest first) move it down with its event."""
        count = len(self.order)
        scanned, arrived = self.order.scanned - self._counted[0], self.order.arrived - self._counted[1]
        had = sum(self._counted)
        self._counted = (self.order.scanned, self.order.arrived)
        self._years = self.store.years() if self.store is not None else frozenset()
        accounts = self.store is not None and self.store.account_count > 1
        if accounts != self._accounts:
            self._accounts = accounts
            self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, count)
        above = scanned if self.oldest_first else arrived
        if above > 0 and had > 0:
            self._cache.clear()
            self.set_reactive(EventList.cursor, self.cursor + above)
            # newest first at the top, the view stays on top to show the arrivals
            if self.oldest_first or self.scroll_offset.y > 0:
                self.scroll_to(y=self.scroll_offset.y + above, animate=False, immediate=True)
        self.refresh()

    def marks_changed(self) -> None:
        self._cache.clear()
        self.refresh()

    def set_empty_text(self, text: str) -> None:
        self.empty_text = text
        self.refresh()

    @property
    def row_count(self) -> int:
        """Rows in the order (the store may hold a page more until the next repaint)."""
        return sum(self._counted) if self.store is not None else 0

    # -- rendering ----------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self) -> None:
        self._cache.clear()
        self.rows_changed()

    def row_layout(self) -> Layout:
        width = self.scrollable_content_region.width
        years, accounts = self._years, self._accounts
        layout = self._layout
        if layout is None or layout.width != width or layout.years != years or layout.accounts != accounts:
            layout = self._layout = layout_for(width, years, accounts)
        return layout

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = self.scroll_offset.y + y
        store = self.store
        if store is None or line >= self.row_count:
            if y == 0 and self.row_count == 0 and self.empty_text:
                style = self.get_component_rich_style("event-list--empty")
                return Strip([Segment(self.empty_text[:width].ljust(width), style)], width)
            return Strip.blank(width, self.rich_style)
        index = self.store_index(line)
        selected = line == self.cursor
        marked = index in self.marked
        arrived = self.order.is_arrived(index)
        key = (index, width, selected, marked, arrived)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(index, selected, marked, arrived, width)
            self._cache[key] = strip
        return strip

    def _render_row(self, index: int, selected: bool, marked: bool, arrived: bool, width: int) -> Strip:
        assert self.store is not None  # noqa: S101 - narrows the type: rows are rendered only once a store is set
        row = self.store.row(index)
        text = row_text(row, self.row_layout(), marked, arrived)
        style: Style = self.rich_style
        if arrived:
            style += self.get_component_rich_style("event-list--arrived")
        if row.error:
            style += self.get_component_rich_style("event-list--error")
        if marked:
            style += self.get_component_rich_style("event-list--marked")
        if selected:
            style += self.get_component_rich_style("event-list--cursor")
        return Strip([Segment(text, style)], width)

    @property
    def last_visible(self) -> int:
        return int(self.scroll_offset.y) + max(self.scrollable_content_region.height, 1) - 1

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if int(old) != int(new):
            self.post_message(self.Viewed(self.last_visible))

    # -- cursor -------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.row_count - 1)) if self.row_count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(new))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height > 0 and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, delta: int) -> None:
        self.cursor += delta * max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(0, self.row_count - 1)
        # Even when the cursor is already last, say so: the browser loads more.
        self.post_message(self.CursorMoved(self.cursor))

    def action_open(self) -> None:
        if self.row_count:
            self.post_message(self.Opened(self.store_index(self.cursor)))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < self.row_count:
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self.cursor = index
