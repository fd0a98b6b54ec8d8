"""Pane 4, Findings: the events the analyst marked, with notes.

Marks are few, so a DataTable is right here; every cell is a `Text` of an
escaped value (a plain `str` cell would be parsed as markup)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from trailtui.event_columns import event_label
from trailtui.events import Event
from trailtui.safe import visible
from trailtui.ui import keys
from trailtui.ui.columns import fit
from trailtui.ui.marks import MarkBook
from trailtui.ui.navigable import NavigableTable


class FindingsTable(NavigableTable):
    BINDINGS = keys.bindings(keys.FINDINGS)

    @dataclass
    class Act(Message):
        action: str
        key: str

    def _selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def _act(self, action: str) -> None:
        key = self._selected_key()
        if key is not None:
            self.post_message(self.Act(action, key))

    def action_open(self) -> None:
        self._act("open")

    def action_edit_note(self) -> None:
        self._act("note")

    def action_delete(self) -> None:
        self._act("delete")

    def action_undo(self) -> None:
        self.post_message(self.Act("undo", ""))

    def action_save(self) -> None:
        self.post_message(self.Act("save", ""))


class FindingsPane(Vertical):
    def __init__(self, marks: MarkBook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.marks = marks

    def compose(self) -> ComposeResult:
        yield Static(Text("Findings: events marked with m   enter open · n note · d unmark · u undo · w write JSONL"),
                     id="findings-title")
        yield Static(Text(" no marks yet: select an event in pane 2 and press m"), id="findings-empty")
        yield FindingsTable(id="findings-table", cursor_type="row", zebra_stripes=False)

    @property
    def table(self) -> FindingsTable:
        return self.query_one(FindingsTable)

    def refresh_marks(self, keep: str | None = None) -> None:
        """Redraw from the mark book; the cursor stays on the row it was on
        (or on the mark `keep`, when given)."""
        table = self.table
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns("TIME (UTC)", "PRINCIPAL", "EVENT", "NOTE")
        for entry in self.marks.entries():
            event = Event.from_raw(entry.event)
            when = event.time.strftime("%Y-%m-%d %H:%M:%S") if event.time.year > 1970 else "?"
            table.add_row(
                Text(when),
                Text(fit(visible(event.principal), 26, "middle").rstrip()),
                Text(fit(visible(event_label(event)), 22).rstrip()),
                Text(fit(visible(entry.note), 80).rstrip()),
                key=entry.key,
            )
        self.query_one("#findings-empty").display = not len(self.marks)
        table.display = bool(len(self.marks))
        if keep is not None and keep in self.marks:
            row = table.get_row_index(keep)
        if table.row_count:
            table.move_cursor(row=max(0, min(row, table.row_count - 1)), animate=False)

    def focus_table(self) -> None:
        self.table.focus()
