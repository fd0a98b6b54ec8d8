"""The Markdown incident report.

Events stream through `ReportWriter.write` and leave only aggregates behind:
counts, bounded top-N counters, per-hour buckets, and the hunt tallies (the
catalogue runs over the same events).  `close` renders the report.  Memory
does not grow with the number of events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO

from trailtui import __version__
from trailtui.events import EPOCH, Event
from trailtui.export.integrity import IntegrityStatus
from trailtui.export.marks import Mark
from trailtui.export.mdtext import md_code_block, md_escape, md_table
from trailtui.hunts import Hunt, HuntEngine, HuntTallies
from trailtui.record_json import dumps_record
from trailtui.timerange import TimeRange

TOP_N = 10
BAR_WIDTH = 32
MAX_TIMELINE_ROWS = 72
MAX_MINUTES = 10_080  # per-minute counts kept for a week of distinct minutes; beyond it, hours only


class TopCounter:
    """A Counter that forgets its rarest keys when it grows past `limit`, so a
    trail with a million source IPs cannot exhaust memory.  Exact whenever the
    number of distinct values stays under the limit; otherwise the top entries
    are still right unless the rare ones were many and close behind."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self.counts: Counter[str] = Counter()
        self.approximate = False

    def add(self, key: str) -> None:
        self.counts[key] += 1
        if len(self.counts) > self.limit:
            self.approximate = True
            self.counts = Counter(dict(self.counts.most_common(self.limit // 2)))

    def top(self, n: int = TOP_N) -> list[tuple[str, int]]:
        return self.counts.most_common(n)


@dataclass(slots=True)
class ReportContext:
    """What the report says about how its events were chosen."""

    source: str
    time_range: TimeRange = field(default_factory=TimeRange)
    filter_text: str = ""
    scope: str = "query results"
    integrity: IntegrityStatus | None = None
    marks: Sequence[Mark] = ()
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))


def _stamp(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if when else "-"


def _minute_bucket(first: datetime, last: datetime) -> tuple[timedelta, str] | None:
    """1, 5 or 15 minutes when the span fits in MAX_TIMELINE_ROWS of them."""
    for minutes, label in ((1, "minute"), (5, "5 minutes"), (15, "15 minutes")):
        if (last - first) / timedelta(minutes=minutes) < MAX_TIMELINE_ROWS:
            return timedelta(minutes=minutes), label
    return None


def _bucket_size(first: datetime, last: datetime) -> tuple[timedelta, str]:
    span = last - first
    for size, label in ((timedelta(hours=1), "hour"), (timedelta(hours=6), "6 hours"), (timedelta(days=1), "day"),
                        (timedelta(days=7), "week")):
        if span / size < MAX_TIMELINE_ROWS:
            return size, label
    return timedelta(days=30), "30 days"


class ReportWriter:
    """Aggregates events; renders Markdown on close."""

    def __init__(self, stream: IO[str], context: ReportContext, hunts: Iterable[Hunt] = ()) -> None:
        self._stream = stream
        self.context = context
        self.events = 0
        self.scanned = 0
        self.errors = 0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.principals = TopCounter()
        self.addresses = TopCounter()
        self.names = TopCounter()
        self.hours: Counter[datetime] = Counter()
        self.minutes: Counter[datetime] | None = Counter()  # None once too many distinct minutes
        hunts = tuple(hunts)
        self._engine = HuntEngine(hunts)
        self.tallies = HuntTallies(hunts)

    def write(self, events: Iterable[Event]) -> None:
        for event in events:
            self.events += 1
            self.principals.add(event.principal)
            self.addresses.add(event.source_ip or "(none)")
            self.names.add(f"{event.short_source}:{event.event_name}")
            if event.error_code:
                self.errors += 1
            if event.time != EPOCH:
                self.first = event.time if self.first is None or event.time < self.first else self.first
                self.last = event.time if self.last is None or event.time > self.last else self.last
                self.hours[event.time.replace(minute=0, second=0, microsecond=0)] += 1
                if self.minutes is not None:
                    self.minutes[event.time.replace(second=0, microsecond=0)] += 1
                    if len(self.minutes) > MAX_MINUTES:
                        self.minutes = None
            self.tallies.add(self._engine.feed(event))

    def close(self) -> None:
        self.tallies.add(self._engine.finish())
        self._stream.write(self.render())
        self._stream.flush()

    # -- rendering -----------------------------------------------------------------
    def render(self) -> str:
        parts = [self._header(), self._tops(), self._timeline(), self._hunts(), self._marks()]
        return "\n\n".join(p for p in parts if p) + "\n"

    def _header(self) -> str:
        ctx = self.context
        scanned = f" of {self.scanned:,} scanned" if self.scanned else ""
        rows = [
            ["Source", md_escape(ctx.source)],
            ["Time range", md_escape(ctx.time_range.describe())],
            ["Filter", md_escape(ctx.filter_text) if ctx.filter_text else "(none)"],
            ["Scope", md_escape(ctx.scope)],
            ["Events", f"{self.events:,}{scanned} ({self.errors:,} with an error code)"],
            ["First event", _stamp(self.first)],
            ["Last event", _stamp(self.last)],
            ["Integrity", self._integrity_line()],
            ["Generated", f"{_stamp(ctx.generated)} by trailtui {md_escape(__version__)}"],
        ]
        return "# trailtui incident report\n\n" + md_table(["", ""], rows) + self._integrity_detail()

    def _integrity_line(self) -> str:
        status = self.context.integrity
        if status is None:
            return "not verified (run `trailtui verify SOURCE --format json` and pass the file with --verify-result)"
        window = f", {md_escape(status.window)}" if status.window else ""
        return f"{md_escape(status.verdict)}{window}"

    def _integrity_detail(self) -> str:
        status = self.context.integrity
        if status is None or not (status.statuses or status.problems):
            return ""
        counts = ", ".join(f"{md_escape(k)} {v:,}" for k, v in sorted(status.statuses.items()))
        lines = [f"\n\nIntegrity checks: {counts}" if counts else ""]
        for code, location, detail in status.problems:
            lines.append(f"\n- **{md_escape(code)}** {md_escape(location)}: {md_escape(detail)}")
        if status.problem_count > len(status.problems):
            lines.append(f"\n- ... and {status.problem_count - len(status.problems):,} more")
        return "".join(lines)

    def _tops(self) -> str:
        sections = []
        for title, counter, column in (("Top principals", self.principals, "Principal"),
                                       ("Top source IPs", self.addresses, "Source IP"),
                                       ("Top events", self.names, "Event")):
            top = counter.top()
            if not top:
                continue
            note = " (approximate: many distinct values)" if counter.approximate else ""
            table = md_table([column, "Events"], [[md_escape(k), f"{v:,}"] for k, v in top])
            sections.append(f"## {title}{note}\n\n{table}")
        return "\n\n".join(sections)

    def _timeline(self) -> str:
        if not self.hours:
            return ""
        counts = self.hours
        first, last = min(self.hours), max(self.hours)
        size, label = _bucket_size(first, last)
        if self.minutes and size == timedelta(hours=1):  # a short incident: bins that fit its span
            first, last = min(self.minutes), max(self.minutes)
            size, label = _minute_bucket(first, last) or (size, label)
            counts = self.minutes if label != "hour" else self.hours
            if label == "hour":
                first, last = min(self.hours), max(self.hours)
        buckets: Counter[datetime] = Counter()
        for hour, count in counts.items():
            index = (hour - first) // size
            buckets[first + index * size] += count
        peak = max(buckets.values())
        lines = []
        when = first
        while when <= last:
            count = buckets.get(when, 0)
            bar = "█" * (round(count / peak * BAR_WIDTH) if count else 0)
            if count and not bar:
                bar = "▏"
            lines.append(f"{when:%Y-%m-%d %H:%M}  {bar.ljust(BAR_WIDTH)}  {count:,}")
            when += size
        return f"## Timeline (events per {label}, UTC)\n\n" + md_code_block("\n".join(lines))

    def _hunts(self) -> str:
        fired = self.tallies.fired()
        if not fired:
            return "## Hunts that fired\n\nNone of the built-in hunts fired on these events."
        rows = []
        for tally in fired:
            hunt = tally.hunt
            who = ", ".join(f"{md_escape(name)} ({count})" for name, count in tally.top_principals(3))
            hits = f"{tally.count:,}" + (f" ({tally.outcome})" if tally.outcome else "")
            rows.append([md_escape(hunt.severity), md_escape(hunt.id), md_escape(hunt.title), hits,
                         _stamp(tally.first), _stamp(tally.last), md_escape(hunt.technique), who])
        table = md_table(["Severity", "Hunt", "Title", "Hits", "First", "Last", "ATT&CK", "Top principals"], rows)
        notes = []
        if any(t.attempts for t in fired):
            notes.append("An attempt is a hit on a call that failed (denied, invalid, not found): intent, not effect.")
        if any(t.hunt.outside is not None for t in fired):
            notes.append(f"Outside access was judged against the known accounts from: "
                         f"{md_escape(self._engine.context.known_accounts.provenance())}.")
        return "## Hunts that fired\n\n" + table + "".join(f"\n\n{note}" for note in notes)

    def _marks(self) -> str:
        marks = self.context.marks
        if not marks:
            return ""
        ordered = sorted(marks, key=lambda m: m.as_event().time)
        blocks = [f"## Marked events ({len(ordered)})"]
        for number, mark in enumerate(ordered, start=1):
            event = mark.as_event()
            title = (f"### {number}. {md_escape(event.field('eventTime') or '?')} — {md_escape(event.principal)} — "
                     f"{md_escape(event.short_source)}:{md_escape(event.event_name)}")
            facts = [
                f"- **Note:** {md_escape(mark.note) if mark.note else '(none)'}",
                f"- **Marked at:** {_stamp(mark.marked_at)}",
                f"- **Source IP:** {md_escape(event.source_ip) or '-'}; **region:** {md_escape(event.region) or '-'}; "
                f"**access key:** {md_escape(event.access_key) or '-'}",
            ]
            if event.error_code:
                facts.append(f"- **Error:** {md_escape(event.error_code)}: {md_escape(event.field('errorMessage'))}")
            body = dumps_record(mark.event, indent=True, sort_keys=True).decode()
            blocks.append(title + "\n\n" + "\n".join(facts) + "\n\n" + md_code_block(body, "json"))
        return "\n\n".join(blocks)
