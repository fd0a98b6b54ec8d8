"""Run many hunts over one stream of events in a single pass.

Events arrive newest first (every source's order).  Each event is tested
against every selected hunt.  Predicate hunts report a match at once.
Threshold and sequence hunts keep a small sliding window per group (per
principal by default): memory is bounded by the window length and by hard caps,
never by the size of the trail.  Every event that contributes to a firing is
reported once, so `hunt --format jsonl` lists the whole burst, not one line.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from trailtui.events import Event
from trailtui.hunts.chained import chain_tracker
from trailtui.hunts.context import HuntContext
from trailtui.hunts.firstseen import FirstSeenTracker
from trailtui.hunts.gates import Gate, gate_of
from trailtui.hunts.grouping import distinct_values, group_key
from trailtui.hunts.model import Hunt, Sequence, Threshold
from trailtui.hunts.outcome import is_attempt
from trailtui.hunts.outside import OutsideTracker

# Caps that keep state bounded on hostile or enormous trails.  A group holding
# this many events inside one window has long since fired, so dropping the
# newest of them changes nothing but the memory used.
MAX_EVENTS_PER_GROUP = 5_000
MAX_GROUPS = 50_000
SWEEP_EVERY = 4_096


@dataclass(frozen=True, slots=True)
class Hit:
    """One event reported by one hunt.  `attempt`: the call failed (still a
    finding, shown as an attempt); `detail`: why, when the hunt says more than
    its title (who a policy lets in, what was first seen)."""

    hunt: Hunt
    event: Event
    attempt: bool = False
    detail: str = ""


class Tracker(Protocol):
    hunt: Hunt

    def offer(self, event: Event) -> list[Event]:
        """Events (this one and/or earlier ones) that this hunt now reports."""
        ...


@runtime_checkable
class Finishing(Protocol):
    def finish(self) -> list[Event]:
        """Events reported only once the whole range has been read."""
        ...

    def detail(self, event: Event) -> str:
        """Why `event` was reported, for a hit's `detail`."""
        ...


class PredicateTracker:
    def __init__(self, hunt: Hunt) -> None:
        self.hunt = hunt
        self._matches = hunt.filter.predicate()  # compiled: same answers as .matches, faster

    def offer(self, event: Event) -> list[Event]:
        return [event] if self._matches(event.raw) else []


@dataclass(slots=True)
class _Entry:
    time: float
    event: Event
    values: tuple[str, ...] = ()
    reported: bool = False


@dataclass(slots=True)
class _Window:
    """Matching events of one group, newest on the left, all within `window`
    of the oldest (the most recently seen)."""

    entries: deque[_Entry] = field(default_factory=deque)
    values: Counter[str] = field(default_factory=Counter)

    def drop_newest(self) -> None:
        entry = self.entries.popleft()
        for value in entry.values:
            self.values[value] -= 1
            if self.values[value] <= 0:
                del self.values[value]

    def expire(self, now: float, span: float) -> None:
        while self.entries and self.entries[0].time > now + span:
            self.drop_newest()


class _Groups:
    """Per-group state with a periodic sweep of groups that went quiet."""

    def __init__(self, span: float) -> None:
        self.span = span
        self.by_key: dict[str, _Window] = {}
        self._offers = 0

    def window(self, key: str, now: float) -> _Window:
        self._offers += 1
        if self._offers % SWEEP_EVERY == 0 or len(self.by_key) > MAX_GROUPS:
            self.sweep(now)
        found = self.by_key.get(key)
        if found is None:
            found = self.by_key[key] = _Window()
        found.expire(now, self.span)
        return found

    def sweep(self, now: float) -> None:
        for key in [k for k, w in self.by_key.items() if not w.entries or w.entries[-1].time > now + self.span]:
            del self.by_key[key]
        while len(self.by_key) > MAX_GROUPS:  # still too many live groups: forget the oldest-created
            del self.by_key[next(iter(self.by_key))]


class ThresholdTracker:
    """Fires when a group's window holds `count` events (or distinct values)."""

    def __init__(self, hunt: Hunt) -> None:
        assert hunt.threshold is not None  # noqa: S101 - narrows the type: only threshold hunts get here
        self.hunt = hunt
        self._rule: Threshold = hunt.threshold
        self._key = group_key(self._rule.by)
        self._groups = _Groups(self._rule.window.total_seconds())
        self._matches = hunt.filter.predicate()

    def offer(self, event: Event) -> list[Event]:
        if not self._matches(event.raw):
            return []
        values: tuple[str, ...] = ()
        if self._rule.distinct is not None:
            values = tuple(dict.fromkeys(distinct_values(self._rule.distinct, event.raw)))
            if not values:
                return []
        now = event.time.timestamp()
        window = self._groups.window(self._key(event), now)
        window.entries.append(_Entry(now, event, values))
        for value in values:
            window.values[value] += 1
        if len(window.entries) > MAX_EVENTS_PER_GROUP:
            window.drop_newest()
        size = len(window.values) if self._rule.distinct is not None else len(window.entries)
        if size < self._rule.count:
            return []
        fired = [entry for entry in window.entries if not entry.reported]
        for entry in fired:
            entry.reported = True
        return [entry.event for entry in fired]


class SequenceTracker:
    """Fires when A (the hunt's filter) is followed by B (`then`) from the same
    group within the window.  Newest first means B is usually seen before A, so
    recent Bs are kept; As are kept only while a B with the same timestamp could
    still arrive (CloudTrail times have one-second resolution)."""

    def __init__(self, hunt: Hunt) -> None:
        assert hunt.sequence is not None  # noqa: S101 - narrows the type: only sequence hunts get here
        self.hunt = hunt
        self._rule: Sequence = hunt.sequence
        self._key = group_key(self._rule.by)
        self._later = _Groups(self._rule.window.total_seconds())  # B events
        self._same_second = _Groups(0.0)  # A events, kept for B events with an equal time
        self._first = hunt.filter.predicate()
        self._then = self._rule.then.predicate()

    def offer(self, event: Event) -> list[Event]:
        is_first = self._first(event.raw)
        is_then = self._then(event.raw)
        if not (is_first or is_then):
            return []
        now = event.time.timestamp()
        key = self._key(event)
        out: list[Event] = []
        thens = self._later.window(key, now)
        firsts = self._same_second.window(key, now)
        if is_then:
            partners = [a for a in firsts.entries if a.event is not event and a.time <= now]
            if partners:
                out.extend(self._report(partners))
                out.extend(self._report([_Entry(now, event, reported=False)]))
            thens.entries.append(_Entry(now, event, reported=bool(partners)))
            if len(thens.entries) > MAX_EVENTS_PER_GROUP:
                thens.drop_newest()
        if is_first:
            partners = [b for b in thens.entries if b.event is not event and b.time >= now]
            entry = _Entry(now, event)
            if partners:
                out.extend(self._report([entry] + partners))
            firsts.entries.append(entry)
            if len(firsts.entries) > MAX_EVENTS_PER_GROUP:
                firsts.drop_newest()
        return _unique(out)

    @staticmethod
    def _report(entries: Iterable[_Entry]) -> list[Event]:
        fresh = [e for e in entries if not e.reported]
        for entry in fresh:
            entry.reported = True
        return [e.event for e in fresh]


def _unique(events: list[Event]) -> list[Event]:
    seen: set[int] = set()
    out = []
    for event in events:
        if id(event) not in seen:
            seen.add(id(event))
            out.append(event)
    return out


def tracker_for(hunt: Hunt, context: HuntContext | None = None) -> Tracker:
    context = context or HuntContext()
    if hunt.threshold is not None:
        return ThresholdTracker(hunt)
    if hunt.sequence is not None:
        return SequenceTracker(hunt)
    if hunt.outside is not None:
        return OutsideTracker(hunt, context.known_accounts)
    if hunt.first_seen is not None:
        return FirstSeenTracker(hunt, context.baseline)
    if hunt.chain is not None:
        return chain_tracker(hunt, context.known_accounts)
    return PredicateTracker(hunt)


def hunt_gate(hunt: Hunt) -> Gate | None:
    """The event names a hunt can react to (both steps of a sequence), or None."""
    first = gate_of(hunt.filter.ast)
    if hunt.sequence is None or first is None:
        return first
    then = gate_of(hunt.sequence.then.ast)
    return first | then if then is not None else None


class _Dispatch:
    """Which trackers an event must be offered to, by its eventName: every
    tracker still sees every event that could match it, in catalogue order."""

    def __init__(self, trackers: list[Tracker]) -> None:
        self.by_name: dict[str, list[int]] = {}
        self.by_prefix: list[tuple[str, int]] = []
        self.by_folded: dict[str, list[int]] = {}
        self.always: list[int] = []
        for index, tracker in enumerate(trackers):
            gate = hunt_gate(tracker.hunt)
            if gate is None:
                self.always.append(index)
                continue
            for name in gate.names:
                self.by_name.setdefault(name, []).append(index)
            self.by_prefix.extend((prefix, index) for prefix in gate.prefixes)
            for name in gate.folded:
                self.by_folded.setdefault(name, []).append(index)

    def indices(self, name: object) -> list[int]:
        chosen = list(self.always)
        if isinstance(name, str):
            chosen.extend(self.by_name.get(name, ()))
            chosen.extend(i for prefix, i in self.by_prefix if name.startswith(prefix))
            if self.by_folded:
                chosen.extend(self.by_folded.get(name.casefold(), ()))
        if len(chosen) > 1:
            chosen = sorted(set(chosen))
        return chosen


def _hit(tracker: Tracker, event: Event) -> Hit:
    detail = tracker.detail(event) if isinstance(tracker, Finishing) else ""
    return Hit(tracker.hunt, event, attempt=is_attempt(event.raw), detail=detail)


class HuntEngine:
    """Feed events newest first; get back the hits each event caused; call
    `finish` after the last event for the hits that needed the whole range
    (first-seen findings, outside-access verdicts on learned accounts)."""

    def __init__(self, hunts: Iterable[Hunt], context: HuntContext | None = None, learn: bool = True) -> None:
        """`learn=False`: the caller feeds the known accounts itself (a run
        compiled to SQL learns them from rows the engine never sees)."""
        self.hunts = tuple(hunts)
        self.context = context or HuntContext()
        self._trackers = [tracker_for(h, self.context) for h in self.hunts]
        self._dispatch = _Dispatch(self._trackers)
        self.learns_accounts = any(h.outside is not None or h.chain is not None for h in self.hunts)
        self._learns_accounts = learn and self.learns_accounts

    def feed(self, event: Event, only: Collection[int] | None = None) -> list[Hit]:
        """The hits `event` causes; `only`: offer it to those hunts alone (by
        their index in `hunts`), for a caller that chose rows per hunt."""
        if self._learns_accounts:
            self.context.known_accounts.observe(event.raw, event.location)
        hits: list[Hit] = []
        indices = self._dispatch.indices(event.raw.get("eventName"))
        if only is not None:
            indices = [index for index in indices if index in only]
        for index in indices:
            tracker = self._trackers[index]
            for reported in tracker.offer(event):
                hits.append(_hit(tracker, reported))
        return hits

    def finish(self) -> list[Hit]:
        hits: list[Hit] = []
        for tracker in self._trackers:
            if isinstance(tracker, Finishing):
                hits.extend(_hit(tracker, event) for event in tracker.finish())
        return hits

    def feed_all(self, events: Iterable[Event]) -> list[Hit]:
        """Every hit of `events`, including those reported at the end."""
        hits: list[Hit] = []
        for event in events:
            hits.extend(self.feed(event))
        hits.extend(self.finish())
        return hits
