"""The Markdown incident report.

It reads top down like a ticket: a summary (what, when, who, from where,
accounts, regions) with a timeline whose bins fit the span; an indicators
table (principals, access keys, source IPs, user agents, identities created,
accounts); the marked events in time order with their notes; the hunts that
fired over the whole source and time range; the integrity verdict; and the
raw marked events last, as an appendix.

Events stream through `ReportWriter.write` and leave only bounded aggregates
behind (top-N counters, per-minute and per-hour buckets, hunt tallies);
`close` renders the report.  Hunt hits come either from the same events or,
when those are a filtered subset or the marks, from a separate run over the
source (`add_hunt_hits`).  Every event string is escaped (`mdtext`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO

from trailtui import __version__
from trailtui.events import EPOCH, Event
from trailtui.export.indicators import Indicators, Seen
from trailtui.export.integrity import IntegrityStatus
from trailtui.export.marks import Mark
from trailtui.export.mdtext import md_code_block, md_escape, md_table
from trailtui.hunts import Hunt, HuntEngine, HuntTallies
from trailtui.hunts.context import HuntContext
from trailtui.hunts.engine import Hit
from trailtui.record_json import dumps_record
from trailtui.timerange import TimeRange

TOP_N = 10
SUMMARY_N = 3  # values named per line of the summary
INDICATORS_PER_KIND = 10
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
    # how the hunts' events were chosen; "" when they ran over the report's own events
    hunt_scope: str = ""


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


def _span(first: datetime, last: datetime) -> str:
    seconds = int((last - first).total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{seconds // 60} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"


def _named(top: Sequence[tuple[str, int]], approximate: bool = False) -> str:
    if not top:
        return "(none)"
    text = ", ".join(f"{md_escape(name)} ({count:,})" for name, count in top)
    return text + (" (approximate)" if approximate else "")


def _seen_top(counter_top: Sequence[tuple[str, Seen]]) -> list[tuple[str, int]]:
    return [(value, seen.count) for value, seen in counter_top]


class ReportWriter:
    """Aggregates events; renders Markdown on close.  With `hunts_from_events`
    (the default) the hunts run over the written events; otherwise the caller
    feeds hits from its own run with `add_hunt_hits` and `hunt_context`."""

    def __init__(self, stream: IO[str], context: ReportContext, hunts: Iterable[Hunt] = (),
                 hunts_from_events: bool = True) -> None:
        self._stream = stream
        self.context = context
        self.events = 0
        self.scanned = 0
        self.errors = 0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.indicators = Indicators()
        self.names = TopCounter()
        self.hours: Counter[datetime] = Counter()
        self.minutes: Counter[datetime] | None = Counter()  # None once too many distinct minutes
        self.hunts = hunts = tuple(hunts)
        self.hunt_context = HuntContext()
        self._engine = HuntEngine(hunts, self.hunt_context)
        self.tallies = HuntTallies(hunts)
        self.hunts_from_events = hunts_from_events
        self.hunt_scanned = 0  # events the separate hunt run read
        self.hunt_limit_hit = False  # the separate hunt run stopped at its bound

    def write(self, events: Iterable[Event]) -> None:
        for event in events:
            self.events += 1
            self.indicators.add(event)
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
            if self.hunts_from_events:
                self.tallies.add(self._engine.feed(event))

    def add_hunt_hits(self, hits: Iterable[Hit]) -> None:
        self.tallies.add(hits)

    def close(self) -> None:
        if self.hunts_from_events:
            self.tallies.add(self._engine.finish())
        self._stream.write(self.render())
        self._stream.flush()

    # -- rendering -----------------------------------------------------------------
    def render(self) -> str:
        parts = [self._summary(), self._indicators(), self._marked_timeline(), self._hunts(), self._integrity(),
                 self._appendix()]
        return "# trailtui incident report\n\n" + "\n\n".join(p for p in parts if p) + "\n"

    def _summary(self) -> str:
        ctx = self.context
        kinds = self.indicators.kinds
        what = f"{self.events:,} events ({self.errors:,} with an error code)"
        if self.names.top(1):
            what += "; most frequent: " + _named(self.names.top(SUMMARY_N), self.names.approximate)
        when = "no event with a readable time"
        if self.first is not None and self.last is not None:
            when = f"{_stamp(self.first)} to {_stamp(self.last)} UTC ({_span(self.first, self.last)})"
        fired = self.tallies.fired()
        hunts = "none fired"
        if fired:
            severities = Counter(t.hunt.severity for t in fired)
            hunts = f"{len(fired)} fired (" + ", ".join(
                f"{md_escape(level)} {count}" for level, count in severities.items()) + "): " + ", ".join(
                md_escape(t.hunt.id) for t in fired[:5]) + (", ..." if len(fired) > 5 else "")
        scanned = f" of {self.scanned:,} scanned" if self.scanned else ""
        lines = [
            f"- **What:** {what}",
            f"- **When:** {when}",
            "- **Who:** " + _named(_seen_top(kinds["principal"].top(SUMMARY_N)), kinds["principal"].approximate),
            "- **From where:** " + _named(_seen_top(kinds["source IP"].top(SUMMARY_N)),
                                          kinds["source IP"].approximate),
            f"- **Accounts:** {_named(_seen_top(kinds['account'].top(TOP_N)))}",
            f"- **Regions:** {_named(_seen_top(self.indicators.regions.top(TOP_N)))}",
            f"- **Hunts:** {hunts}",
            f"- **Integrity:** {self._integrity_line()}",
            f"- **Marked findings:** {len(ctx.marks):,}",
            "",
            f"Source {md_escape(ctx.source)}; time range {md_escape(ctx.time_range.describe())}; filter "
            f"{md_escape(ctx.filter_text) if ctx.filter_text else '(none)'}; scope {md_escape(ctx.scope)}: "
            f"{self.events:,} events{scanned}.  Generated {_stamp(ctx.generated)} by trailtui "
            f"{md_escape(__version__)}.",
        ]
        timeline = self._timeline()
        return "## Summary\n\n" + "\n".join(lines) + (f"\n\n{timeline}" if timeline else "")

    def _indicators(self) -> str:
        rows = [[md_escape(kind), md_escape(value), f"{seen.count:,}" + (" (≈)" if approximate else ""),
                 _stamp(seen.first), _stamp(seen.last)]
                for kind, value, seen, approximate in self.indicators.rows(INDICATORS_PER_KIND)]
        if not rows:
            return "## Indicators\n\nNo events."
        table = md_table(["Indicator", "Value", "Events", "First (UTC)", "Last (UTC)"], rows)
        return (f"## Indicators\n\nThe {INDICATORS_PER_KIND} most frequent values of each kind in the "
                f"{md_escape(self.context.scope)}; identities created are counted from successful IAM calls only."
                f"\n\n{table}")

    def _integrity_line(self) -> str:
        status = self.context.integrity
        if status is None:
            return ("not verified (press v in the console, or run `trailtui verify SOURCE --format json` "
                    "and pass the file with --verify-result)")
        window = f", {md_escape(status.window)}" if status.window else ""
        origin = f" (from {md_escape(status.origin)})" if status.origin else ""
        return f"{md_escape(status.verdict)}{window}{origin}"

    def _integrity(self) -> str:
        lines = [f"## Integrity\n\n{self._integrity_line()}"]
        status = self.context.integrity
        if status is None:
            return lines[0]
        counts = ", ".join(f"{md_escape(k)} {v:,}" for k, v in sorted(status.statuses.items()))
        if counts:
            lines.append(f"\n\nChecks: {counts}")
        for code, location, detail in status.problems:
            lines.append(f"\n- **{md_escape(code)}** {md_escape(location)}: {md_escape(detail)}")
        if status.problem_count > len(status.problems):
            lines.append(f"\n- ... and {status.problem_count - len(status.problems):,} more")
        return "".join(lines)

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
        return f"### Timeline (events per {label}, UTC)\n\n" + md_code_block("\n".join(lines))

    def _marked_timeline(self) -> str:
        ordered = self._ordered_marks()
        if not ordered:
            return "## Marked events\n\nNo events were marked (press m in the console to mark one, with a note)."
        rows = []
        for number, mark in enumerate(ordered, start=1):
            event = mark.as_event()
            rows.append([str(number), _stamp(event.time) if event.time != EPOCH else md_escape(
                event.field("eventTime") or "?"), md_escape(event.principal),
                f"{md_escape(event.short_source)}:{md_escape(event.event_name)}", md_escape(event.source_ip) or "-",
                md_escape(event.error_code) or "-", md_escape(mark.note) if mark.note else "-"])
        table = md_table(["#", "Time (UTC)", "Principal", "Event", "Source IP", "Error", "Note"], rows)
        return f"## Marked events ({len(ordered)}, oldest first)\n\n{table}"

    def _ordered_marks(self) -> list[Mark]:
        return sorted(self.context.marks, key=lambda m: m.as_event().time)

    def _hunt_scope(self) -> str:
        if self.hunts_from_events or not self.context.hunt_scope:
            return f"Over the {self.events:,} events of this report."
        scope = f"Over {md_escape(self.context.hunt_scope)} ({self.hunt_scanned:,} events read)"
        if self.hunt_limit_hit:
            scope += f"; stopped at the bound of {self.hunt_scanned:,} events, so later hits may be missing"
        return scope + "."

    def _hunts(self) -> str:
        fired = self.tallies.fired()
        title = "## Hunts that fired\n\n" + self._hunt_scope()
        if not fired:
            return title + " None of the hunts fired."
        rows = []
        for tally in fired:
            hunt = tally.hunt
            who = ", ".join(f"{md_escape(name)} ({count})" for name, count in tally.top_principals(3))
            hits = f"{tally.count:,}" + (f" ({tally.outcome})" if tally.outcome else "")
            rows.append([md_escape(hunt.severity), md_escape(hunt.id), md_escape(hunt.title), hits,
                         _stamp(tally.first), _stamp(tally.last), md_escape(hunt.technique), who or "-"])
        table = md_table(["Severity", "Hunt", "Title", "Hits", "First", "Last", "ATT&CK", "Top principals"], rows)
        notes = []
        if any(t.attempts for t in fired):
            notes.append("An attempt is a hit on a call that failed (denied, invalid, not found): intent, not effect.")
        if any(t.hunt.outside is not None for t in fired):
            notes.append(f"Outside access was judged against the known accounts from: "
                         f"{md_escape(self.hunt_context.known_accounts.provenance())}.")
        return title + "\n\n" + table + "".join(f"\n\n{note}" for note in notes)

    def _appendix(self) -> str:
        ordered = self._ordered_marks()
        if not ordered:
            return ""
        blocks = ["## Appendix: raw marked events"]
        for number, mark in enumerate(ordered, start=1):
            event = mark.as_event()
            title = (f"### {number}. {md_escape(event.field('eventTime') or '?')} — {md_escape(event.principal)} — "
                     f"{md_escape(event.short_source)}:{md_escape(event.event_name)}")
            facts = [
                f"- **Note:** {md_escape(mark.note) if mark.note else '(none)'}",
                f"- **Marked at:** {_stamp(mark.marked_at)}",
                f"- **Access key:** {md_escape(event.access_key) or '-'}; **region:** {md_escape(event.region) or '-'}"
                f"; **event ID:** {md_escape(event.event_id) or '-'}",
            ]
            if event.error_code:
                facts.append(f"- **Error:** {md_escape(event.error_code)}: {md_escape(event.field('errorMessage'))}")
            body = dumps_record(mark.event, indent=True, sort_keys=True).decode()
            blocks.append(title + "\n\n" + "\n".join(facts) + "\n\n" + md_code_block(body, "json"))
        return "\n\n".join(blocks)
