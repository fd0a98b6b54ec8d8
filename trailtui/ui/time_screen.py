"""The time range dialog (`t`): presets, or an absolute range typed in ISO
8601 (relative `-2h` and `now` work too).  Dismisses with a RangeChoice."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from trailtui.timerange import TimeParseError
from trailtui.ui import keys
from trailtui.ui.browse_state import RangeChoice
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.safe_input import SafeInput
from trailtui.ui.time_presets import PRESETS, absolute_choice, preset_choice

AROUND = timedelta(minutes=15)  # `t` on a selected event: this much either side of it


class TimeScreen(DismissOnce, ModalScreen[RangeChoice | None]):
    BINDINGS = keys.bindings(keys.DIALOG)

    def __init__(self, current: RangeChoice, anchor: datetime | None = None, anchored_to_trail: bool = False,
                 around: datetime | None = None) -> None:
        super().__init__()
        self.current = current
        self.anchor_time = anchor  # not `anchor`: that is a Widget method
        self.anchored_to_trail = anchored_to_trail
        self.around = around  # the selected event: from/to are pre-filled ±AROUND around it

    def compose(self) -> ComposeResult:
        since = self.current.time_range.since
        until = self.current.time_range.until
        if self.around is not None:
            since, until = self.around - AROUND, self.around + AROUND
        anchor_note = ""
        if self.anchored_to_trail and self.anchor_time is not None:
            anchor_note = f" (counted back from the trail's newest event, {self.anchor_time:%Y-%m-%d %H:%M}Z)"
        with Vertical(classes="dialog"):
            yield Static(Text(f"Time range: now {self.current.label}", style="bold"), classes="dialog-title")
            yield Static(Text("Presets" + anchor_note), classes="dialog-context")
            options = [Option(Text("all time" if name == "all" else f"last {name}"), id=name) for name, _ in PRESETS]
            yield OptionList(*options, id="time-presets")
            hint = "or an absolute range (ISO 8601, -2h, now; empty = open)"
            if self.around is not None:
                hint = f"or this range: ±15 min around the selected event ({self.around:%Y-%m-%d %H:%M:%S}Z)"
            yield Static(Text(hint), classes="dialog-context")
            with Horizontal(classes="time-row"):
                yield Label("from ")
                yield SafeInput(value=f"{since:%Y-%m-%dT%H:%M:%SZ}" if since else "",
                                placeholder="2024-03-01T00:00:00Z",
                            id="time-since")
            with Horizontal(classes="time-row"):
                yield Label("to   ")
                yield SafeInput(value=f"{until:%Y-%m-%dT%H:%M:%SZ}" if until else "", placeholder="now",
                                id="time-until")
            yield Static("", id="time-error")
            yield Static(Text("enter: apply   tab: next field   esc: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        if self.around is not None:  # enter applies the pre-filled ±15 minutes
            self.query_one("#time-since", SafeInput).focus()
        else:
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(preset_choice(event.option.id or "all", self.anchor_time, self.anchored_to_trail))

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        since = self.query_one("#time-since", SafeInput).value
        until = self.query_one("#time-until", SafeInput).value
        try:
            choice = absolute_choice(since, until)
        except TimeParseError as exc:
            self.query_one("#time-error", Static).update(Text(f"✗ {exc}"))
            return
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
