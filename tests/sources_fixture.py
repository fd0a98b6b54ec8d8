"""The events every source test reads, and how tests put them where each source
looks: a CloudTrail-layout trail (local directory and S3 bucket), Event
history (LookupEvents), a Lake event data store, and test-server faults.

The events are real records (tests/data/sources, see PROVENANCE.md) with new,
distinct `eventTime`s in the last few days: Event history only keeps 90 days,
and distinct times make "newest first" a single order.
"""

from __future__ import annotations

import asyncio
import copy
import gzip
import json
import re
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent / "data" / "sources"
REGION = "us-east-1"
FALLBACK_ACCOUNT = "111122223333"
ORG = "o-abc123def4"
PREFIX = "trail/"
STEP = timedelta(minutes=37, seconds=11)


def original_records() -> list[dict[str, Any]]:
    """The records as their authors wrote them, in a fixed order."""
    records: list[dict[str, Any]] = []
    for path in sorted((DATA / "stratus-red-team").glob("*.json")):
        records.extend(json.loads(path.read_text()))
    for line in (DATA / "panther-analysis" / "data-events.jsonl").read_text().splitlines():
        records.append(json.loads(line)["log"])
    return records


def fixture_events(now: datetime | None = None) -> list[dict[str, Any]]:
    """The records re-timed: oldest first, one every 37m11s, the newest an hour ago."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    records = copy.deepcopy(original_records())
    start = now - timedelta(hours=1) - STEP * (len(records) - 1)
    for index, raw in enumerate(records):
        raw["eventTime"] = (start + STEP * index).strftime("%Y-%m-%dT%H:%M:%SZ")
    return records


def newest_first_ids(events: list[dict[str, Any]]) -> list[str]:
    return [e["eventID"] for e in sorted(events, key=lambda e: e["eventTime"], reverse=True)]


def _account(raw: dict[str, Any]) -> str:
    value = raw.get("recipientAccountId")
    return value if isinstance(value, str) and re.fullmatch(r"\d{12}", value) else FALLBACK_ACCOUNT


def _region(raw: dict[str, Any]) -> str:
    value = raw.get("awsRegion")
    return value if isinstance(value, str) and re.fullmatch(r"[a-z0-9-]+", value) else REGION


def trail_objects(events: list[dict[str, Any]], prefix: str = PREFIX, org: str | None = ORG
                  ) -> tuple[dict[str, bytes], dict[str, str]]:
    """CloudTrail-layout objects: one gzip file per account, region and hour,
    delivered 62 minutes after the hour began.  Returns (key -> bytes,
    eventID -> the file's `yyyy/MM/dd` date folder, Athena's partition)."""
    groups: dict[tuple[str, str, datetime], list[dict[str, Any]]] = {}
    for raw in events:
        when = datetime.strptime(raw["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        hour = when.replace(minute=0, second=0)
        groups.setdefault((_account(raw), _region(raw), hour), []).append(raw)
    objects: dict[str, bytes] = {}
    partitions: dict[str, str] = {}
    for number, ((account, region, hour), records) in enumerate(sorted(groups.items())):
        stamp = hour + timedelta(minutes=62)
        root = f"{prefix}AWSLogs/" + (f"{org}/" if org else "")
        key = (f"{root}{account}/CloudTrail/{region}/{stamp:%Y/%m/%d}/"
               f"{account}_CloudTrail_{region}_{stamp:%Y%m%dT%H%MZ}_{number:016x}.json.gz")
        objects[key] = gzip.compress(json.dumps({"Records": records}).encode(), mtime=0)
        for raw in records:
            partitions[raw["eventID"]] = f"{stamp:%Y/%m/%d}"
    return objects, partitions


def write_tree(root: Path, objects: dict[str, bytes]) -> None:
    for key, body in objects.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def upload(endpoint: str, bucket: str, objects: dict[str, bytes]) -> None:
    """Test setup with a plain boto3 client (production code never does this)."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    s3.create_bucket(Bucket=bucket)
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def post(endpoint: str, path: str, body: Any) -> Any:
    request = urllib.request.Request(f"{endpoint}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def get(endpoint: str, path: str) -> Any:
    with urllib.request.urlopen(f"{endpoint}{path}", timeout=30) as response:
        return json.loads(response.read())


def seed_lookup(endpoint: str, events: list[dict[str, Any]], region: str = REGION) -> None:
    post(endpoint, "/moto-api/trailtui/lookup-events", {"region": region, "events": events})


def seed_lake(endpoint: str, store_id: str, events: list[dict[str, Any]], region: str = REGION, **options: Any) -> None:
    post(endpoint, "/moto-api/trailtui/lake/event-data-stores", {"region": region, "id": store_id, "events": events,
                                                                **options})


def fault(endpoint: str, service: str, operation: str, code: str = "", times: int = 1, **extra: Any) -> None:
    post(endpoint, "/moto-api/trailtui/faults", {"service": service, "operation": operation, "code": code,
                                                "times": times, **extra})


def calls(endpoint: str, operation: str | None = None) -> list[dict[str, Any]]:
    seen = get(endpoint, "/moto-api/trailtui/calls")
    return [c for c in seen if operation is None or c["operation"] == operation]


async def collect(source: Any, query: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """(events, problems, pages) of one search."""
    events, problems, pages = [], [], []
    async for page in source.search(query):
        pages.append(page)
        events.extend(page.events)
        problems.extend(page.problems)
    return events, problems, pages


async def cancel_reader_once(source: Any, query: Any, when: Callable[[Any], bool], pause: float = 0) -> None:
    """Read `source.search(query)` in a task (sleeping `pause` after each page)
    until a page satisfies `when`, then cancel the task: it must end cancelled."""
    reached = asyncio.Event()

    async def consume() -> None:
        async for page in source.search(query):
            if when(page):
                reached.set()
            if pause:
                await asyncio.sleep(pause)

    task = asyncio.create_task(consume())
    await asyncio.wait_for(reached.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
