"""Coverage: the checks the reference `validate-logs` does not make.

* A log file in the window that no authentic digest lists is UNVERIFIED
  (injected, or its digest is gone, or its digest is invalid).
* Digests that should follow the newest one present are TAIL_MISSING: when
  the window's last hour (an explicit --end) has no digest, or when log files
  were delivered after the newest digest and long enough ago that a digest
  should list them.
Pure functions over what the chain walks recorded in a `Ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from trailtui.integrity.digest import HOUR
from trailtui.integrity.store import ListedObject, ObjectRef
from trailtui.integrity.summary import iso
from trailtui.sources.layout import delivery_stamp

PENDING_DELAY = timedelta(minutes=90)  # a log delivered this recently may not be in a digest yet
TAIL_GRACE = timedelta(minutes=30)  # how late the hourly digest may be delivered
MAX_PREDICTED = 48  # missing hours listed one by one before summarising the rest


@dataclass(slots=True)
class Ledger:
    """What the chain walks learnt about log files and missing digests."""

    covered: set[ObjectRef] = field(default_factory=set)  # listed by an authentic digest
    excused: set[ObjectRef] = field(default_factory=set)  # listed by another trail's digest
    listed_by_bad: dict[ObjectRef, str] = field(default_factory=dict)
    missing_spans: list[tuple[datetime, datetime, str]] = field(default_factory=list)
    gap_spans: list[tuple[datetime, datetime]] = field(default_factory=list)  # chain restarts

    def explain(self, ref: ObjectRef, stamp: datetime | None, after_tail: bool, newest: datetime | None,
                oldest: datetime | None = None) -> str:
        """Why a log file is UNVERIFIED, as precisely as the evidence allows."""
        if ref in self.listed_by_bad:
            return self.listed_by_bad[ref]
        if newest is None:
            return "no digest of this account and region in the window: nothing can prove this file"
        if stamp is not None:
            for low, high, where in self.missing_spans:
                if low < stamp <= high + timedelta(minutes=1):
                    return f"not covered by a valid digest: its digest {where} is missing"
            if oldest is not None and stamp < oldest:
                return f"delivered before the oldest digest found (starting {iso(oldest)}): nothing proves it"
            for low, high in self.gap_spans:
                if low <= stamp <= high:
                    return f"delivered while the digest chain was interrupted ({iso(low)} to {iso(high)})"
        if after_tail:
            return f"delivered after the newest digest (ending {iso(newest)}): no digest covers it"
        return "not listed in any valid digest (injected, or its digest entry is gone)"


@dataclass(frozen=True, slots=True)
class Uncovered:
    ref: ObjectRef
    stamp: datetime | None
    after_tail: bool  # delivered after the newest digest of its folder


def uncovered_logs(logs: list[ListedObject], ledger: Ledger, newest: datetime | None,
                   now: datetime) -> tuple[list[Uncovered], int]:
    """The log files no authentic digest lists, and how many more are too
    recent to be in a digest yet (pending, not judged)."""
    pending_after = now - PENDING_DELAY
    out: list[Uncovered] = []
    pending = 0
    for obj in logs:
        if obj.ref in ledger.covered or obj.ref in ledger.excused:
            continue
        stamp = delivery_stamp(obj.ref.key.rsplit("/", 1)[-1])
        after_tail = stamp is not None and (newest is None or stamp > newest)
        if after_tail and stamp is not None and stamp > pending_after:
            pending += 1
            continue
        out.append(Uncovered(obj.ref, stamp, after_tail))
    return out, pending


def missing_tail(last: datetime, end: datetime, end_explicit: bool, now: datetime,
                 latest_late_log: datetime | None) -> list[tuple[datetime, str]]:
    """End times (and details) of the digests that should follow the newest
    one present, ending `last`; empty when nothing says one is missing."""
    targets: list[tuple[datetime, str]] = []
    if end_explicit:
        need = min(end, now - TAIL_GRACE) - HOUR
        if last <= need:
            targets.append((need + timedelta(seconds=1), f"the window ends at {iso(end)}"))
    if latest_late_log is not None and latest_late_log > last:
        targets.append((latest_late_log, f"log files were delivered up to {iso(latest_late_log)}"))
    if not targets:
        return []
    target, reason = max(targets)
    out: list[tuple[datetime, str]] = []
    when = last + HOUR
    while True:
        more = ""
        if len(out) + 1 == MAX_PREDICTED and when < target:
            more = f" (and about {int((target - when) / HOUR) + 1} more hour(s) up to {iso(target)})"
        out.append((when, f"newest digest missing: nothing after {iso(last)} although {reason}; expected about "
                          f"{iso(when)} (location predicted){more}"))
        if when >= target or len(out) >= MAX_PREDICTED:
            return out
        when += HOUR
