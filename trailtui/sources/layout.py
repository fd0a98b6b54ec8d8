"""How CloudTrail names things in a bucket, as pure functions over key paths.

`[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz`; digests live under
`CloudTrail-Digest/` with the same date folders.  Shared by the local and S3
sources, the SQL time bounds, integrity and acquire, so all of them agree on
what a key means and on which folders and files a time range can skip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from trailtui.instant import EARLIEST, LATEST
from trailtui.sources.delivery import DELIVERY_SLACK

# The bound of a file or folder whose name carries no date: read it, and read it first.
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)

_LOG_KEY = re.compile(
    r"(?:^|/)AWSLogs/(?:(?P<org>o-[a-z0-9]+)/)?(?P<account>\d{12})/CloudTrail/"
    r"(?P<region>[a-z0-9-]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<name>[^/]+)$"
)
_DIGEST_KEY = re.compile(
    r"(?:^|/)AWSLogs/(?:(?P<org>o-[a-z0-9]+)/)?(?P<account>\d{12})/CloudTrail-Digest/"
    r"(?P<region>[a-z0-9-]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<name>[^/]+)$"
)
_STAMP = re.compile(r"_(\d{8}T\d{4,6}Z)_")
_LOG_SUFFIXES = (".json.gz", ".json", ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".gz")


@dataclass(frozen=True, slots=True)
class LogKey:
    """What a CloudTrail key path tells without opening the object."""

    account: str
    region: str
    day: date
    org_id: str | None
    name: str
    delivered: datetime | None


def _stamp(name: str) -> datetime | None:
    match = _STAMP.search(name)
    if not match:
        return None
    return _stamp_time(match.group(1))


@lru_cache(maxsize=65536)
def _stamp_time(text: str) -> datetime | None:
    """Cached: files of different accounts and regions share delivery minutes."""
    if len(text) not in (14, 16):
        return None
    second = int(text[13:15]) if len(text) == 16 else 0
    try:  # fixed-width slicing: strptime costs ~7 us a name, and a big tree has tens of thousands
        when = datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]), int(text[11:13]),
                        second, tzinfo=UTC)
    except ValueError:
        return None
    return when if EARLIEST <= when < LATEST else None  # a crafted name must not overflow `stamp + slack`


def _parse_key(pattern: re.Pattern[str], key: str) -> LogKey | None:
    match = pattern.search(key)
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return LogKey(match["account"], match["region"], day, match["org"], match["name"], _stamp(match["name"]))


def parse_log_key(key: str) -> LogKey | None:
    """Parse a log file key (or local path with `/` separators); None when the
    key is not in CloudTrail's layout."""
    return _parse_key(_LOG_KEY, key)


def parse_digest_key(key: str) -> LogKey | None:
    """The same for a digest file key."""
    return _parse_key(_DIGEST_KEY, key)


def delivery_stamp(name: str) -> datetime | None:
    """The delivery time CloudTrail writes into a log file name, if any."""
    return _stamp(name)


_DATE_TAIL = re.compile(r"/CloudTrail/[^/]+/(\d{4})/(?:(\d{2})/(?:(\d{2})/)?)?$")


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The days a date folder can hold files of."""

    first: date
    last: date


def date_folder_span(folder: str) -> DateSpan | None:
    """The days of a `.../CloudTrail/REGION/YYYY[/MM[/DD]]/` folder (`/`
    separators, trailing `/` optional); None for any other folder."""
    match = _DATE_TAIL.search("/" + folder.rstrip("/") + "/")
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day:
            first = date(int(year), int(month), int(day))
            return DateSpan(first, first)
        if month:
            first = date(int(year), int(month), 1)
            following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            return DateSpan(first, following - timedelta(days=1))
        return DateSpan(date(int(year), 1, 1), date(int(year), 12, 31))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    """Which date folders and delivery stamps can hold events of a time range
    (None: unbounded on that side).  Nothing is delivered before its event, and
    everything within `DELIVERY_SLACK` after it."""

    since: datetime | None = None
    until: datetime | None = None

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def keeps_span(self, span: DateSpan) -> bool:
        if self.since is not None and span.last < self.since.date():
            return False
        return self.until is None or span.first <= (self.until + DELIVERY_SLACK).date()

    def keeps_day(self, day: date) -> bool:
        return self.keeps_span(DateSpan(day, day))

    def keeps_folder(self, folder: str) -> bool:
        """False only for a date folder wholly outside the range."""
        span = date_folder_span(folder)
        return span is None or self.keeps_span(span)

    def keeps_stamp(self, stamp: datetime) -> bool:
        if self.since is not None and stamp < self.since:
            return False
        return self.until is None or stamp <= self.until + DELIVERY_SLACK


def is_digest_key(key: str) -> bool:
    return "/CloudTrail-Digest/" in f"/{key}" or "_CloudTrail-Digest_" in key


# Files trailtui itself writes next to a trail (the demo manifest, the public
# key listing `verify --public-keys` reads): part of a trail folder, never events.
COMPANION_FILES = frozenset({"trailtui-demo.json", "list-public-keys.json"})


def looks_like_log_name(name: str) -> bool:
    """Names worth opening as event files (the content decides in the end)."""
    lower = name.lower()
    return (lower.endswith(_LOG_SUFFIXES) and not lower.endswith(".metadata.json")
            and lower not in COMPANION_FILES)
