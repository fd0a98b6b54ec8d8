"""The hunt list (`h`): every hunt in the catalogue with a live hit count for
the current source and time range.

The counts come from one background scan (an exclusive worker, newest first)
that starts when the screen opens and stops when it closes.  Hunts that fired
come first (most severe, then most hits), each with its top principal and its
first and last hit; the hunts without hits are folded into one row that
`enter` unfolds.  `enter` on a hunt closes the screen with a filter showing
exactly that hunt's hits (see `trailtui.hunts.hits`), which the app applies in
the event browser; `esc` or `q` closes it with None.

In follow mode the hits on arrival are counted from the start (`arrived`),
and the scan does not count them twice (same hunt, same eventID).
"""

from __future__ import annotations

from contextlib import aclosing
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from trailtui.follow.arrival import record_identity
from trailtui.hunts import CatalogueError, Hit, Hunt, HuntTallies, HuntTally, load_catalogue, run_hunts
from trailtui.hunts.hits import HitIds, hits_filter
from trailtui.hunts.model import describe_window
from trailtui.safe import visible
from trailtui.sources import SourceError
from trailtui.timerange import TimeRange
from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.navigable import NavigableTable
from trailtui.ui.session import SourceSession

SEVERITY_STYLE = {"critical": "bold reverse", "high": "bold", "medium": "", "low": "dim"}
SEVERITY_LABEL = {"critical": "CRIT", "high": "HIGH", "medium": "MED", "low": "LOW"}


FOLD = "__folded__"  # the row standing for the hunts without hits


def severity_cell(hunt: Hunt) -> Text:
    label = SEVERITY_LABEL.get(hunt.severity, hunt.severity[:4].upper())
    return Text(label, style=SEVERITY_STYLE.get(hunt.severity, ""))


def title_cell(hunt: Hunt, outcome: str = "") -> Text:
    """The hunt's title, then the outcome word ('attempt', '2 attempts') when
    some hits were failed calls, so a refused StopLogging never reads as done."""
    text = Text()
    if outcome:  # first, so it is never cut off at 80 columns
        text.append(f"{outcome} · ", style="italic")
    text.append(hunt.title)
    return text


def count_text(count: int) -> str:
    """A hit count for the five-column HITS cell: exact up to 9,999, then
    `25.7k`, `257k`, `2.6M`.  Cut to the cell, 25,719 read as `25,71`."""
    if count < 10_000:
        return f"{count:,}"
    size, unit = (1_000_000, "M") if count >= 999_500 else (1_000, "k")
    value = round(count / size, 1)
    return f"{value:.1f}{unit}" if value < 100 else f"{count / size:.0f}{unit}"


def count_cell(count: int | None) -> Text:
    if count is None:
        return Text("…", style="dim", justify="right")
    return Text(count_text(count), style="bold" if count else "dim", justify="right")


class HuntsScreen(DismissOnce, ModalScreen[str | None]):
    """Dismisses with the selected hunt's hits filter, or None."""

    DEFAULT_CSS = """
    HuntsScreen {
        align: center middle;
    }
    HuntsScreen > #hunts-dialog {
        width: 100%;
        max-width: 130;
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

    BINDINGS = keys.bindings(keys.HUNTS)

    def __init__(self, session: SourceSession, time_range: TimeRange, hunts: tuple[Hunt, ...] | None = None,
                 arrived: tuple[Hit, ...] = ()) -> None:
        super().__init__()
        self.session = session  # the console's: the hunts run on its source thread, never on the UI loop
        self.source_url = session.url
        self.time_range = time_range
        self.hunts: tuple[Hunt, ...] = ()  # most severe first, as shown
        # Run in the catalogue's own order: the question `trailtui hunt` asks, so
        # the findings `trailtui index` kept for it answer this window too.
        self.catalogue: tuple[Hunt, ...] = ()
        self.catalogue_error = ""
        try:
            self.catalogue = tuple(load_catalogue().hunts if hunts is None else hunts)
            self.hunts = tuple(sorted(self.catalogue, key=lambda h: -h.rank))
        except CatalogueError as exc:
            self.catalogue_error = str(exc)
        self.tallies = HuntTallies(self.hunts)
        self.hit_ids: dict[str, HitIds] = {h.id: HitIds() for h in self.hunts if h.kind != "predicate"}
        self.scanned = 0
        self.done = False
        self.unfolded = False
        self.order: list[str] = []  # row keys as shown
        self.wide = False
        known = {h.id for h in self.hunts}
        self.arrived = [hit for hit in arrived if hit.hunt.id in known]
        self._counted: set[tuple[str, str]] = set()  # (hunt, event) of the hits on arrival
        self._take_hits(self.arrived)
        self._counted = {(hit.hunt.id, record_identity(hit.event.raw)) for hit in self.arrived}

    def _take_hits(self, hits: list[Hit]) -> list[Hit]:
        """Count hits (not those already counted on arrival); returns the ones taken."""
        if self._counted:
            hits = [h for h in hits if (h.hunt.id, record_identity(h.event.raw)) not in self._counted]
        self.tallies.add(hits)
        for hit in hits:
            pinned = self.hit_ids.get(hit.hunt.id)
            if pinned is not None:
                pinned.add(hit.event)
        return hits

    def compose(self) -> ComposeResult:
        with Vertical(id="hunts-dialog"):
            title = Text("Hunts", style="bold")
            if self.arrived:  # before the source, which a narrow terminal cuts
                title.append(f"  {len(self.arrived)} hit{'s' if len(self.arrived) != 1 else ''} on arrival ·",
                             style="bold")
            title.append(f"  {visible(self.source_url)}  ·  {self.time_range.describe()}", style="")
            yield Static(title, id="hunts-title")
            yield NavigableTable(id="hunts-table", cursor_type="row", zebra_stripes=False)
            yield Static(Text(""), id="hunts-why")
            yield Static(Text("starting…"), id="hunts-status")
            yield Static(Text("enter: show its hits   j k g G: move   esc q: close"), id="hunts-hint")

    @property
    def table(self) -> NavigableTable:
        return self.query_one(NavigableTable)

    def on_mount(self) -> None:
        table = self.table
        wide = self.app.size.width >= 110
        table.add_column("SEV", width=4, key="sev")
        table.add_column("HITS", width=5, key="hits")
        table.add_column("HUNT", width=40 if wide else 26, key="hunt")
        table.add_column("TOP PRINCIPAL" if wide else "PRINCIPAL", width=30 if wide else 12, key="who")
        table.add_column("FIRST→LAST UTC", width=33 if wide else 17, key="when")
        self.wide = wide
        self._rebuild()
        table.focus()
        if self.catalogue_error:
            self._status(self.catalogue_error, error=True)
            return
        self._show_why(0)
        self.scan()

    # -- the rows ------------------------------------------------------------------
    def _fired_ids(self) -> list[str]:
        return [t.hunt.id for t in self.tallies.fired()]

    def _rebuild(self, keep_fold: bool = False) -> None:
        """Fired hunts first, then the fold row (or, unfolded, the quiet hunts);
        the cursor stays on the hunt it was on (on the fold row only when it
        was just used), else on the first row."""
        table = self.table
        current = self.order[table.cursor_row] if self.order and 0 <= table.cursor_row < len(self.order) else None
        if current == FOLD and not keep_fold:
            current = None
        fired = self._fired_ids()
        quiet = [h.id for h in self.hunts if h.id not in set(fired)]
        if current is None:
            table.move_cursor(row=0, animate=False)
        self.order = fired + [FOLD] + (quiet if self.unfolded else [])
        table.clear()
        by_id = {h.id: h for h in self.hunts}
        for key in self.order:
            if key == FOLD:
                table.add_row(Text(""), Text(""), self._fold_text(len(quiet)), Text(""), Text(""), key=FOLD)
                continue
            hunt = by_id[key]
            table.add_row(severity_cell(hunt), self._count(hunt.id), self._title(hunt), *self._who_when(hunt.id),
                          key=hunt.id)
        if current in self.order:
            table.move_cursor(row=self.order.index(current), animate=False)
        self._show_why(table.cursor_row)

    def _fold_text(self, quiet: int) -> Text:
        state = "" if self.done else " so far"
        arrow = "▾" if self.unfolded else "▸"
        return Text(f"{arrow} {quiet} hunts: no hits{state}", style="dim")

    def _title(self, hunt: Hunt) -> Text:
        tally = self.tallies.get(hunt.id)
        return title_cell(hunt, tally.outcome if tally is not None and tally.attempts else "")

    def _count(self, hunt_id: str) -> Text:
        tally = self.tallies.get(hunt_id)
        count = tally.count if tally is not None else 0
        return count_cell(count if (count or self.done) else None)

    def _who_when(self, hunt_id: str) -> tuple[Text, Text]:
        tally = self.tallies.get(hunt_id)
        if tally is None or not tally.count:
            return Text(""), Text("")
        top = tally.top_principals(1)
        who = Text(visible(top[0][0]) if top else "", no_wrap=True, overflow="ellipsis")
        return who, Text(_span(tally, with_year=self.wide), no_wrap=True)

    def _refresh_rows(self, hunt_ids: set[str]) -> None:
        if set(self._fired_ids()) - set(self.order):
            self._rebuild()  # a hunt fired for the first time: it moves up
            return
        table = self.table
        for hunt_id in hunt_ids & set(self.order):
            who, when = self._who_when(hunt_id)
            table.update_cell(hunt_id, "hits", self._count(hunt_id))
            table.update_cell(hunt_id, "hunt", self._title(next(h for h in self.hunts if h.id == hunt_id)))
            table.update_cell(hunt_id, "who", who)
            table.update_cell(hunt_id, "when", when)

    # -- the background scan -----------------------------------------------------
    @work(exclusive=True, group="trailtui-hunts")
    async def scan(self) -> None:
        problems = 0
        try:
            steps = self.session.stream(lambda source: run_hunts(source, self.catalogue, self.time_range))
            async with aclosing(steps):
                async for step in steps:
                    self.scanned = step.scanned
                    problems += len(step.problems)
                    taken = self._take_hits(step.hits) if step.hits else []
                    if taken:
                        self._refresh_rows({h.hunt.id for h in taken})
                    self._status(self._progress_text(step.progress, problems))
        except SourceError as exc:
            self._failed(str(exc))
            return
        self.done = True
        self._rebuild()
        self._status(self._progress_text(1.0, problems, finished=True))

    def _progress_text(self, progress: float | None, problems: int, finished: bool = False) -> str:
        fired = len(self.tallies.fired())
        head = "done" if finished else ("scanning" + (f" {progress:.0%}" if progress is not None else "…"))
        tail = f", {problems} unreadable" if problems else ""
        return f"{head}: {self.scanned:,} events scanned, {fired} of {len(self.hunts)} hunts fired{tail}"

    def _failed(self, message: str) -> None:
        table = self.table
        for hunt_id in self.order:
            tally = self.tallies.get(hunt_id)
            if hunt_id != FOLD and (tally is None or not tally.count):
                table.update_cell(hunt_id, "hits", Text("-", style="dim", justify="right"))
        self._status(message, error=True)

    def _status(self, message: str, error: bool = False) -> None:
        status = self.query_one("#hunts-status", Static)
        status.update(Text(visible(message), no_wrap=not error, overflow="ellipsis"))
        status.set_class(error, "-error")

    # -- selection -----------------------------------------------------------------
    def _hunt_at(self, row: int) -> Hunt | None:
        if not 0 <= row < len(self.order) or self.order[row] == FOLD:
            return None
        return next((h for h in self.hunts if h.id == self.order[row]), None)

    def _show_why(self, row: int) -> None:
        hunt = self._hunt_at(row)
        why = self.query_one("#hunts-why", Static)
        if hunt is None:
            shown = "hides" if self.unfolded else "shows"
            why.update(Text(f"The hunts that found nothing in this source and range: enter {shown} them."
                            if self.order else ""))
            return
        text = Text(hunt.title, style="bold")
        text.append(f"  {hunt.id}  {hunt.technique}")
        if hunt.threshold is not None:
            text.append(f"  fires at {hunt.threshold.describe()}", style="italic")
        elif hunt.sequence is not None:
            window = describe_window(hunt.sequence.window)
            text.append(f"  fires when followed by its second step within {window}", style="italic")
        elif hunt.first_seen is not None:
            text.append(f"  {hunt.first_seen.describe()}; counted when the scan ends", style="italic")
        elif hunt.outside is not None:
            text.append("  fires on access for '*' or an account outside the organisation", style="italic")
        tally = self.tallies.get(hunt.id)
        if tally is not None and tally.first is not None and tally.last is not None:
            text.append(f"\nhits {tally.first:%Y-%m-%d %H:%M:%S}Z → {tally.last:%Y-%m-%d %H:%M:%S}Z", style="bold")
        text.append("\n" + hunt.why)
        why.update(text)

    def on_data_table_row_highlighted(self, event: NavigableTable.RowHighlighted) -> None:
        event.stop()
        self._show_why(event.cursor_row)

    def on_data_table_row_selected(self, event: NavigableTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.table.cursor_row
        if 0 <= row < len(self.order) and self.order[row] == FOLD:
            self.unfolded = not self.unfolded
            self._rebuild(keep_fold=True)
            return
        hunt = self._hunt_at(row)
        if hunt is None:
            return
        chosen = hits_filter(hunt, self.hit_ids.get(hunt.id))
        if not chosen.exact:
            self.notify(f"{hunt.id}: too many hits to pin; showing every event its filter matches",
                        severity="warning")
        self.dismiss(chosen.text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _span(tally: HuntTally, with_year: bool) -> str:
    """`03-01 12:29→12:31`: first and last hit, with the year when it is not
    this one and the column is wide (the detail line below always has it)."""
    first, last = tally.first, tally.last
    if first is None or last is None:
        return ""
    this_year = datetime.now(UTC).year
    day = "%Y-%m-%d %H:%M" if with_year and first.year != this_year else "%m-%d %H:%M"
    tail = "%H:%M" if first.date() == last.date() else day
    return f"{first.strftime(day)}→{last.strftime(tail)}"
