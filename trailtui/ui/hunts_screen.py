"""The hunt list (`h`): every hunt in the catalogue with a live hit count for
the current source and time range.

The counts come from one background scan (an exclusive worker, newest first)
that starts when the screen opens and stops when it closes.  `enter` closes the
screen with the chosen hunt's filter, which the app applies in the event
browser; `esc` closes it with None.
"""

from __future__ import annotations

from contextlib import aclosing

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from trailtui.aws.config import AwsConfig
from trailtui.hunts import CatalogueError, Hunt, HuntTallies, load_catalogue, run_hunts
from trailtui.hunts.model import describe_window
from trailtui.safe import visible
from trailtui.sources import SourceError, open_source
from trailtui.timerange import TimeRange
from trailtui.ui.dismissal import DismissOnce

SEVERITY_STYLE = {"critical": "bold reverse", "high": "bold", "medium": "", "low": "dim"}
SEVERITY_LABEL = {"critical": "CRIT", "high": "HIGH", "medium": "MED", "low": "LOW"}


def severity_cell(hunt: Hunt) -> Text:
    return Text(SEVERITY_LABEL.get(hunt.severity, hunt.severity[:4].upper()), style=SEVERITY_STYLE.get(hunt.severity, ""))


def title_cell(hunt: Hunt, outcome: str = "") -> Text:
    """The hunt's title, then the outcome word ('attempt', '2 attempts') when
    some hits were failed calls, so a refused StopLogging never reads as done."""
    text = Text()
    if outcome:  # first, so it is never cut off at 80 columns
        text.append(f"{outcome} · ", style="italic")
    text.append(hunt.title)
    return text


def count_cell(count: int | None) -> Text:
    if count is None:
        return Text("…", style="dim", justify="right")
    return Text(f"{count:,}", style="bold" if count else "dim", justify="right")


def _reads_through_store(app: object) -> bool:
    """Whether the console reads its source through the local store."""
    return bool(getattr(getattr(app, "session", None), "index", False))


class HuntsScreen(DismissOnce, ModalScreen[str | None]):
    """Dismisses with the selected hunt's browser filter, or None."""

    DEFAULT_CSS = """
    HuntsScreen {
        align: center middle;
    }
    HuntsScreen > #hunts-dialog {
        width: 100%;
        max-width: 110;
        height: 100%;
        max-height: 40;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    HuntsScreen #hunts-title {
        height: 1;
    }
    HuntsScreen #hunts-table {
        height: 1fr;
        border: none;
        background: $surface;
    }
    HuntsScreen #hunts-why {
        height: 4;
        color: $text-muted;
        border-top: solid $panel;
    }
    HuntsScreen #hunts-status {
        height: auto;
        max-height: 3;
        color: $text-muted;
    }
    HuntsScreen #hunts-status.-error {
        color: $error;
    }
    HuntsScreen #hunts-hint {
        height: 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="trailtui.hunts.cancel"),
        Binding("j", "move(1)", show=False, id="trailtui.hunts.down"),
        Binding("k", "move(-1)", show=False, id="trailtui.hunts.up"),
        Binding("g", "jump(0)", show=False, id="trailtui.hunts.first"),
        Binding("G", "jump(-1)", show=False, id="trailtui.hunts.last"),
    ]

    def __init__(self, source_url: str, aws: AwsConfig, time_range: TimeRange,
                 hunts: tuple[Hunt, ...] | None = None) -> None:
        super().__init__()
        self.source_url = source_url
        self.aws = aws
        self.time_range = time_range
        self.hunts: tuple[Hunt, ...] = ()
        self.catalogue_error = ""
        try:
            chosen = load_catalogue().hunts if hunts is None else hunts
            self.hunts = tuple(sorted(chosen, key=lambda h: -h.rank))
        except CatalogueError as exc:
            self.catalogue_error = str(exc)
        self.tallies = HuntTallies(self.hunts)
        self.scanned = 0
        self.done = False

    def compose(self) -> ComposeResult:
        with Vertical(id="hunts-dialog"):
            title = Text("Hunts", style="bold")
            title.append(f"  {visible(self.source_url)}  ·  {self.time_range.describe()}", style="")
            yield Static(title, id="hunts-title")
            table: DataTable = DataTable(id="hunts-table", cursor_type="row", zebra_stripes=False)
            table.add_column("SEV", width=4, key="sev")
            table.add_column("HITS", width=7, key="hits")
            table.add_column("HUNT", key="hunt")
            for hunt in self.hunts:
                table.add_row(severity_cell(hunt), count_cell(None), title_cell(hunt), key=hunt.id)
            yield table
            yield Static(Text(""), id="hunts-why")
            yield Static(Text("starting…"), id="hunts-status")
            yield Static(Text("enter: show in browser   ↑↓ j k: move   esc: close"), id="hunts-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.focus()
        if self.catalogue_error:
            self._status(self.catalogue_error, error=True)
            return
        self._show_why(0)
        self.scan()

    # -- the background scan -----------------------------------------------------
    @work(exclusive=True, group="trailtui-hunts")
    async def scan(self) -> None:
        try:
            source = open_source(self.source_url, self.aws, index=_reads_through_store(self.app))
        except SourceError as exc:
            self._failed(str(exc))
            return
        problems = 0
        try:
            async with aclosing(run_hunts(source, self.hunts, self.time_range)) as steps:
                async for step in steps:
                    self.scanned = step.scanned
                    problems += len(step.problems)
                    if step.hits:
                        self.tallies.add(step.hits)
                        self._refresh_counts({h.hunt.id for h in step.hits})
                    self._status(self._progress_text(step.progress, problems))
        except SourceError as exc:
            self._failed(str(exc))
            return
        finally:
            await source.close()
        self.done = True
        self._refresh_counts({h.id for h in self.hunts})
        self._status(self._progress_text(1.0, problems, finished=True))

    def _progress_text(self, progress: float | None, problems: int, finished: bool = False) -> str:
        fired = len(self.tallies.fired())
        head = "done" if finished else ("scanning" + (f" {progress:.0%}" if progress is not None else "…"))
        tail = f", {problems} unreadable" if problems else ""
        return f"{head}: {self.scanned:,} events scanned, {fired} of {len(self.hunts)} hunts fired{tail}"

    def _refresh_counts(self, hunt_ids: set[str]) -> None:
        table = self.query_one(DataTable)
        for hunt_id in hunt_ids:
            tally = self.tallies.get(hunt_id)
            if tally is None:
                continue
            table.update_cell(hunt_id, "hits", count_cell(tally.count if (tally.count or self.done) else None))
            if tally.attempts:
                table.update_cell(hunt_id, "hunt", title_cell(tally.hunt, tally.outcome), update_width=True)

    def _failed(self, message: str) -> None:
        table = self.query_one(DataTable)
        for hunt in self.hunts:
            tally = self.tallies.get(hunt.id)
            if tally is None or not tally.count:
                table.update_cell(hunt.id, "hits", Text("-", style="dim", justify="right"))
        self._status(message, error=True)

    def _status(self, message: str, error: bool = False) -> None:
        status = self.query_one("#hunts-status", Static)
        status.update(Text(visible(message), no_wrap=not error, overflow="ellipsis"))
        status.set_class(error, "-error")

    # -- selection -----------------------------------------------------------------
    def _show_why(self, row: int) -> None:
        if not 0 <= row < len(self.hunts):
            return
        hunt = self.hunts[row]
        text = Text(f"{hunt.id}  {hunt.technique}", style="bold")
        if hunt.threshold is not None:
            text.append(f"  fires at {hunt.threshold.describe()}", style="italic")
        elif hunt.sequence is not None:
            window = describe_window(hunt.sequence.window)
            text.append(f"  fires when followed by its second step within {window}", style="italic")
        elif hunt.first_seen is not None:
            text.append(f"  {hunt.first_seen.describe()}; counted when the scan ends", style="italic")
        elif hunt.outside is not None:
            text.append("  fires on access for '*' or an account outside the organisation", style="italic")
        text.append("\n" + hunt.why)
        self.query_one("#hunts-why", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_why(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        hunt = next((h for h in self.hunts if h.id == event.row_key.value), None)
        if hunt is not None:
            self.dismiss(hunt.browser_filter)

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, min(len(self.hunts) - 1, table.cursor_row + step)))

    def action_jump(self, row: int) -> None:
        self.query_one(DataTable).move_cursor(row=row if row >= 0 else len(self.hunts) - 1)

    def action_cancel(self) -> None:
        self.dismiss(None)
