"""The event detail (`enter`): a who / from / what / result summary over the
full event as pretty, coloured JSON.

The JSON is produced by orjson (control characters below 0x20 become `\\u00XX`
escapes), then every other terminal-unsafe character (DEL, C1 controls, bidi
overrides) is made visible, and the colours come from Rich's JSON highlighter
applied to a `Text`: event text is never read as markup.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.highlighter import JSONHighlighter
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from trailtui.record_json import dumps_record
from trailtui.safe import visible
from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.safe_input import SafeInput
from trailtui.ui.summary import summarize

JSON_STYLES = {
    "json.key": "json-view--key",
    "json.str": "json-view--string",
    "json.number": "json-view--number",
    "json.bool_true": "json-view--literal",
    "json.bool_false": "json-view--literal",
    "json.null": "json-view--literal",
}


def pretty_json(raw: dict[str, Any]) -> str:
    return visible_lines(dumps_record(raw, indent=True).decode("utf-8"))


def visible_lines(text: str) -> str:
    """Escape controls line by line, keeping the newlines the pretty print made."""
    return "\n".join(visible(line) for line in text.split("\n"))


def highlighted(text: str, styles: dict[str, Style]) -> Text:
    """Highlight JSON text, then swap Rich's style names for theme styles."""
    result = Text(text, no_wrap=False)
    JSONHighlighter().highlight(result)
    spans = []
    for span in result.spans:
        name = span.style if isinstance(span.style, str) else ""
        style = styles.get(name)
        if style is not None:
            spans.append(span._replace(style=style))
    result.spans = spans
    return result


def summary_table(raw: dict[str, Any]) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    table.add_column("label", style="bold", no_wrap=True, width=7)
    table.add_column("value", no_wrap=True, overflow="ellipsis", ratio=1)
    for label, value in summarize(raw):
        table.add_row(Text(label), Text(visible(value)))
    return table


def match_lines(text: str, needle: str) -> list[int]:
    """Lines of `text` containing `needle`, case-insensitively."""
    wanted = needle.casefold()
    return [i for i, line in enumerate(text.split("\n")) if wanted and wanted in line.casefold()]


def wrapped_row(text: str, line: int, width: int) -> int:
    """The screen row where `line` starts when every line wraps at `width`."""
    return sum(max(1, -(-cell_len(part) // max(width, 1))) for part in text.split("\n")[:line])


class JsonView(Static):
    COMPONENT_CLASSES = set(JSON_STYLES.values()) | {"json-view--match"}

    def __init__(self, raw: dict[str, Any], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = pretty_json(raw)
        self.needle = ""

    def on_mount(self) -> None:
        self._paint()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.is_mounted:
            self._paint()

    def _paint(self) -> None:
        styles = {name: self.get_component_rich_style(cls) for name, cls in JSON_STYLES.items()}
        text = highlighted(self.text, styles)
        if self.needle:
            text.highlight_words([self.needle], self.get_component_rich_style("json-view--match"),
                                 case_sensitive=False)
        self.update(text)

    def show_matches(self, needle: str) -> None:
        self.needle = needle
        self._paint()


class DetailScreen(DismissOnce, Screen[None]):
    """Shows one event; `y` copies, `m` marks, `p` pivots, `/` finds text in
    the event (`n` / `N` next and previous), `esc` or `q` goes back.  The find
    box belongs to this screen: the list's filter is never touched."""

    BINDINGS = keys.bindings(keys.DETAIL)

    def __init__(self, raw: dict[str, Any], position: str = "", index: int | None = None) -> None:
        super().__init__()
        self.raw = raw
        self.position = position
        self.index = index  # the row in the event list, when opened from it
        self.matches: list[int] = []  # JSON lines holding the searched text
        self.match_at = -1

    def compose(self) -> ComposeResult:
        title = Text("Event", style="bold")
        if self.position:
            title.append(f"  {self.position}")
        title.append("   y copy · m mark · p pivot · esc back")
        yield Static(title, id="detail-title")
        yield Static(summary_table(self.raw), id="detail-summary")
        with VerticalScroll(id="detail-scroll"):
            yield JsonView(self.raw, id="detail-json")
        yield SafeInput(placeholder="find in this event (enter: find, esc: leave)", id="detail-find")
        yield Static("", id="detail-found")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-find").display = False
        self.query_one("#detail-scroll").focus()

    # -- find in the event ------------------------------------------------------------
    def action_search(self) -> None:
        box = self.query_one("#detail-find", SafeInput)
        box.display = True
        box.focus()

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        view = self.query_one(JsonView)
        self.matches = match_lines(view.text, event.value)
        self.match_at = -1
        view.show_matches(event.value if self.matches else "")
        self._leave_find()
        if self.matches:
            self.action_find_next(1)
        else:
            self._found(f"not in this event: {visible(event.value)}")

    def _leave_find(self) -> None:
        box = self.query_one("#detail-find", SafeInput)
        box.display = False
        self._scroll().focus()

    def action_find_next(self, step: int) -> None:
        if not self.matches:
            self._found("nothing to repeat: / finds text in this event")
            return
        self.match_at = (self.match_at + step) % len(self.matches)
        view = self.query_one(JsonView)
        width = view.content_region.width or self._scroll().scrollable_content_region.width
        self._scroll().scroll_to(y=wrapped_row(view.text, self.matches[self.match_at], width), animate=False)
        self._found(f"match {self.match_at + 1} of {len(self.matches)} (n next, N previous)")

    def _found(self, message: str) -> None:
        self.query_one("#detail-found", Static).update(Text(message))

    def _scroll(self) -> VerticalScroll:
        return self.query_one("#detail-scroll", VerticalScroll)

    def action_scroll(self, delta: int) -> None:
        self._scroll().scroll_relative(y=delta, animate=False)

    def action_scroll_home(self) -> None:
        self._scroll().scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self._scroll().scroll_end(animate=False)

    def action_copy(self) -> None:
        self.app.copy_event(self.raw)  # type: ignore[attr-defined]

    def action_mark(self) -> None:
        self.app.ask_mark(self.raw, self.index)  # type: ignore[attr-defined]

    def action_pivot(self) -> None:
        self.dismiss(None)
        self.app.ask_pivot(self.raw)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        """esc in the find box leaves the box (nothing half-typed stays); else back to the list."""
        box = self.query_one("#detail-find", SafeInput)
        if box.display:
            box.value = ""
            self._leave_find()
            return
        self.dismiss(None)
