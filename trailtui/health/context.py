"""What one trail's checks look at, and the small helpers they share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trailtui.health.facts import BucketFacts, KeyFacts, LogGroupFacts, TrailFacts, Unavailable
from trailtui.health.results import Status, Verdict
from trailtui.instant import BadTime, from_epoch_seconds, instant_or_none


@dataclass(frozen=True, slots=True)
class TrailContext:
    """One trail and the resources it uses, at evaluation time `now`."""

    trail: TrailFacts
    bucket: BucketFacts | None
    key: KeyFacts | None
    log_group: LogGroupFacts | None
    caller_account: str | None
    now: datetime

    @property
    def name(self) -> str:
        return self.trail.name

    @property
    def region(self) -> str:
        return self.trail.home_region

    @property
    def config(self) -> dict[str, Any]:
        return self.trail.config

    @property
    def trail_account(self) -> str:
        """The account that owns the trail (from its ARN)."""
        parts = self.trail.arn.split(":")
        return parts[4] if len(parts) > 5 else ""

    @property
    def is_validated(self) -> bool:
        return self.config.get("LogFileValidationEnabled") is True


def unknown(*missing: Unavailable) -> Verdict:
    """UNKNOWN that names every IAM action it lacked (never a guess)."""
    actions = sorted({m.action for m in missing})
    reasons = sorted({m.reason for m in missing})
    verb = "access denied" if all(m.denied for m in missing) else "; ".join(reasons)
    return Verdict(Status.UNKNOWN, f"cannot tell: needs {', '.join(actions)} ({verb})")


def read_dict(value: Any, unread: str) -> dict[str, Any] | Verdict:
    """A fact that is an API response, or the UNKNOWN verdict without it:
    the missing permission, else `unread` (it was never read)."""
    if isinstance(value, Unavailable):
        return unknown(value)
    if not isinstance(value, dict):
        return Verdict(Status.UNKNOWN, unread)
    return value


def missing_of(*values: Any) -> list[Unavailable]:
    return [v for v in values if isinstance(v, Unavailable)]


def parse_time(value: Any) -> datetime | None:
    """Times in facts are ISO 8601 text (or epoch seconds from older files);
    None for anything else, including times outside the years trailtui holds
    (`trailtui.instant`), so a crafted facts file cannot overflow a check."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return from_epoch_seconds(value)
        except (BadTime, OverflowError, ValueError):
            return None
    return instant_or_none(value)


def age_text(seconds: float) -> str:
    """`4 min`, `3 h 5 min`, `2 d 4 h`."""
    seconds = max(0, int(seconds))
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
