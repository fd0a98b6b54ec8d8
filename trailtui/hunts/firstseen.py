"""The first-seen tracker: a principal doing something (an API, a network, a
region, a tool) that it never did in the baseline.

Events arrive newest first, so the recent period comes before its baseline.
Values seen in the recent period are kept as candidates (one event each, the
oldest); baseline events strike candidates out and mark their principal as
known.  At the end, candidates of principals that were active in the baseline
are the findings: a principal with no baseline at all has nothing to compare
with and is not reported.  Memory is bounded by MAX_CANDIDATES per hunt,
whatever the length of the baseline.
"""

from __future__ import annotations

from datetime import UTC, datetime

from trailtui.events import Event
from trailtui.hunts.grouping import group_key
from trailtui.hunts.model import FirstSeen, Hunt
from trailtui.hunts.novelty import novelty_value
from trailtui.timerange import TimeRange

MAX_CANDIDATES = 20_000
_LABEL = {"api": "API", "network": "source network", "region": "region", "user_agent": "user-agent family"}


def _stamp(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%MZ") if when else "?"


def _earlier(event: Event, kept: Event) -> bool:
    """Whether `event` was seen first: older, or of the same second with the
    smaller eventID (so the finding does not depend on how a source orders
    events of one second)."""
    if event.time != kept.time:
        return event.time < kept.time
    return str(event.raw.get("eventID", "")) < str(kept.raw.get("eventID", ""))


class FirstSeenTracker:
    def __init__(self, hunt: Hunt, baseline: TimeRange | None = None) -> None:
        if hunt.first_seen is None:
            raise ValueError(f"hunt {hunt.id} has no first_seen rule")
        self.hunt = hunt
        self._rule: FirstSeen = hunt.first_seen
        self._matches = hunt.filter.predicate()
        self._key = group_key(self._rule.by)
        self._value = novelty_value(self._rule.of)
        self._since = baseline.since.timestamp() if baseline is not None and baseline.since is not None else None
        self._boundary = baseline.until.timestamp() if baseline is not None and baseline.until is not None else None
        self._candidates: dict[tuple[str, str], Event] = {}
        self._watched: set[str] = set()
        self._established: set[str] = set()
        self._oldest_baseline = 0.0
        self.dropped = 0

    def offer(self, event: Event) -> list[Event]:
        if not self._matches(event.raw):
            return []
        now = event.time.timestamp()
        if self._boundary is None:  # the newest event of the range ends the recent period
            self._boundary = now - self._rule.recent.total_seconds()
        value = self._value(event.raw)
        if not value:
            return []
        principal = self._key(event)
        pair = (principal, value)
        if now >= self._boundary:
            if pair in self._candidates:
                if _earlier(event, self._candidates[pair]):
                    self._candidates[pair] = event  # older: the first time it was seen
            elif len(self._candidates) < MAX_CANDIDATES:
                self._candidates[pair] = event
                self._watched.add(principal)
            else:
                self.dropped += 1
        elif self._since is None or now >= self._since:
            self._oldest_baseline = now
            if principal in self._watched:
                self._established.add(principal)
                self._candidates.pop(pair, None)
        return []

    def finish(self) -> list[Event]:
        found = [e for (principal, _), e in self._candidates.items() if principal in self._established]
        self._candidates.clear()
        return sorted(found, key=lambda e: e.time, reverse=True)

    def detail(self, event: Event) -> str:
        label = _LABEL.get(self._rule.of, self._rule.of)
        value = self._value(event.raw)
        since = _stamp(self._oldest_baseline)
        until = _stamp(self._boundary or 0.0)
        return f"first {label} {value} for {self._key(event)}; baseline {since} to {until}"
