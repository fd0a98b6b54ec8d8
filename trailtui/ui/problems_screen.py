"""What could not be read during the current query (files that are not
CloudTrail, corrupt gzip, unreadable directories...), one line each."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from trailtui.safe import visible
from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce


class ProblemsScreen(DismissOnce, ModalScreen[None]):
    BINDINGS = keys.bindings(keys.HELP)

    def __init__(self, problems: list[str], total: int) -> None:
        super().__init__()
        self.problems = problems
        self.total = total

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help", id="problems-scroll"):
            shown = len(self.problems)
            more = f" (the last {shown} shown)" if self.total > shown else ""
            yield Static(Text(f"{self.total} problem(s) while reading{more}   esc closes", style="bold"),
                         classes="dialog-title")
            body = Text("\n".join(visible(p) for p in self.problems) or "none")
            yield Static(body, id="problems-list")

    def action_scroll(self, delta: int) -> None:
        scroll = self.query_one("#problems-scroll", VerticalScroll)
        scroll.scroll_to(y=scroll.scroll_y + delta * 3, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
