"""The time range as SQL, for each table shape.

Bounds are widened to the column's precision so the SQL is always a superset
of the range (the exact range is re-checked client-side).  `exact` says the
SQL selects exactly the range for CloudTrail's data (second-precision UTC
`eventTime`), which is when a LIMIT may be pushed down too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from trailtui.sources.delivery import DELIVERY_SLACK
from trailtui.timerange import TimeRange


@dataclass(frozen=True, slots=True)
class TimeSql:
    predicates: tuple[str, ...]
    exact: bool


def _whole_second(when: datetime | None) -> bool:
    return when is None or when.microsecond == 0


def athena_time(window: TimeRange) -> TimeSql:
    """Partition projection (`"timestamp"` = 'yyyy/MM/dd' of delivery) plus
    `eventtime`, an ISO-8601 STRING.  The bounds leave out the trailing `Z`, so
    `'2024-03-01T10:00:05'` sorts before every event of that second, including
    ones with fractional seconds, and string order is time order."""
    since, until = window.since, window.until
    parts: list[str] = []
    if since is not None:
        parts.append(f"\"timestamp\" >= '{since:%Y/%m/%d}'")
        parts.append(f"eventtime >= '{since.replace(microsecond=0):%Y-%m-%dT%H:%M:%S}'")
    if until is not None:
        parts.append(f"\"timestamp\" <= '{until + DELIVERY_SLACK:%Y/%m/%d}'")
        end = until.replace(microsecond=0) + timedelta(seconds=1)
        parts.append(f"eventtime < '{end:%Y-%m-%dT%H:%M:%S}'")
    return TimeSql(tuple(parts), _whole_second(since) and _whole_second(until))


def _millis(when: datetime, up: bool) -> str:
    micro = when.microsecond
    base = when.replace(microsecond=(micro // 1000) * 1000)
    if up and micro % 1000:
        base += timedelta(milliseconds=1)
    return f"{base:%Y-%m-%d %H:%M:%S}.{base.microsecond // 1000:03d}"


def lake_time(window: TimeRange) -> TimeSql:
    """Lake's `eventtime` is a TIMESTAMP (UTC, milliseconds); it is compared
    with `'YYYY-MM-DD HH:MM:SS.mmm'` literals as in AWS's sample queries."""
    since, until = window.since, window.until
    parts: list[str] = []
    if since is not None:
        parts.append(f"eventtime >= '{_millis(since, up=False)}'")
    if until is not None:
        parts.append(f"eventtime <= '{_millis(until, up=True)}'")
    exact = all(w is None or w.microsecond % 1000 == 0 for w in (since, until))
    return TimeSql(tuple(parts), exact)


def micros(when: datetime) -> int:
    """Microseconds since the epoch, exactly (the store's `t` column)."""
    delta = when - datetime(1970, 1, 1, tzinfo=when.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def store_time(window: TimeRange) -> TimeSql:
    """The local store keeps each event's time as exact microseconds (`t`,
    NULL when unreadable), so both bounds are exact and inclusive, as in a plain scan."""
    parts: list[str] = []
    if window.since is not None:
        parts.append(f"t >= {micros(window.since)}")
    if window.until is not None:
        parts.append(f"t <= {micros(window.until)}")
    return TimeSql(tuple(parts), True)
