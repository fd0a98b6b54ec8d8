"""The quick filter dialog (`f`): principal, source IP, event name."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.quick_filter import quick_filter
from trailtui.ui.safe_input import SafeInput


class QuickFilterScreen(DismissOnce, ModalScreen[str | None]):
    BINDINGS = keys.bindings(keys.DIALOG)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Quick filter (fields left empty are ignored)", style="bold"), classes="dialog-title")
            for ident, label, hint in (
                ("qf-principal", "principal ", "user/role name, ARN, access key (substring)"),
                ("qf-ip", "source IP ", "203.0.113.7, 203.0.113. or 10.0.0.0/8"),
                ("qf-event", "event name", "substring, e.g. Delete or ConsoleLogin"),
            ):
                with Horizontal(classes="time-row"):
                    yield Label(label + " ")
                    yield SafeInput(placeholder=hint, id=ident)
            yield Static(Text("enter: filter   tab: next field   esc: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#qf-principal", SafeInput).focus()

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        expression = quick_filter(
            self.query_one("#qf-principal", SafeInput).value,
            self.query_one("#qf-ip", SafeInput).value,
            self.query_one("#qf-event", SafeInput).value,
        )
        self.dismiss(expression or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
