"""The partitions an Athena query touches, from the table's partition projection.

The CloudTrail table `trailtui athena-ddl` prints (and AWS documents) projects
three partition keys: `account` (an enum, or `injected`), `region` (an enum)
and `timestamp` (a date, one a day).  Given the table's parameters (Glue
GetTable's `Parameters`) and the query's time range, the partitions touched
are days x regions x accounts; any key whose projection is not an enum or a
date is reported as unknown rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trailtui.sources.delivery import DELIVERY_SLACK
from trailtui.timerange import TimeRange

_DATE_FORMAT = "%Y/%m/%d"


@dataclass(frozen=True, slots=True)
class Partitions:
    """How many partitions a query touches, per key (None: not known)."""

    days: int | None
    regions: int | None
    accounts: int | None
    first_day: str = ""
    last_day: str = ""

    @property
    def total(self) -> int | None:
        if self.days is None or self.regions is None or self.accounts is None:
            return None
        return self.days * self.regions * self.accounts

    def describe(self) -> str:
        def part(count: int | None, unit: str) -> str:
            return f"{count} {unit}" if count is not None else f"? {unit}"

        days = part(self.days, "days")
        if self.first_day:
            days += f" ({self.first_day}..{self.last_day})"
        total = self.total
        tail = f" = {total:,} partitions" if total is not None else " (partition count unknown)"
        return f"{days} x {part(self.regions, 'regions')} x {part(self.accounts, 'accounts')}{tail}"


def _enum_count(parameters: Mapping[str, str], key: str) -> int | None:
    if parameters.get(f"projection.{key}.type") != "enum":
        return None
    values = [v for v in parameters.get(f"projection.{key}.values", "").split(",") if v.strip()]
    return len(values) or None


def _day(text: str, now: datetime) -> datetime | None:
    text = text.strip()
    if text.upper().startswith("NOW"):
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return datetime.strptime(text, _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _days(parameters: Mapping[str, str], window: TimeRange, now: datetime) -> tuple[int | None, str, str]:
    if parameters.get("projection.timestamp.type") != "date":
        return None, "", ""
    if parameters.get("projection.timestamp.format", _DATE_FORMAT.replace("%Y", "yyyy").replace("%m", "MM")
                      .replace("%d", "dd")) != "yyyy/MM/dd":
        return None, "", ""
    low, _, high = parameters.get("projection.timestamp.range", "").partition(",")
    first, last = _day(low, now), _day(high, now)
    if first is None or last is None:
        return None, "", ""
    if window.since is not None:
        first = max(first, window.since.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0))
    if window.until is not None:
        until = (window.until + DELIVERY_SLACK).astimezone(UTC)
        last = min(last, until.replace(hour=0, minute=0, second=0, microsecond=0))
    if last < first:
        return 0, first.strftime(_DATE_FORMAT), last.strftime(_DATE_FORMAT)
    count = (last - first) // timedelta(days=1) + 1
    return count, first.strftime(_DATE_FORMAT), last.strftime(_DATE_FORMAT)


def projected_partitions(parameters: Mapping[str, str], window: TimeRange,
                         now: datetime | None = None) -> Partitions | None:
    """The partitions `window` touches, or None when the table has no projection."""
    if str(parameters.get("projection.enabled", "")).lower() != "true":
        return None
    days, first, last = _days(parameters, window, now or datetime.now(UTC))
    return Partitions(days=days, regions=_enum_count(parameters, "region"),
                      accounts=_enum_count(parameters, "account"), first_day=first, last_day=last)
