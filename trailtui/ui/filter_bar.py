"""The filter bar: a JMESPath expression over the raw event, checked as you
type (`EventFilter.compile`), with the error and its column shown inline.
`enter` applies, `up`/`down` walk the history, `esc` leaves and puts the
applied filter back in the bar."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from trailtui.filters import EventFilter, FilterError
from trailtui.safe import visible
from trailtui.ui import keys
from trailtui.ui.safe_input import SafeInput


def error_text(error: FilterError, width: int = 200) -> Text:
    """`✗ column 12: reason · …ent = 'x'…` with the bad character reversed."""
    text = Text("✗ ", style="bold")
    where = f"column {error.column}: " if error.column else ""
    text.append(visible(f"{where}{error.reason}"))
    if error.column:
        expr = visible(error.expression)
        at = min(error.column - 1, len(expr))
        lo = max(0, at - 20)
        hi = min(len(expr), at + 20)
        text.append("  ·  ")
        text.append(("…" if lo else "") + expr[lo:at])
        text.append(expr[at:at + 1] or " ", style="reverse")
        text.append(expr[at + 1:hi] + ("…" if hi < len(expr) else ""))
    text.truncate(width, overflow="ellipsis")
    return text


class FilterInput(SafeInput):
    BINDINGS = keys.bindings(keys.FILTER)

    @dataclass
    class HistoryStep(Message):
        delta: int

    class Leave(Message):
        pass

    def action_history(self, delta: int) -> None:
        self.post_message(self.HistoryStep(delta))

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def action_apply(self) -> None:
        self.post_message(self.Submitted(self, self.value))


class FilterBar(Vertical):
    """Emits `Applied(text)` when a valid filter is submitted, `Left()` on esc."""

    @dataclass
    class Applied(Message):
        text: str

    class Left(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.applied = ""
        self.history: list[str] = []
        self._history_at: int | None = None
        self.error: FilterError | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="filter-row"):
            yield Label("/", id="filter-prompt")
            yield FilterInput(placeholder="press / to filter (JMESPath), e.g. eventName == 'ConsoleLogin'",
                              id="filter-input", select_on_focus=False)
        yield Static("", id="filter-error")

    @property
    def input(self) -> FilterInput:
        return self.query_one(FilterInput)

    def begin(self, text: str | None = None) -> None:
        """Focus the bar, optionally replacing its text (quick filters, hunts)."""
        if text is not None:
            self.input.value = text
        self.input.cursor_position = len(self.input.value)  # after a hunt or pivot: type on at the end
        self.input.focus()

    def set_applied(self, text: str) -> None:
        self.applied = text
        self.input.value = text
        self._show_error(None)

    def check(self, text: str) -> FilterError | None:
        try:
            EventFilter.compile(text)
        except FilterError as exc:
            return exc
        return None

    def _show_error(self, error: FilterError | None) -> None:
        self.error = error
        box = self.query_one("#filter-error", Static)
        box.update(error_text(error, max(self.size.width, 40)) if error else "")
        box.display = error is not None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_error(self.check(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        error = self.check(text)
        self._show_error(error)
        if error is not None:
            self.app.bell()
            return
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._history_at = None
        self.applied = text
        self.post_message(self.Applied(text))

    def on_filter_input_history_step(self, event: FilterInput.HistoryStep) -> None:
        event.stop()
        if not self.history:
            return
        at = len(self.history) if self._history_at is None else self._history_at
        at = max(0, min(len(self.history), at + event.delta))
        self._history_at = at
        value = self.history[at] if at < len(self.history) else ""
        self.input.value = value
        self.input.cursor_position = len(value)

    def on_filter_input_leave(self, event: FilterInput.Leave) -> None:
        event.stop()
        self.input.value = self.applied
        self._show_error(None)
        self._history_at = None
        self.post_message(self.Left())
