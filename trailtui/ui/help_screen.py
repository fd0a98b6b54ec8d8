"""`?`: every key, generated from the key table the bindings are built from."""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.keys import help_rows

NOTES = (
    "Filters are JMESPath over the raw event, e.g.  errorCode && userIdentity.type == 'Root'\n"
    "Extra functions: icontains, iequals, istarts_with, cidr_match(sourceIPAddress, '10.0.0.0/8'), "
    "regex_match, lower, upper.\n"
    "Rebind any key in config.toml:  [keymap]  \"trailtui.everywhere.filter\" = \"slash,ctrl+f\"  (ids on the right)."
)


def key_table(keymap: Mapping[str, str] | None = None) -> Table:
    """Every binding of every screen, as bound now (keymap included), with the
    binding id the [keymap] table of config.toml uses."""
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    table.add_column("key", no_wrap=True, style="bold", width=12)
    table.add_column("what", ratio=1)
    table.add_column("id", style="dim", no_wrap=True, overflow="ellipsis", max_width=38)
    context = None
    for where, key, description, ident in help_rows(keymap):
        if where != context:
            if context is not None:
                table.add_row("", "", "")
            table.add_row("", Text(where, style="underline"), "")
            context = where
        table.add_row(Text(key), Text(description), Text(ident))
    return table


class HelpScreen(DismissOnce, ModalScreen[None]):
    BINDINGS = keys.bindings(keys.HELP)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help", id="help-scroll"):
            yield Static(Text("trailtui keys  (esc closes)", style="bold"), classes="dialog-title")
            yield Static(key_table(getattr(self.app, "keymap_config", None)), id="help-keys")
            yield Static(Text(NOTES), classes="dialog-hint")

    def action_scroll(self, delta: int) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        scroll.scroll_to(y=scroll.scroll_y + delta * 3, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
