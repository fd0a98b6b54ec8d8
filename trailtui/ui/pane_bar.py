"""The top line: the four panes (the current one highlighted) and the count
of marks, so `1`-`4` are discoverable without opening help."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

PANES: tuple[tuple[str, str], ...] = (
    ("health", "Health"),
    ("events", "Events"),
    ("integrity", "Integrity"),
    ("findings", "Findings"),
)


class PaneBar(Widget):
    COMPONENT_CLASSES = {"pane-bar--active", "pane-bar--key", "pane-bar--brand"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.current = "events"
        self.marks = 0

    def show(self, current: str, marks: int) -> None:
        self.current, self.marks = current, marks
        self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        active = self.get_component_rich_style("pane-bar--active")
        key_style = self.get_component_rich_style("pane-bar--key")
        for number, (name, title) in enumerate(PANES, start=1):
            label = title + (f" ({self.marks})" if name == "findings" and self.marks else "")
            if name == self.current:
                text.append(f" {number} {label} ", active)
            else:
                text.append(f" {number}", key_style)
                text.append(f" {label} ")
        brand = "trailtui  ? help"
        room = self.size.width - text.cell_len - len(brand) - 1
        if room > 0:
            text.append(" " * room)
            text.append(brand, self.get_component_rich_style("pane-bar--brand"))
        return text
