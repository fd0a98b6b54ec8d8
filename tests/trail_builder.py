"""Build small local trails in CloudTrail's layout for tests (pure file writing)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def event(when: datetime, name: str = "GetObject", **extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDA1", "arn": "arn:aws:iam::111122223333:user/alice",
                         "accountId": "111122223333", "accessKeyId": "AKIATEST", "userName": "alice"},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15",
        "eventID": f"{name}-{when.isoformat()}",
    }
    raw.update(extra)
    return raw


def log_path(root: Path, account: str, region: str, stamp: datetime, org: str | None = None,
             prefix: str = "", unique: str = "abcdef0123456789") -> Path:
    parts = [prefix] if prefix else []
    parts += ["AWSLogs"] + ([org] if org else []) + [account, "CloudTrail", region, stamp.strftime("%Y/%m/%d")]
    name = f"{account}_CloudTrail_{region}_{stamp.strftime('%Y%m%dT%H%MZ')}_{unique}.json.gz"
    return root.joinpath(*parts, name)


def write_log(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps({"Records": list(records)}, separators=(",", ":")).encode(), mtime=0))
    return path


def hourly_trail(root: Path, start: datetime, hours: int, per_file: int = 5, regions=("us-east-1", "eu-west-1"),
                 account: str = "111122223333", org: str | None = None) -> list[dict[str, Any]]:
    """One file per region per hour, events spread within the hour; returns all events."""
    everything = []
    for h in range(hours):
        base = start + timedelta(hours=h)
        for r_i, region in enumerate(regions):
            records = [event(base + timedelta(minutes=5 * i + r_i), name=f"Op{h}_{i}", awsRegion=region,
                             eventID=f"{region}-{h}-{i}") for i in range(per_file)]
            stamp = base + timedelta(minutes=5 * per_file + 7)
            write_log(log_path(root, account, region, stamp, org=org, unique=f"{h:04d}{r_i:012d}"), records)
            everything.extend(records)
    return everything


T0 = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
TRAILDISCOVER = Path(__file__).parent / "data" / "traildiscover" / "events"


def traildiscover_records() -> list[dict[str, Any]]:
    """Real, anonymised records from TrailDiscover (CC-BY-4.0, see its PROVENANCE.md)."""
    records: list[dict[str, Any]] = []
    for path in sorted(TRAILDISCOVER.glob("*/*.cloudtrail")):
        doc = json.loads(path.read_text())
        records.extend(doc if isinstance(doc, list) else [doc])
    return records
