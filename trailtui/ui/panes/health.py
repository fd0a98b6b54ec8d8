"""The Health pane: "are my trails healthy?" on one screen.

A summary line (counts per status), the trails (worst status first on each
line), and on `enter` the checks of one trail; the highlighted check's reason
and fix are shown below the list.  `y` copies that fix through the app's
clipboard (OSC 52), `r` collects again, `esc` goes back to the trails.

Started with `--accounts`/`--role-name`, every account is checked: each trail
row starts with its account ID, and each account has a row of its own for
its account-wide checks (one UNKNOWN row with the reason when its role could
not be assumed).

Facts are collected in a thread worker the first time the app shows the pane
(`load()`), never at import or before the first paint.  With `facts` given
(the demo) nothing touches AWS.  Names, reasons and fixes come from AWS, so
they are rendered as `rich.text.Text` (never markup) after `visible()`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from trailtui.aws.config import AwsConfig
from trailtui.health import AccountFacts, HealthCollectionError, collect_facts, evaluate
from trailtui.health.accounts import collect_accounts, evaluate_accounts
from trailtui.health.results import STATUS_ORDER, CheckResult, HealthReport, Status, TrailReport
from trailtui.safe import visible
from trailtui.ui import keys
from trailtui.ui.navigable import NavigableOptions

ACCOUNT_ID = "account"
ACCOUNT_PREFIX = "account:"  # an account's row over several accounts: `account:ID`
LINE = 76  # option text is cut here so one option stays one line at 80 columns
ACCOUNT_WIDTH = 13  # a 12-digit account ID and a space


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def worst(checks: tuple[CheckResult, ...]) -> Status:
    present = {c.status for c in checks}
    return next((s for s in STATUS_ORDER if s in present), Status.INFO)


class HealthPane(Widget):
    """Trail health for one AWS configuration (or for given facts)."""

    DEFAULT_CSS = """
    HealthPane {
        layout: vertical;
        height: 1fr;
    }
    HealthPane #health-summary {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    HealthPane #health-title {
        height: 1;
        padding: 0 1;
        color: $foreground-muted;
    }
    HealthPane OptionList, HealthPane OptionList:focus {
        height: 1fr;
        border: none;
        padding: 0;
    }
    HealthPane #health-checks {
        display: none;
    }
    HealthPane.-drilled #health-trails {
        display: none;
    }
    HealthPane.-drilled #health-checks {
        display: block;
    }
    HealthPane #health-detail {
        height: 10;
        padding: 0 1;
        border-top: solid $primary;
    }
    HealthPane > .health--pass {
        color: $success;
    }
    HealthPane > .health--warn {
        color: $warning;
        text-style: bold;
    }
    HealthPane > .health--fail {
        color: $error;
        text-style: bold;
    }
    HealthPane > .health--unknown {
        color: $accent;
        text-style: bold;
    }
    HealthPane > .health--info {
        color: $foreground-muted;
    }
    HealthPane > .health--label {
        color: $foreground-muted;
    }
    """

    COMPONENT_CLASSES = {"health--pass", "health--warn", "health--fail", "health--unknown", "health--info",
                         "health--label"}

    BINDINGS = keys.bindings(keys.HEALTH)

    def __init__(self, aws: AwsConfig, facts: AccountFacts | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.aws = aws
        self.facts = facts
        self.report: HealthReport | None = None
        self._loaded = False
        self._trail_key: str | None = None
        self._check: CheckResult | None = None

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(Text("Health: not checked yet"), id="health-summary")
        yield Static(Text("Trails (enter: checks, r: reload)"), id="health-title")
        yield NavigableOptions(id="health-trails")
        yield NavigableOptions(id="health-checks")
        yield Static(Text(""), id="health-detail")

    def focus(self, scroll_visible: bool = True) -> HealthPane:
        """The app focuses the pane; the keys belong to the visible list."""
        target = "#health-checks" if self.has_class("-drilled") else "#health-trails"
        self.query_one(target, OptionList).focus(scroll_visible)
        return self

    def _style(self, status: Status) -> Any:
        return self.get_component_rich_style(f"health--{status.value.lower()}")

    def _status_text(self, status: Status) -> Text:
        return Text(f"{status.value:<8}", style=self._style(status))

    # ------------------------------------------------------------ loading

    def load(self) -> None:
        """Called by the app when the pane is first shown; idempotent."""
        if self._loaded:
            return
        self._loaded = True
        self.action_reload()

    def action_reload(self) -> None:
        self._loaded = True
        if self.facts is not None:
            self.show_report(evaluate(self.facts, datetime.now(UTC)))
            return
        self.query_one("#health-summary", Static).update(Text("Health: reading trails from AWS…"))
        self._collect()

    @work(exclusive=True, thread=True, group="health")
    def _collect(self) -> None:
        """Collect in a thread (botocore work would otherwise stall key presses)."""
        worker = get_current_worker()
        try:
            report = asyncio.run(self._read_report())
        except HealthCollectionError as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 - the pane must survive anything AWS throws
            message = f"health check failed: {type(exc).__name__}: {exc}"
        else:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show_report, report)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_error, message)

    async def _read_report(self) -> HealthReport:
        """One account's report, or every account's (`--accounts`) merged."""
        if self.aws.accounts is not None:
            return evaluate_accounts(await collect_accounts(self.aws), datetime.now(UTC))
        return evaluate(await collect_facts(self.aws), datetime.now(UTC))

    def show_error(self, message: str) -> None:
        self.query_one("#health-summary", Static).update(
            Text("Health: ") + Text(visible(message), style=self._style(Status.FAIL)))

    # ------------------------------------------------------------ rendering

    def show_report(self, report: HealthReport) -> None:
        self.report = report
        counts = report.counts()
        accounts = len(report.accounts)
        summary = Text("Health: " + (f"{accounts} account{'s' if accounts != 1 else ''}, " if accounts else "")
                       + f"{len(report.trails)} trail{'s' if len(report.trails) != 1 else ''}  ")
        for status, count in counts.items():
            if count:
                summary.append(f"{count} {status.value}", style=self._style(status))
                summary.append("  ")
        self.query_one("#health-summary", Static).update(summary)
        trails = self.query_one("#health-trails", OptionList)
        trails.clear_options()
        for trail in report.trails:
            trails.add_option(Option(self._trail_prompt(trail.name, trail.home_region, trail.checks, trail.account),
                                     id=f"trail:{trail.arn}"))
        if report.accounts:
            for line in report.accounts:
                checks = report.of_account(line.account).account
                label = f"{line.name}: {line.problem}" if line.problem else f"account-wide checks ({line.name})"
                trails.add_option(Option(self._trail_prompt(label, "", checks, line.account),
                                         id=ACCOUNT_PREFIX + line.account))
        elif report.account:
            trails.add_option(Option(self._trail_prompt("account-wide checks", "", report.account),
                                     id=ACCOUNT_ID))
        if trails.option_count:
            trails.highlighted = 0
        if self._trail_key is not None and self._checks_for(self._trail_key) is not None:
            self._open(self._trail_key)
        else:
            self.back_to_trails()

    def _trail_prompt(self, name: str, region: str, checks: tuple[CheckResult, ...],
                      account: str | None = None) -> Text:
        prompt = self._status_text(worst(checks))
        width = 44
        if account is not None:  # over several accounts every row starts with its account
            prompt.append(visible(account)[:ACCOUNT_WIDTH - 1].ljust(ACCOUNT_WIDTH))
            width -= ACCOUNT_WIDTH
        where = f" ({region})" if region else ""
        prompt.append(_cut(visible(name) + where, width).ljust(width + 1))
        counts = {s: sum(1 for c in checks if c.status is s) for s in STATUS_ORDER}
        for status, count in counts.items():
            if count and status is not Status.INFO:
                prompt.append(f"{count} {status.value} ", style=self._style(status))
        return prompt

    def _checks_for(self, key: str) -> tuple[str, tuple[CheckResult, ...]] | None:
        if self.report is None:
            return None
        if key == ACCOUNT_ID:
            return "account-wide checks", self.report.account
        if key.startswith(ACCOUNT_PREFIX):
            account = key[len(ACCOUNT_PREFIX):]
            names = [a.name for a in self.report.accounts if a.account == account]
            return (f"account {account} ({names[0] if names else ''})",
                    self.report.of_account(account).account)
        for trail in self.report.trails:
            if key == f"trail:{trail.arn}":
                return self._trail_title(trail), trail.checks
        return None

    @staticmethod
    def _trail_title(trail: TrailReport) -> str:
        return f"{trail.name} ({trail.home_region})  {trail.arn}"

    def _open(self, key: str) -> None:
        found = self._checks_for(key)
        if found is None:
            return
        title, checks = found
        self._trail_key = key
        self.query_one("#health-title", Static).update(
            Text(_cut(visible(title) + "  (esc: trails, y: copy fix)", LINE)))
        options = self.query_one("#health-checks", OptionList)
        options.clear_options()
        for index, check in enumerate(checks):
            prompt = self._status_text(check.status)
            prompt.append(visible(check.id).ljust(23))
            prompt.append(_cut(visible(check.reason), LINE - 31),
                          style=self.get_component_rich_style("health--label"))
            options.add_option(Option(prompt, id=str(index)))
        self.add_class("-drilled")
        options.highlighted = 0 if checks else None
        options.focus()
        self._describe(checks[0] if checks else None)

    def back_to_trails(self) -> None:
        self._trail_key = None
        self.remove_class("-drilled")
        self.query_one("#health-title", Static).update(Text("Trails (enter: checks, r: reload)"))
        trails = self.query_one("#health-trails", OptionList)
        trails.focus()
        self._describe(None)

    def _describe(self, check: CheckResult | None) -> None:
        """The detail box: status, id, title, reason, fix."""
        self._check = check
        self.refresh_bindings()
        detail = self.query_one("#health-detail", Static)
        if check is None:
            detail.update(Text("Select a trail and press enter to see its checks.",
                               style=self.get_component_rich_style("health--label")))
            return
        text = self._status_text(check.status)
        text.append(visible(check.id))
        text.append(f"  {visible(check.title)}\n", style=self.get_component_rich_style("health--label"))
        text.append(visible(check.reason))
        if check.fix:
            text.append("\nfix (y copies): ", style=self.get_component_rich_style("health--label"))
            text.append(visible(check.fix))
        detail.update(text)

    # ------------------------------------------------------------ events and keys

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "health-trails" and event.option.id:
            event.stop()
            self._open(event.option.id)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id != "health-checks" or self._trail_key is None:
            return
        event.stop()
        found = self._checks_for(self._trail_key)
        if found is not None and event.option.id is not None:
            checks = found[1]
            index = int(event.option.id)
            self._describe(checks[index] if index < len(checks) else None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`esc` and `y` only mean something inside a trail; elsewhere the key
        goes on to the app (esc: back/cancel there)."""
        if action == "back":
            return self._trail_key is not None
        if action == "copy_fix":
            return self._trail_key is not None and bool(self._check and self._check.fix)
        return True

    def action_back(self) -> None:
        self.back_to_trails()

    def action_copy_fix(self) -> None:
        if self._check is not None and self._check.fix:
            self.app.copy_to_clipboard(self._check.fix)
            self.notify(f"copied the fix for {self._check.id}", timeout=3)
