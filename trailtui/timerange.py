"""Time points and ranges as analysts type them: ISO 8601, `-15m`, `now`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trailtui.instant import EARLIEST, LATEST, RANGE_TEXT, BadTime, read_instant, shown

_RELATIVE = re.compile(r"^-?(\d+)\s*([smhdw])$")
_MAX_DIGITS = 12  # more digits than this reaches outside the range in any unit
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class TimeParseError(ValueError):
    """A time the user typed that we cannot read; the message says what we accept."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """Parse `now`, a relative offset into the past (`-15m`, `-24h`, `-7d`, `-2w`)
    or an ISO 8601 time.  A time without an offset is UTC, as in CloudTrail;
    an explicit offset is converted, never dropped.  Every result lies in the
    years `trailtui.instant` holds; anything else is a TimeParseError whose
    message fits one line."""
    now = now or utcnow()
    value = text.strip()
    if value.lower() == "now":
        return now
    match = _RELATIVE.match(value)
    if match:
        digits = match.group(1)
        amount = int(digits) if len(digits) <= _MAX_DIGITS else -1
        return _relative(text, amount, match.group(2), now)
    try:
        return read_instant(value)
    except BadTime as exc:
        if "ISO 8601" not in str(exc):
            raise TimeParseError(f"time {exc}") from None
        raise TimeParseError(
            f"cannot read time {shown(text)}: use ISO 8601 (2024-03-01T00:13:07Z), "
            "a relative offset (-15m, -24h, -7d) or 'now'"
        ) from None


def _relative(text: str, amount: int, unit: str, now: datetime) -> datetime:
    try:
        when = now - timedelta(**{_UNITS[unit]: amount}) if amount >= 0 else None
    except OverflowError:
        when = None
    if when is None or not EARLIEST <= when < LATEST:
        raise TimeParseError(f"time {shown(text)} reaches outside {RANGE_TEXT}")
    return when


def _option(name: str, text: str | None, now: datetime) -> datetime | None:
    if not text:
        return None
    try:
        return parse_time(text, now)
    except TimeParseError as exc:
        raise TimeParseError(f"{name}: {exc}") from None


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open window [since, until]; None on either side means unbounded."""

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, since: str | None, until: str | None, now: datetime | None = None,
              names: tuple[str, str] = ("--since", "--until")) -> TimeRange:
        """Both ends as typed; `names` label them in errors (the options, or the
        fields of a dialog)."""
        now = now or utcnow()
        start = _option(names[0], since, now)
        end = _option(names[1], until, now)
        if start and end and start > end:
            raise TimeParseError(f"{names[0]} {since} is after {names[1]} {until}")
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
