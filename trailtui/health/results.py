"""What a health run says: one result per check, grouped per trail.

`status`, `id` and the JSON shape are interfaces (scripts and the console
read them), so they are plain values here with no presentation attached.
Over several accounts (`--accounts`) every trail and check carries its
`account`, and the report lists the accounts; a one-account run has neither.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "PASS"  # noqa: S105 - a check verdict, not a password
    WARN = "WARN"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    INFO = "INFO"


# Summary and sort order: the worst first.
STATUS_ORDER = (Status.FAIL, Status.UNKNOWN, Status.WARN, Status.PASS, Status.INFO)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a check function decides; the catalogue adds id and title."""

    status: Status
    reason: str
    fix: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    id: str
    title: str
    status: Status
    reason: str
    fix: str | None = None
    account: str | None = None  # set when several accounts are checked at once

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "status": self.status.value,
                               "reason": self.reason, "fix": self.fix}
        if self.account is not None:
            out["account"] = self.account
        return out


@dataclass(frozen=True, slots=True)
class TrailReport:
    name: str
    arn: str
    home_region: str
    checks: tuple[CheckResult, ...]
    account: str | None = None  # set when several accounts are checked at once

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "arn": self.arn, "home_region": self.home_region}
        if self.account is not None:
            out["account"] = self.account
        out["checks"] = [c.to_json() for c in self.checks]
        return out


@dataclass(frozen=True, slots=True)
class AccountLine:
    """One account of a multi-account run: `problem` is why it could not be checked ("" when it was)."""

    account: str
    name: str = ""
    problem: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"account": self.account, "name": self.name, "checked": not self.problem,
                "problem": self.problem or None}


@dataclass(frozen=True, slots=True)
class HealthReport:
    trails: tuple[TrailReport, ...] = ()
    account: tuple[CheckResult, ...] = field(default_factory=tuple)
    accounts: tuple[AccountLine, ...] = ()  # only over several accounts (`--accounts`)

    def to_json(self) -> dict[str, Any]:
        """`{"trails": [...], "account": [...]}`, plus `"accounts": [...]` over several accounts."""
        out: dict[str, Any] = {"trails": [t.to_json() for t in self.trails],
                               "account": [c.to_json() for c in self.account]}
        if self.accounts:
            out["accounts"] = [a.to_json() for a in self.accounts]
        return out

    def all_checks(self) -> list[CheckResult]:
        return [c for t in self.trails for c in t.checks] + list(self.account)

    def counts(self) -> dict[Status, int]:
        tally = Counter(c.status for c in self.all_checks())
        return {status: tally.get(status, 0) for status in STATUS_ORDER}

    def has_failures(self) -> bool:
        return any(c.status is Status.FAIL for c in self.all_checks())

    def only(self, trail: str) -> HealthReport:
        """The report for one trail (by name or ARN); account checks kept."""
        return HealthReport(tuple(t for t in self.trails if trail in (t.name, t.arn)), self.account, self.accounts)

    def of_account(self, account: str) -> HealthReport:
        """The trails and account checks tagged with `account`."""
        return HealthReport(tuple(t for t in self.trails if t.account == account),
                            tuple(c for c in self.account if c.account == account),
                            tuple(a for a in self.accounts if a.account == account))


def summary_line(counts: dict[Status, int]) -> str:
    """`2 FAIL, 1 UNKNOWN, 3 WARN, 40 PASS, 9 INFO` (zero counts left out)."""
    parts = [f"{n} {status.value}" for status, n in counts.items() if n]
    return ", ".join(parts) if parts else "no checks"
