"""How CloudTrail names things in a bucket, as pure functions over key paths.

`[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz`; digests live under
`CloudTrail-Digest/` with the same date folders.  Shared by the local and S3
sources, integrity and acquire, so all of them agree on what a key means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from trailtui.instant import EARLIEST, LATEST

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
