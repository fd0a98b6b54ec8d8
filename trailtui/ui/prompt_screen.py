"""A one-line question in a modal: a mark's note, a file name, a filter name.
Dismisses with the text (enter) or None (esc)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from trailtui.safe import visible
from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.safe_input import SafeInput


class PromptScreen(DismissOnce, ModalScreen[str | None]):
    BINDINGS = keys.bindings(keys.DIALOG)

    def __init__(self, title: str, value: str = "", placeholder: str = "", context: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(visible(self.title_text), style="bold"), classes="dialog-title")
            if self.context:
                yield Static(Text(visible(self.context), no_wrap=True, overflow="ellipsis"), classes="dialog-context")
            yield SafeInput(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static(Text("enter: ok   esc: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(SafeInput).focus()

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
