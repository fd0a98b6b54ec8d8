"""A CloudTrail digest file: its fields, how it is signed, and its name.

Parsing is strict where the signature depends on it (the exact inflated bytes
are hashed; JSON is never re-encoded) and tolerant elsewhere: a missing
optional field is not an error, a missing required one is BAD_FORMAT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from trailtui.instant import EARLIEST, LATEST, BadTime, instant_or_none, read_instant

SIGNATURE_ALGORITHM = "SHA256withRSA"
HASH_ALGORITHM = "SHA-256"
REQUIRED_FIELDS = ("digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object",
                   "digestPublicKeyFingerprint", "previousDigestSignature")

# ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ[_backfill].json.gz
# (trail names may contain underscores; region names never do).
_NAME = re.compile(
    r"^(?P<account>\d{12})_CloudTrail-Digest_(?P<region>[a-z0-9-]+)_(?P<trail>.+)_(?P<home>[a-z0-9-]+)_"
    r"(?P<stamp>\d{8}T\d{6}Z)(?P<backfill>_backfill)?\.json\.gz$"
)


class DigestFormatError(ValueError):
    """The digest cannot be read as a CloudTrail digest (BAD_FORMAT)."""


@dataclass(frozen=True, slots=True)
class DigestName:
    """What a digest's file name says: whose chain it belongs to and when it ends."""

    account: str
    region: str
    trail: str
    home_region: str
    end: datetime
    backfill: bool

    def with_end(self, end: datetime) -> str:
        """The file name a digest of this chain ending at `end` would have."""
        suffix = "_backfill" if self.backfill else ""
        return (f"{self.account}_CloudTrail-Digest_{self.region}_{self.trail}_{self.home_region}_"
                f"{end:%Y%m%dT%H%M%SZ}{suffix}.json.gz")


def parse_digest_name(name: str) -> DigestName | None:
    match = _NAME.match(name)
    if not match:
        return None
    text = match["stamp"]
    try:  # slicing, not strptime: names are parsed by the thousand
        end = datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]), int(text[11:13]),
                       int(text[13:15]), tzinfo=UTC)
    except ValueError:
        return None
    if not EARLIEST <= end < LATEST:  # hours are added to it: a crafted name must not overflow
        return None
    return DigestName(match["account"], match["region"], match["trail"], match["home"], end,
                      bool(match["backfill"]))


def predicted_key(known_key: str, name: DigestName, end: datetime) -> str:
    """Where the digest of the same chain ending at `end` would be stored: same
    folder layout, date folders and stamp from `end`."""
    folder = known_key.rsplit("/", 4)[0] if known_key.count("/") >= 4 else ""
    dated = f"{end:%Y/%m/%d}/{name.with_end(end)}"
    return f"{folder}/{dated}" if folder else dated


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One `logFiles[]` entry: where a log file is and the hash of its content."""

    bucket: str
    key: str
    sha256: str
    algorithm: str


@dataclass(frozen=True, slots=True)
class Digest:
    """The fields of a digest file that verification uses."""

    raw: dict[str, Any]
    start: datetime
    end: datetime
    bucket: str
    key: str
    fingerprint: str
    algorithm: str | None
    previous_bucket: str | None
    previous_key: str | None
    previous_hash: str | None
    previous_hash_algorithm: str | None
    previous_signature: str | None
    logs: tuple[LogEntry, ...]

    @property
    def end_text(self) -> str:
        return str(self.raw["digestEndTime"])

    @property
    def start_text(self) -> str:
        return str(self.raw["digestStartTime"])


def _optional_str(doc: dict[str, Any], field: str) -> str | None:
    value = doc.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DigestFormatError(f"{field} is not a string")
    return value


def _log_entries(doc: dict[str, Any]) -> tuple[LogEntry, ...]:
    entries = doc.get("logFiles", [])
    if not isinstance(entries, list):
        raise DigestFormatError("logFiles is not a list")
    out = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise DigestFormatError(f"logFiles[{index}] is not an object")
        found = [entry.get(f) for f in ("s3Bucket", "s3Object", "hashValue")]
        values = [v for v in found if isinstance(v, str) and v]
        if len(values) != len(found):
            raise DigestFormatError(f"logFiles[{index}] lacks s3Bucket, s3Object or hashValue")
        algorithm = entry.get("hashAlgorithm", HASH_ALGORITHM)
        out.append(LogEntry(values[0], values[1], values[2].lower(), str(algorithm)))
    return tuple(out)


def parse_digest(inflated: bytes) -> Digest:
    """Parse the inflated bytes of a digest; raises DigestFormatError."""
    try:
        doc = orjson.loads(inflated)
    except orjson.JSONDecodeError as exc:
        raise DigestFormatError(f"not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise DigestFormatError("not a JSON object")
    missing = [f for f in REQUIRED_FIELDS if f not in doc]
    if missing:
        raise DigestFormatError(f"missing required field(s): {', '.join(missing)}")
    for field in REQUIRED_FIELDS[:5]:
        if not isinstance(doc[field], str) or not doc[field]:
            raise DigestFormatError(f"{field} is not a non-empty string")
    try:
        start, end = read_instant(doc["digestStartTime"]), read_instant(doc["digestEndTime"])
    except BadTime as exc:
        which = "digestStartTime" if instant_or_none(doc["digestStartTime"]) is None else "digestEndTime"
        raise DigestFormatError(f"{which} {exc}") from None
    return Digest(
        raw=doc, start=start, end=end, bucket=doc["digestS3Bucket"], key=doc["digestS3Object"],
        fingerprint=doc["digestPublicKeyFingerprint"].lower(),
        algorithm=_optional_str(doc, "digestSignatureAlgorithm"),
        previous_bucket=_optional_str(doc, "previousDigestS3Bucket"),
        previous_key=_optional_str(doc, "previousDigestS3Object"),
        previous_hash=(_optional_str(doc, "previousDigestHashValue") or "").lower() or None,
        previous_hash_algorithm=_optional_str(doc, "previousDigestHashAlgorithm"),
        previous_signature=(_optional_str(doc, "previousDigestSignature") or "").lower() or None,
        logs=_log_entries(doc),
    )


def signing_string(digest: Digest, inflated_sha256: str) -> bytes:
    """The bytes CloudTrail signs: end time, bucket/key, hash of the inflated
    digest, previous signature (`null` when there is none), joined by `\\n`."""
    previous = digest.raw.get("previousDigestSignature")
    previous_text = "null" if previous is None else str(previous)
    return (f"{digest.raw['digestEndTime']}\n{digest.raw['digestS3Bucket']}/{digest.raw['digestS3Object']}\n"
            f"{inflated_sha256}\n{previous_text}").encode()


HOUR = timedelta(hours=1)
