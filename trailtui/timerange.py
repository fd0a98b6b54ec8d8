"""Time points and ranges as analysts type them: ISO 8601, `-15m`, `now`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^-?(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class TimeParseError(ValueError):
    """A time the user typed that we cannot read; the message says what we accept."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """Parse `now`, a relative offset into the past (`-15m`, `-24h`, `-7d`, `-2w`)
    or an ISO 8601 time.  A time without an offset is UTC, as in CloudTrail;
    an explicit offset is converted, never dropped."""
    now = now or utcnow()
    value = text.strip()
    if value.lower() == "now":
        return now
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - timedelta(**{_UNITS[unit]: amount})
    iso = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise TimeParseError(
            f"cannot read time {text!r}: use ISO 8601 (2024-03-01T00:13:07Z), "
            "a relative offset (-15m, -24h, -7d) or 'now'"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open window [since, until]; None on either side means unbounded."""

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, since: str | None, until: str | None, now: datetime | None = None) -> TimeRange:
        now = now or utcnow()
        start = parse_time(since, now) if since else None
        end = parse_time(until, now) if until else None
        if start and end and start > end:
            raise TimeParseError(f"--since {since} is after --until {until}")
        return cls(start, end)

    @classmethod
    def last(cls, delta: timedelta, now: datetime | None = None) -> TimeRange:
        now = now or utcnow()
        return cls(now - delta, None)

    def contains(self, when: datetime) -> bool:
        if self.since is not None and when < self.since:
            return False
        if self.until is not None and when > self.until:
            return False
        return True

    @property
    def unbounded(self) -> bool:
        return self.since is None and self.until is None

    def describe(self) -> str:
        """Short text for status lines: `all`, `since 2024-03-01 00:13`, `A → B`."""
        fmt = "%Y-%m-%d %H:%M"
        if self.unbounded:
            return "all time"
        if self.until is None:
            return f"since {self.since:{fmt}}Z"
        if self.since is None:
            return f"until {self.until:{fmt}}Z"
        return f"{self.since:{fmt}} → {self.until:{fmt}}Z"
