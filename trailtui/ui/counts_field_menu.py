"""The Counts field menu (`c`, then `b` in Counts): which field to count by.
Dismisses with a `GroupField`, `EXPRESSION` (the analyst will type one), or None."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from trailtui.counts import FIELDS, GroupField
from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce

# The console's menu: the fields an analyst counts by first.
MENU_LABELS = ("principal", "access key", "source IP", "event name", "event source", "account", "region",
               "error code", "user agent")
MENU: tuple[GroupField, ...] = tuple(f for label in MENU_LABELS for f in FIELDS if f.label == label)
EXPRESSION = GroupField(("",), "expression…", "")


def option_text(number: int, field: GroupField) -> Text:
    text = Text(f"{number}  " if number <= 9 else "   ")
    text.append(f"{field.label:<14}", style="bold")
    text.append(field.expression)
    return text


class FieldMenu(DismissOnce, ModalScreen[GroupField | None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.COUNTS_FIELD)

    def __init__(self, current: GroupField | None = None) -> None:
        super().__init__()
        self.choices = MENU + (EXPRESSION,)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Count events by…", style="bold"), classes="dialog-title")
            options = [Option(option_text(i + 1, f), id=str(i)) for i, f in enumerate(MENU)]
            options.append(Option(Text("0  expression…  (any JMESPath)"), id=str(len(MENU))))
            yield OptionList(*options, id="counts-field-options")
            yield Static(Text("enter or 1-9, 0: choose   esc: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        menu.focus()
        if self.current is not None and self.current in MENU:
            menu.highlighted = MENU.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(int(event.option.id or 0))

    def action_choose(self, index: int) -> None:
        if 0 <= index < len(self.choices):
            self.dismiss(self.choices[index])

    def action_choose_expression(self) -> None:
        self.dismiss(EXPRESSION)

    def action_cancel(self) -> None:
        self.dismiss(None)
