"""The status line: source, time range, filter, and what is running.

Always one line.  The filter and source are user or event text, so they are
escaped (`visible`) and shown through `rich.text.Text`, never markup.  When the
line is too narrow the source and filter shrink first; the running part (what
the analyst is waiting for) keeps its room.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from trailtui.safe import visible
from trailtui.timerange import utcnow
from trailtui.ui.columns import fit
from trailtui.ui.follow_state import FollowState

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


@dataclass(slots=True)
class RunState:
    """Progress of the current query, updated page by page."""

    running: bool = False
    paused: bool = False
    stopped: bool = False
    scanned: int = 0
    matched: int = 0
    problems: int = 0
    progress: float | None = None
    status: str = ""
    error: str = ""
    last_problem: str = ""
    started: float = 0.0
    elapsed: float = 0.0
    tick: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    index: str = ""  # the local store: "indexed", "indexing 42%" or "" (none)

    def _repeats_index(self) -> bool:
        """A page from the store carries the store's word as its status; the
        line already leads with it (`index`), so it is not said twice."""
        return bool(self.index) and self.status.startswith(("indexing", "indexed"))

    def activity(self, elapsed: bool = True) -> str:
        counts = f"{self.scanned:,} scanned / {self.matched:,} matched"
        if self.error:
            return f"✗ {self.error}"
        if self.paused:
            return f"⏸ {counts} (more: scroll or G)"
        if self.running:
            spin = SPINNER[self.tick % len(SPINNER)]
            pct = f" {self.progress:.0%}" if self.progress is not None else ""
            status = f" {self.status}" if self.status and not self._repeats_index() else ""
            return f"{spin}{pct}{status} {counts}"
        if self.stopped:
            return f"■ stopped: {counts}"
        if not self.started:
            return counts
        return f"✓ {counts} {self.elapsed:.1f}s" if elapsed else f"✓ {counts}"


def _layout(width: int, activity: str, wanted: list[str]) -> tuple[str, bool]:
    """Fit range, filter and source around `activity`; True when the range,
    the filter or the activity had to be cut."""
    separators = 3 * len(" │ ") + 1
    room = width - cell_len(activity) - separators  # cells (⏸ is two wide); negative: the activity is cut too
    floors = [min(len(w), floor) for w, floor in zip(wanted, (10, 10, 6), strict=True)]
    widths = list(floors)
    spare = room - sum(floors)
    for i, text in enumerate(wanted):  # range, then filter, then source get what they still need
        extra = min(max(spare, 0), len(text) - widths[i])
        widths[i] += extra
        spare -= extra
    short = spare < 0
    if short:  # too narrow even for the floors: shorten the activity instead
        activity = fit(activity, max(cell_len(activity) + spare, 12)).rstrip()
    range_part, filter_part, source_part = (fit(t, w, "middle" if i == 2 else "end").rstrip()
                                            for i, (t, w) in enumerate(zip(wanted, widths, strict=True)))
    cut = short or widths[0] < len(wanted[0]) or widths[1] < len(wanted[1])
    return " " + " │ ".join([source_part, range_part, filter_part, activity]), cut


def status_text(width: int, source: str, range_label: str, filter_text: str, run: RunState,
                follow: list[str] | None = None) -> str:
    """`source │ range │ filter │ activity`, fitted to `width`.  The counts
    always show; the elapsed time and the problem count are shortened before
    the range or the filter is cut; the source is cut first (in the middle).
    In follow mode `follow` holds the follow part, longest first: it comes
    after the counts, and the counts go before its shortest form is cut."""
    wanted = [visible(range_label), visible(filter_text) if filter_text else "no filter", visible(source)]
    base = run.activity(elapsed=False)
    problems = f" · {run.problems} problem{'s' if run.problems != 1 else ''}" if run.problems else ""
    short_problems = f" · ⚠{run.problems}" if run.problems else ""
    # The store's word leads the activity: a long activity (a paused scan's
    # hint) is cut at its end at 80 columns, and `indexing 42%` must stay.
    index = f"{run.index} · " if run.index else ""
    candidates = [index + run.activity() + problems, index + base + problems, index + base + short_problems]
    if follow:
        counts = index + base + short_problems
        candidates = [f"{counts} · {part}" for part in follow] + list(follow)
    line = ""
    for activity in candidates:
        line, cut = _layout(width, activity, wanted)
        if not cut:
            break
    return line


class StatusLine(Widget):
    COMPONENT_CLASSES = {"status-line--error", "status-line--busy", "status-line--hunt"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = ""
        self.range_label = "all"
        self.filter_text = ""
        self.run = RunState()
        self.follow: FollowState | None = None

    def update_state(self, source: str, range_label: str, filter_text: str, run: RunState,
                     follow: FollowState | None = None) -> None:
        self.source, self.range_label, self.filter_text, self.run = source, range_label, filter_text, run
        self.follow = follow
        self.refresh()

    def render(self) -> Text:
        follow = self.follow if self.follow is not None and self.follow.active else None
        variants = follow.variants(utcnow()) if follow is not None else None
        line = status_text(self.size.width, self.source, self.range_label, self.filter_text, self.run, variants)
        style: Style | str = ""
        if self.run.error or (follow is not None and follow.error):
            style = self.get_component_rich_style("status-line--error")
        elif self.run.running:
            style = self.get_component_rich_style("status-line--busy")
        text = Text(line, style=style, no_wrap=True, overflow="ellipsis")
        for hits in (follow.hits_text(), follow.hits_text(short=True)) if follow is not None else ():
            if hits and hits in line:
                start = line.index(hits)
                text.stylize(self.get_component_rich_style("status-line--hunt"), start, start + len(hits))
                break
        return text
