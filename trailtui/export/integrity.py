"""The integrity line of an incident report, read from what `trailtui verify
--format json` printed: `{"summary": {...}, "results": [{"kind", "location",
"status", "detail"}]}`.  Only the summary and the first problems are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from trailtui.read_limits import current_limits
from trailtui.regular_file import read_regular

FINE = {"VALID", "GAP"}
PROBLEMS_SHOWN = 10


class IntegrityFileError(ValueError):
    """The file is not a verification result; the message says why."""


@dataclass(slots=True)
class IntegrityStatus:
    """`ok` is True when everything checked was valid, False when anything
    was not, None when the file does not say."""

    ok: bool | None
    statuses: dict[str, int] = field(default_factory=dict)
    digests: dict[str, int] = field(default_factory=dict)
    logs: dict[str, int] = field(default_factory=dict)
    window: str = ""
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (status, location, detail)
    problem_count: int = 0
    origin: str = ""

    @property
    def verdict(self) -> str:
        if self.ok is True:
            return "VERIFIED: every digest and log file checked is valid"
        if self.ok is False:
            return f"FAILED: {self.problem_count} problem(s) found"
        return "UNKNOWN: the verification result has no verdict"


def _counts(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}


def _tolerated(summary: dict[str, Any]) -> int:
    """How many UNSIGNED verdicts the run itself excused (newest digest of a
    copy without signature metadata); anything beyond is a failure."""
    total = 0
    for kind in ("digests", "backfill_digests"):
        tally = summary.get(kind)
        value = tally.get("tolerated") if isinstance(tally, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            total += value
    return total


def _failures(bad: list[dict[str, Any]], statuses: dict[str, int], tolerated: int) -> int:
    """Failing verdicts, counted from the results and the status counts (the
    larger of the two: one file may carry fewer results than it counts)."""
    from_results = sum(1 for r in bad if str(r.get("status")) != "UNSIGNED")
    from_results += max(0, sum(1 for r in bad if str(r.get("status")) == "UNSIGNED") - tolerated)
    from_counts = sum(v for k, v in statuses.items() if k not in FINE and k != "UNSIGNED")
    from_counts += max(0, statuses.get("UNSIGNED", 0) - tolerated)
    return max(from_results, from_counts)


def _verdict(stated: Any, failures: int, checked: bool) -> bool | None:
    """The verdict is derived from the results: a stated `ok: true` above a
    HASH_MISMATCH is FAILED; `ok` alone decides only when nothing else was said."""
    if failures or stated is False:
        return False
    if stated is True or checked:
        return True
    return None


def integrity_from_json(data: Any, origin: str = "") -> IntegrityStatus:
    if not isinstance(data, dict) or not isinstance(data.get("summary"), dict):
        raise IntegrityFileError("not a trailtui verify --format json result (no 'summary' object)")
    summary = data["summary"]
    statuses = _counts(summary.get("statuses"))
    listed = data.get("results")
    results: list[Any] = listed if isinstance(listed, list) else []
    bad = [r for r in results if isinstance(r, dict) and str(r.get("status")) not in FINE]
    failures = _failures(bad, statuses, _tolerated(summary))
    problem_count = max(failures, sum(v for k, v in statuses.items() if k not in FINE), len(bad))
    stated = summary.get("ok") if isinstance(summary.get("ok"), bool) else None
    ok = _verdict(stated, failures, bool(statuses) or bool(results))
    window = ""
    found = summary.get("found")
    if isinstance(found, dict) and found.get("start"):
        window = f"{found.get('start')} to {found.get('end')}"
    problems = [(str(r.get("status", "")), str(r.get("location", "")), str(r.get("detail", "")))
                for r in bad[:PROBLEMS_SHOWN]]
    return IntegrityStatus(ok, statuses, _counts(summary.get("digests")), _counts(summary.get("logs")),
                           window, problems, problem_count, origin)


def read_integrity(path: str | Path) -> IntegrityStatus:
    try:
        data = orjson.loads(read_regular(path, current_limits().max_inflated))
    except orjson.JSONDecodeError as exc:
        raise IntegrityFileError(f"{path}: not JSON ({exc})") from None
    try:
        return integrity_from_json(data, str(path))
    except IntegrityFileError as exc:
        raise IntegrityFileError(f"{path}: {exc}") from None
