"""The fast local scan returns exactly what the plain path returns (same events,
same newest-first order, same problems), and both equal a brute-force
`EventFilter.matches` over every record of every file."""

from __future__ import annotations

import gzip
import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from trail_builder import T0, event, log_path, write_log

from trailtui.events import parse_event_time
from trailtui.filters import EventFilter
from trailtui.sources import Query
from trailtui.sources.layout import delivery_stamp
from trailtui.sources.local import LocalSource, discover
from trailtui.sources.records import decode_log
from trailtui.sources.scan import FileScanner, ScanRequest, scan_bytes
from trailtui.timerange import TimeRange

DATA = Path(__file__).parent / "data"
ACCOUNTS = ("111122223333", "444455556666")
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def _real_templates() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted((DATA / "scan/stratus-red-team").glob("*.json.gz"))[:12]:
        records += json.loads(gzip.decompress(path.read_bytes()))
    panther = gzip.decompress((DATA / "scan/panther-analysis/aws_cloudtrail_rule_tests.jsonl.gz").read_bytes())
    records += [json.loads(line)["log"] for line in panther.splitlines()][:200]
    return [r for r in records if isinstance(r, dict)]


def _build_tree(root: Path, seed: int = 5, hours: int = 18) -> None:
    """An org trail over two accounts and three regions, one file per stream and
    hour (delivered 5-14 minutes late), mixing synthetic and real records, plus a
    folder of bad and odd files."""
    rng = random.Random(seed)
    templates = _real_templates()
    for hour in range(hours):
        for account in ACCOUNTS:
            for region in REGIONS:
                start = T0 + timedelta(hours=hour)
                records = []
                for i in range(rng.randint(3, 12)):
                    when = start + timedelta(seconds=rng.randrange(3600))
                    if rng.random() < 0.5:
                        raw = dict(rng.choice(templates))
                        raw["eventTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
                    else:
                        raw = event(when, name=rng.choice(["GetObject", "ConsoleLogin", "AssumeRole", "StopLogging"]),
                                    awsRegion=region, recipientAccountId=account)
                        if rng.random() < 0.2:
                            raw["errorCode"] = "AccessDenied"
                        if rng.random() < 0.1:
                            raw["userIdentity"] = {"type": "Root", "accountId": account}
                    raw["eventID"] = f"{account}-{region}-{hour}-{i}"
                    records.append(raw)
                stamp = start + timedelta(hours=1, minutes=rng.randint(5, 14))
                write_log(log_path(root, account, region, stamp, org="o-abc123def4",
                                   unique=f"{hour:04d}{rng.getrandbits(40):012x}"), records)
    odd = root / "AWSLogs" / "o-abc123def4" / ACCOUNTS[0] / "CloudTrail" / "us-east-1" / "2024" / "03" / "01"
    odd.mkdir(parents=True, exist_ok=True)
    late = T0 + timedelta(hours=5)
    name = f"{ACCOUNTS[0]}_CloudTrail_us-east-1_{late.strftime('%Y%m%dT%H%MZ')}_"

    def put(suffix: str, data: bytes) -> None:
        (odd / (name + suffix)).write_bytes(data)

    good = event(late - timedelta(minutes=20), name="ConsoleLogin", eventID="odd-good")
    put("corrupt.json.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"garbage")
    put("truncgz.json.gz", gzip.compress(json.dumps({"Records": [good] * 20}).encode())[:80])
    put("truncjson.json.gz", gzip.compress(json.dumps({"Records": [good]}).encode()[:-9]))
    put("notjson.json.gz", gzip.compress(b"hello"))
    put("empty.json.gz", b"")
    put("other.json.gz", gzip.compress(b'{"Version":"2012-10-17","Statement":[]}'))
    put("mixed.json.gz", gzip.compress(json.dumps({"Records": [
        dict(good, eventID="odd-mixed"), {"not": "cloudtrail"}, 7]}).encode()))
    put("latin1.json.gz", gzip.compress(json.dumps({"Records": [dict(good, eventID="odd-latin1")]}).encode()
                                        .replace(b'"alice"', b'"al\xe9ce"')))
    put("pretty.json.gz", gzip.compress(json.dumps({"Records": [dict(good, eventID="odd-pretty")]}, indent=2)
                                        .encode()))
    put("escaped.json.gz", gzip.compress(json.dumps({"Records": [dict(good, eventID="odd-esc",
                                                                      eventName="Cons\u00f6le")]},
                                                    ensure_ascii=True).encode()))
    put("double.json.gz", gzip.compress(gzip.compress(json.dumps({"Records": [good]}).encode())))
    put("lines.jsonl", "\n".join(json.dumps(dict(good, eventID=f"odd-line{i}")) for i in range(3)).encode())
    put("array.json", json.dumps([dict(good, eventID="odd-array")]).encode())
    big = json.dumps({"Records": [dict(good, eventID="odd-big", n="BIG")]})
    put("bigint.json.gz", gzip.compress(big.replace('"BIG"', "123456789012345678901234567890").encode()))


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scan-tree")
    _build_tree(root)
    return root


FILTERS = [
    "",
    "userIdentity.type=='Root' || (eventName=='ConsoleLogin' && errorCode!=`null`)",
    "eventName == 'ConsoleLogin'",
    "errorCode == 'AccessDenied' && awsRegion != 'eu-west-1'",
    "contains(resources[].type, 'AWS::S3::Object') || starts_with(eventSource, 'iam')",
    "n > `1e20`",
    "userIdentity.userName == 'al\u00e9ce' || eventName == 'Cons\u00f6le'",
    "length(@) > `14`",
    "eventName != 'GetObject'",
]


async def _run(source: LocalSource, query: Query) -> tuple[list[str], list[str], set[tuple[str, str]], int]:
    ids, times, problems, scanned = [], [], set(), 0
    try:
        async for page in source.search(query):
            ids += [e.raw.get("eventID", "") for e in page.events]
            times += [e.time.isoformat() for e in page.events]
            problems |= {(Path(p.location).name, p.message) for p in page.problems}
            scanned += page.scanned
    finally:
        await source.close()
    return ids, times, problems, scanned


def _brute_force(root: Path, flt: EventFilter, window: TimeRange) -> list[dict[str, Any]]:
    """Every record of every discovered file, filtered by `matches` (jmespath)."""
    out = []
    for log in discover(str(root)).files:
        for raw in decode_log(Path(log.path).read_bytes()).records:
            when = parse_event_time(raw.get("eventTime"))
            if not window.unbounded and (when is None or not window.contains(when)):
                continue
            if flt.matches(raw):
                out.append(raw)
    return out


WINDOWS = [TimeRange(), TimeRange(T0 + timedelta(hours=3), T0 + timedelta(hours=9, minutes=30))]


@pytest.mark.parametrize("window", WINDOWS, ids=["all-time", "window"])
@pytest.mark.parametrize("text", FILTERS)
async def test_fast_scan_equals_plain_scan_and_jmespath(tree, text, window):
    flt = EventFilter.compile(text)
    query = Query(filter=flt, time_range=window)
    fast = await _run(LocalSource(str(tree)), query)
    plain = await _run(LocalSource(str(tree), scanner=FileScanner(typed=False)), query)
    assert fast[0] == plain[0]  # same events in the same order
    assert fast[2] == plain[2]  # same problems, worded the same
    expected = _brute_force(tree, flt, window)
    assert sorted(fast[0]) == sorted(r.get("eventID", "") for r in expected)
    assert fast[1] == sorted(fast[1], reverse=True)  # newest first, exactly
    if text == "":
        assert fast[3] == plain[3]  # nothing to skip: every record was examined


async def test_problems_are_reported_with_a_filter_too(tree):
    flt = EventFilter.compile("eventName == 'NoSuchEvent'")
    ids, _, problems, _ = await _run(LocalSource(str(tree)), Query(filter=flt))
    names = {name.rsplit("_", 1)[-1]: message for name, message in problems}
    assert ids == []
    assert "corrupt gzip" in names["corrupt.json.gz"] and "truncated gzip" in names["truncgz.json.gz"]
    assert "not valid JSON" in names["truncjson.json.gz"] and "not valid JSON" in names["notjson.json.gz"]
    assert names["empty.json.gz"] == "empty file" and "not CloudTrail" in names["other.json.gz"]
    assert "1 record(s)" in names["mixed.json.gz"] and "not valid JSON" in names["latin1.json.gz"]


@pytest.mark.parametrize("limit", [1, 7, 50])
async def test_limit_returns_the_newest_matches(tree, limit):
    flt = EventFilter.compile("eventName != 'GetObject'")
    everything, _, _, _ = await _run(LocalSource(str(tree)), Query(filter=flt))
    first, _, _, _ = await _run(LocalSource(str(tree)), Query(filter=flt, limit=limit))
    assert first == everything[:limit]


async def _events(source: LocalSource, query: Query) -> list[tuple]:
    out = []
    try:
        async for page in source.search(query):
            out += [(e.raw, e.location, e.time, e.principal, e.access_key) for e in page.events]
    finally:
        await source.close()
    return out


@pytest.mark.parametrize("text", [FILTERS[1], "eventName != 'GetObject'"])
async def test_worker_pool_path_gives_identical_events(tree, text):
    flt = EventFilter.compile(text)
    scanner = FileScanner(workers=2)
    scanner.first_batch, scanner.batch = 2, 3
    assert await scanner.start_workers()
    pooled = await _events(LocalSource(str(tree), scanner=scanner), Query(filter=flt))
    assert scanner.used_pool
    alone = await _events(LocalSource(str(tree), scanner=FileScanner(workers=1, typed=False)), Query(filter=flt))
    assert pooled == alone and pooled  # raw record, location, time, principal and key alike


async def test_a_broken_pool_falls_back_to_the_thread(tree):
    scanner = FileScanner(workers=2)
    scanner.batch = 3
    assert await scanner.start_workers()
    flt = EventFilter.compile("eventName == 'ConsoleLogin'")
    reference = await _run(LocalSource(str(tree), scanner=FileScanner(workers=1)), Query(filter=flt))
    source = LocalSource(str(tree), scanner=scanner)
    ids: list[str] = []
    crashed = False
    async for page in source.search(Query(filter=flt)):
        ids += [e.raw["eventID"] for e in page.events]
        executor = scanner._pool_ready()
        if executor is not None and scanner.used_pool and not crashed:
            # A worker dies mid-scan (as under the OOM killer).  It dies inside a
            # task rather than being killed from outside, which could catch it
            # half-way through sending a result and hang the pool's manager.
            executor.submit(os._exit, 1)
            crashed = True
    await source.close()
    assert scanner._pool_failed and scanner.used_pool  # the pool did work, died, and the thread finished
    assert ids == reference[0]


def test_typed_precheck_skips_files_without_matches(tree):
    request = ScanRequest("eventName == 'NoSuchEvent'")
    path = discover(str(tree)).files[-1].path
    data = Path(path).read_bytes()
    fast, plain = scan_bytes(path, data, request), scan_bytes(path, data, request, typed=False)
    assert fast.events == plain.events == [] and fast.scanned == plain.scanned > 0


@pytest.mark.parametrize("name", [
    "111122223333_CloudTrail_us-east-1_20240301T0107Z_abc.json.gz",
    "111122223333_CloudTrail_us-east-1_20240301T010759Z_abc.json.gz",
    "111122223333_CloudTrail_us-east-1_20241301T0107Z_abc.json.gz",
    "111122223333_CloudTrail_us-east-1_20240301T01075Z_abc.json.gz",
    "111122223333_CloudTrail_us-east-1_20240230T0107Z_abc.json.gz",
    "no-stamp.json.gz",
])
def test_delivery_stamps_parse_like_strptime(name):
    import re

    match = re.search(r"_(\d{8}T\d{4,6}Z)_", name)
    expected = None
    if match:
        text = match.group(1)
        try:
            fmt = "%Y%m%dT%H%M%SZ" if len(text) == 16 else "%Y%m%dT%H%MZ"
            expected = datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            expected = None
    assert delivery_stamp(name) == expected


_EARLY_EXIT = """
import asyncio, sys
from trailtui.filters import EventFilter
from trailtui.sources import Query
from trailtui.sources.local import LocalSource
from trailtui.sources.scan import FileScanner

async def main():
    scanner = FileScanner(workers=2)
    scanner.pool_delay, scanner.process_threshold, scanner.first_batch = 0.0, 1, 1
    source = LocalSource(sys.argv[1], scanner=scanner)
    async for page in source.search(Query(filter=EventFilter.compile("eventName != 'x'"), limit=1)):
        pass
    await source.close()

if __name__ == "__main__":
    asyncio.run(main())
"""


@pytest.mark.parametrize("attempt", range(3))
def test_leaving_while_workers_boot_prints_nothing(tree, tmp_path, attempt):
    # A `--limit` query can finish while the worker processes are still starting;
    # exiting then must not leave a half-started worker to print a traceback.
    import subprocess
    import sys

    script = tmp_path / "early_exit.py"
    script.write_text(_EARLY_EXIT)
    done = subprocess.run([sys.executable, str(script), str(tree)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
