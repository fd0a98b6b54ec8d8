"""`?`: every key, generated from the key table the bindings are built from."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.keys import help_rows

NOTES = (
    "Filters are JMESPath over the raw event, e.g.  errorCode && userIdentity.type == 'Root'\n"
    "Extra functions: icontains, iequals, istarts_with, cidr_match(sourceIPAddress, '10.0.0.0/8'), "
    "regex_match, lower, upper.  ctrl+p also opens the command palette."
)


def key_table() -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    table.add_column("key", no_wrap=True, style="bold", min_width=8)
    table.add_column("what")
    context = None
    for where, key, description in help_rows():
        if where != context:
            if context is not None:
                table.add_row("", "")
            table.add_row(Text(where, style="underline"), "")
            context = where
        table.add_row(Text(key), Text(description))
    return table


class HelpScreen(DismissOnce, ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="trailtui.help.close"),
        Binding("j,down", "scroll(1)", show=False, id="trailtui.help.down"),
        Binding("k,up", "scroll(-1)", show=False, id="trailtui.help.up"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help", id="help-scroll"):
            yield Static(Text("trailtui keys  (esc closes)", style="bold"), classes="dialog-title")
            yield Static(key_table(), id="help-keys")
            yield Static(Text(NOTES), classes="dialog-hint")

    def action_scroll(self, delta: int) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        scroll.scroll_to(y=scroll.scroll_y + delta * 3, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
