"""The one reader for every point in time trailtui takes in.

Event times, digest windows, mark stamps, health facts, delivery stamps in file
names and the times an analyst types all come through here, so all of them obey
one range.  Python's `datetime` stops at the years 1 and 9999: a record dated
`9999-12-31T23:00:00-05:00` overflows when converted to UTC, and `until + 1 day`
overflows near the end of that range.  Keeping every time trailtui holds inside
[`EARLIEST`, `LATEST`) leaves centuries of headroom on both sides, so no
arithmetic on a time that passed through here can overflow.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)  # exclusive: the last accepted year is 2999
RANGE_TEXT = "1970-01-01 to 2999-12-31 UTC"
MAX_TEXT = 64  # longer than any ISO 8601 time; longer text is not read at all
_YEAR_SLACK = 1  # a UTC offset moves a time by at most a day: check the year loosely first


class BadTime(ValueError):
    """A time that cannot be held; the message says what and why in a few words."""


def shown(value: Any) -> str:
    """A short quotation of an offending value for a one-line message."""
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:40] + "…") if len(text) > 40 else repr(text)


def _iso(text: str) -> datetime:
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        if ":60" in value:
            raise BadTime(f"{shown(text)} is a leap second, which cannot be placed in time order") from None
        raise BadTime(f"{shown(text)} is not an ISO 8601 time") from None


def bounded(when: datetime, original: Any) -> datetime:
    """`when` as aware UTC, or BadTime when it lies outside the range."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if not EARLIEST.year - _YEAR_SLACK <= when.year <= LATEST.year + _YEAR_SLACK:
        raise BadTime(f"{shown(original)} is outside {RANGE_TEXT}")
    when = when.astimezone(UTC)
    if not EARLIEST <= when < LATEST:
        raise BadTime(f"{shown(original)} is outside {RANGE_TEXT}")
    return when


def _canonical(value: str) -> datetime | None:
    """CloudTrail's own form, `2024-03-01T00:13:07Z`, parsed without the general
    path (this runs for every record of a scan); None for any other text."""
    if len(value) != 20 or value[19] != "Z" or value[10] != "T":
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if EARLIEST <= when < LATEST else None


def read_instant(value: Any) -> datetime:
    """Parse an ISO 8601 time (`2024-03-01T00:13:07Z`, fractions, any offset) to
    aware UTC.  A time without an offset is UTC, as in CloudTrail; an offset is
    converted, never dropped.  Raises BadTime for anything else: not text, too
    long, not ISO 8601, a leap second, or outside the range."""
    if type(value) is str:
        fast = _canonical(value)
        if fast is not None:
            return fast
    elif not isinstance(value, str):
        raise BadTime(f"{shown(value)} is not a text time")
    if len(value) > MAX_TEXT:
        raise BadTime(f"{shown(value)} is too long to be a time")
    return bounded(_iso(value), value)


def instant_or_none(value: Any) -> datetime | None:
    """`read_instant`, with None instead of an error (callers that only skip)."""
    if type(value) is str:
        fast = _canonical(value)
        if fast is not None:
            return fast
    try:
        return read_instant(value)
    except BadTime:
        return None


def from_epoch_seconds(value: float) -> datetime:
    """Seconds since 1970 as aware UTC; BadTime when outside the range (or not finite)."""
    seconds = float(value)
    if not EARLIEST.timestamp() <= seconds < LATEST.timestamp():
        raise BadTime(f"{shown(value)} seconds since 1970 is outside {RANGE_TEXT}")
    return EARLIEST + timedelta(seconds=seconds)


def shifted(when: datetime, delta: timedelta) -> datetime:
    """`when + delta`, held inside the range instead of overflowing (for
    `until + slack`, `now - 99999999 days` and the like)."""
    try:
        moved = when + delta
    except OverflowError:
        return LATEST if delta > timedelta(0) else EARLIEST
    return min(max(moved, EARLIEST), LATEST)
