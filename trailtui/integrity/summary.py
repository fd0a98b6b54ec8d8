"""The totals of a verification run, computed from its results (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trailtui.integrity.verdicts import IntegrityResult, Status


def iso(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


@dataclass(frozen=True, slots=True)
class Tally:
    """Verdicts on one kind of file: `valid + failed + tolerated == total`."""

    total: int = 0
    valid: int = 0
    failed: int = 0
    tolerated: int = 0

    def to_json(self) -> dict[str, int]:
        return {"total": self.total, "valid": self.valid, "invalid": self.failed, "tolerated": self.tolerated}


def tally(results: Iterable[IntegrityResult]) -> Tally:
    total = valid = failed = tolerated = 0
    for result in results:
        if result.status is Status.GAP:
            continue
        total += 1
        if result.status is Status.VALID:
            valid += 1
        elif result.tolerated:
            tolerated += 1
        else:
            failed += 1
    return Tally(total, valid, failed, tolerated)


@dataclass(frozen=True, slots=True)
class Summary:
    requested_start: datetime | None
    requested_end: datetime
    found_start: datetime | None
    found_end: datetime | None
    digests: Tally
    backfill_digests: Tally
    logs: Tally
    statuses: dict[str, int]
    gaps: int
    pending_logs: int
    trails: tuple[str, ...] = field(default_factory=tuple)

    @property
    def no_digests(self) -> bool:
        return self.digests.total + self.backfill_digests.total == 0

    @property
    def ok(self) -> bool:
        """Everything checked is valid (gaps and a tolerated unsigned newest
        digest aside), and there was something to check."""
        failed = self.digests.failed + self.backfill_digests.failed + self.logs.failed
        return failed == 0 and not self.no_digests

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "requested": {"start": iso(self.requested_start), "end": iso(self.requested_end)},
            "found": ({"start": iso(self.found_start), "end": iso(self.found_end)} if self.found_start else None),
            "trails": list(self.trails),
            "digests": self.digests.to_json(),
            "backfill_digests": self.backfill_digests.to_json(),
            "logs": self.logs.to_json(),
            "statuses": dict(self.statuses),
            "gaps": self.gaps,
            "pending_logs": self.pending_logs,
        }


def summarise(results: list[IntegrityResult], start: datetime | None, end: datetime,
              valid_spans: list[tuple[datetime, datetime]], pending_logs: int,
              trails: tuple[str, ...]) -> Summary:
    found_start = found_end = None
    if valid_spans:
        found_start = min(s for s, _ in valid_spans)
        found_end = max(e for _, e in valid_spans)
        if start is not None:
            found_start = max(found_start, start)
        found_end = min(found_end, end)
    digests = [r for r in results if r.kind == "digest"]
    return Summary(
        requested_start=start, requested_end=end, found_start=found_start, found_end=found_end,
        digests=tally(r for r in digests if not r.backfill),
        backfill_digests=tally(r for r in digests if r.backfill),
        logs=tally(r for r in results if r.kind == "log"),
        statuses=dict(sorted(Counter(r.status.value for r in results).items())),
        gaps=sum(1 for r in results if r.status is Status.GAP),
        pending_logs=pending_logs, trails=trails,
    )
