"""The pivot menu (`p`): what to narrow to, taken from the selected event.
Labels hold event values, so they are escaped and shown as `Text`."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from trailtui.safe import visible
from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.navigable import NavigableOptions
from trailtui.ui.pivots import Pivot


def option_text(number: int, pivot: Pivot) -> Text:
    text = Text(f"{number}  ")
    text.append(f"{pivot.kind:<12}", style="bold")
    text.append(visible(pivot.value or pivot.label))
    return text


class PivotScreen(DismissOnce, ModalScreen[Pivot | None]):
    BINDINGS = keys.bindings(keys.DIALOG) + keys.bindings(keys.PIVOT)

    def __init__(self, pivots: list[Pivot]) -> None:
        super().__init__()
        self.pivots = pivots

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Pivot: show only events with the same…", style="bold"), classes="dialog-title")
            yield NavigableOptions(*[Option(option_text(i + 1, p), id=str(i)) for i, p in enumerate(self.pivots)],
                             id="pivot-options")
            yield Static(Text("enter or 1-9: pivot   esc: cancel   (backspace in the list pops a pivot)"),
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(int(event.option.id or 0))

    def action_choose(self, index: int) -> None:
        if 0 <= index < len(self.pivots):
            self.dismiss(self.pivots[index])

    def action_cancel(self) -> None:
        self.dismiss(None)
