"""Hunts on arrival: every event a follow brings goes through the hunt catalogue.

The engine (`trailtui.hunts.engine`) reads events newest first, and its
threshold and sequence hunts decide within a sliding window.  Arrivals come
oldest first, poll after poll, so instead of feeding one long-lived engine in
the wrong order, each poll re-runs a fresh engine, newest first, over a bounded
recent window: the arrivals plus the earlier events (arrived, or shown before
the follow began) that a threshold or sequence hunt could still count, kept for
the longest such window and at most `MAX_RECENT` events.  The other hunts
(predicates, outside access, credential chains) see only the arrivals.  So a burst that
started before a poll and ends in it fires, with every event of the burst
reported, and the memory stays flat.

What is reported, once per hunt and event: any hit on an arrived event, and a
threshold or sequence hunt's hits on earlier events of the window when the same
run also hit an arrived event (the burst the arrival completed).  Hits among
earlier events alone are the full scan's business (`h`, `trailtui hunt`).  The
accounts counted as the organisation's (for the outside-access hunts) are
learned across polls.  First-seen hunts need their whole baseline, which a
recent window does not hold: they are not run on arrival.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from datetime import timedelta

from trailtui.events import Event
from trailtui.follow.arrival import record_identity
from trailtui.hunts.context import HuntContext
from trailtui.hunts.engine import Hit, HuntEngine
from trailtui.hunts.model import Hunt
from trailtui.hunts.runner import candidate_filter

MAX_RECENT = 10_000  # earlier events kept for threshold and sequence windows
MAX_REPORTED = 100_000  # (hunt, event) pairs remembered so a hit is reported once


def _stateful(hunt: Hunt) -> bool:
    return hunt.threshold is not None or hunt.sequence is not None


def _span(hunts: Sequence[Hunt]) -> timedelta:
    spans = [h.threshold.window for h in hunts if h.threshold is not None]
    spans += [h.sequence.window for h in hunts if h.sequence is not None]
    return max(spans, default=timedelta(0))


class ArrivalHunts:
    """Run `hunts` over each poll's arrivals; `count` is the running number of hits."""

    def __init__(self, hunts: Iterable[Hunt], context: HuntContext | None = None,
                 max_recent: int = MAX_RECENT) -> None:
        self.hunts = tuple(hunts)
        self.context = context or HuntContext()
        self.span = _span(self.hunts)
        self._stateful = tuple(h for h in self.hunts if _stateful(h))
        # first-seen hunts judge against a baseline a recent window never holds: left to the full scan
        self._single = tuple(h for h in self.hunts if not _stateful(h) and h.first_seen is None)
        self._keeps = candidate_filter(self._stateful).predicate() if self._stateful else None
        self._recent: deque[Event] = deque(maxlen=max_recent)
        self._reported: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.count = 0

    def seed(self, events: Iterable[Event]) -> None:
        """Events shown before the follow began (any order): a threshold or
        sequence hunt may count them with what arrives next."""
        self._keep(sorted(events, key=lambda e: e.time))

    def offer(self, arrived: Sequence[Event]) -> list[Hit]:
        """The new hits that `arrived` (one poll's events) caused."""
        if not arrived or not self.hunts:
            return []
        fresh = {record_identity(e.raw) for e in arrived}
        newest_first = sorted(arrived, key=lambda e: e.time, reverse=True)
        hits = HuntEngine(self._single, self.context).feed_all(newest_first) if self._single else []
        if self._stateful:
            window = sorted([*self._recent, *arrived], key=lambda e: e.time, reverse=True)
            hits += HuntEngine(self._stateful, self.context).feed_all(window)
        touched = {hit.hunt.id for hit in hits if record_identity(hit.event.raw) in fresh}
        out: list[Hit] = []
        for hit in hits:
            identity = record_identity(hit.event.raw)
            if hit.hunt.id not in touched or (identity not in fresh and not _stateful(hit.hunt)):
                continue
            key = (hit.hunt.id, identity)
            if key in self._reported:
                continue
            self._reported[key] = None
            if len(self._reported) > MAX_REPORTED:
                self._reported.popitem(last=False)
            out.append(hit)
        self.count += len(out)
        self._keep(sorted(arrived, key=lambda e: e.time))
        return out

    def _keep(self, events: list[Event]) -> None:
        """Remember, oldest first, what a threshold or sequence hunt could still use."""
        if self._keeps is None:
            return
        keeps = self._keeps
        self._recent.extend(e for e in events if keeps(e.raw))
        if not self._recent:
            return
        newest = max(e.time for e in self._recent)
        horizon = newest - self.span
        if any(e.time < horizon for e in self._recent):
            kept = sorted((e for e in self._recent if e.time >= horizon), key=lambda e: e.time)
            self._recent.clear()
            self._recent.extend(kept)
