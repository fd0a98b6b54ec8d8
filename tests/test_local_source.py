"""The local trail source: layouts, pruning, newest-first order, bad input."""

from __future__ import annotations

import gzip
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from trail_builder import T0, event, hourly_trail, log_path, write_log

from trailtui.filters import EventFilter
from trailtui.sources import Query, open_source
from trailtui.sources.local import LocalSource, discover
from trailtui.timerange import TimeRange


async def collect(source, query=None):
    events, problems, scanned = [], [], 0
    async for page in source.search(query or Query()):
        events.extend(page.events)
        problems.extend(page.problems)
        scanned += page.scanned
    return events, problems, scanned


def _ids(events):
    return [e.raw["eventID"] for e in events]


async def test_org_trail_many_accounts_regions_and_a_prefix(tmp_path):
    for account in ("111122223333", "444455556666"):
        write_log(log_path(tmp_path, account, "eu-west-1", T0 + timedelta(minutes=10), org="o-abc123def4",
                           prefix="bucket-folder/sub"), [event(T0, eventID=f"{account}-1", recipientAccountId=account)])
    events, problems, _ = await collect(open_source(str(tmp_path)))
    assert sorted(_ids(events)) == ["111122223333-1", "444455556666-1"]
    assert problems == []


async def test_newest_first_across_files_and_regions(tmp_path):
    everything = hourly_trail(tmp_path, T0, hours=6)
    events, _, scanned = await collect(LocalSource(str(tmp_path)))
    expected = sorted(everything, key=lambda r: r["eventTime"], reverse=True)
    assert [e.raw["eventTime"] for e in events] == [r["eventTime"] for r in expected]
    assert len(events) == scanned == 60


async def test_limit_returns_the_newest(tmp_path):
    everything = hourly_trail(tmp_path, T0, hours=6)
    events, _, _ = await collect(LocalSource(str(tmp_path)), Query(limit=7))
    newest = sorted(everything, key=lambda r: r["eventTime"], reverse=True)[:7]
    assert _ids(events) == [r["eventID"] for r in newest]


async def test_time_range_prunes_date_folders_and_filters_events(tmp_path):
    for day in range(5):
        when = T0 + timedelta(days=day, hours=12)
        write_log(log_path(tmp_path, "111122223333", "us-east-1", when + timedelta(minutes=9)),
                  [event(when, eventID=f"day{day}")])
    window = TimeRange(T0 + timedelta(days=2), T0 + timedelta(days=2, hours=23))
    found = discover(str(tmp_path), window.since, window.until)
    # Day 2 and (for late delivery) day 3 are looked at; days 0, 1 and 4 are never opened.
    assert sorted(Path(f.path).parent.name for f in found.files) == ["03", "04"]
    events, _, _ = await collect(LocalSource(str(tmp_path)), Query(time_range=window))
    assert _ids(events) == ["day2"]


async def test_digests_and_other_objects_are_not_events(tmp_path):
    write_log(log_path(tmp_path, "111122223333", "us-east-1", T0), [event(T0, eventID="real")])
    digest_dir = tmp_path / "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/01"
    digest_dir.mkdir(parents=True)
    (digest_dir / "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240301T000000Z.json.gz").write_bytes(
        gzip.compress(b'{"awsAccountId":"111122223333","logFiles":[]}'))
    (tmp_path / "AWSLogs/notes.txt").write_text("hello")
    (tmp_path / "AWSLogs/x.json.gz.metadata.json").write_text('{"signature":"00"}')
    (tmp_path / "list-public-keys.json").write_text('{"PublicKeyList": []}')
    (tmp_path / "trailtui-demo.json").write_text('{"seed": 1}')
    events, problems, _ = await collect(LocalSource(str(tmp_path)))
    assert _ids(events) == ["real"] and problems == []


async def test_json_array_ndjson_and_plain_json(tmp_path):
    (tmp_path / "array.json").write_text(json.dumps([event(T0, eventID="a1"), event(T0, eventID="a2")]))
    (tmp_path / "lines.jsonl").write_text("\n".join(json.dumps(event(T0, eventID=f"l{i}")) for i in range(3)))
    (tmp_path / "records.json").write_text(json.dumps({"Records": [event(T0, eventID="r1")]}))
    events, problems, _ = await collect(LocalSource(str(tmp_path)))
    assert sorted(_ids(events)) == ["a1", "a2", "l0", "l1", "l2", "r1"] and problems == []


BAD_FILES = {
    "corrupt.json.gz": b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"garbage-not-deflate",
    "truncated.json.gz": gzip.compress(json.dumps({"Records": [event(T0)] * 20}).encode())[:60],
    "truncated.json": json.dumps({"Records": [event(T0)]}).encode()[:-7],
    "notjson.json": b"this is not json at all",
    "empty.json.gz": b"",
    "other.json": json.dumps({"Version": "2012-10-17", "Statement": []}).encode(),
}


async def test_each_bad_input_is_one_problem_and_the_scan_goes_on(tmp_path):
    write_log(log_path(tmp_path, "111122223333", "us-east-1", T0), [event(T0, eventID="good")])
    bad = tmp_path / "bad"
    bad.mkdir()
    for name, data in BAD_FILES.items():
        (bad / name).write_bytes(data)
    os.symlink(bad / "missing-target.json", bad / "dangling.json")
    os.symlink(tmp_path, bad / "loop")  # a symlink loop back to the root
    events, problems, _ = await collect(LocalSource(str(tmp_path)))
    assert _ids(events) == ["good"]
    by_file = {Path(p.location).name: p.message for p in problems}
    assert set(BAD_FILES) | {"dangling.json"} <= set(by_file)
    assert "corrupt gzip" in by_file["corrupt.json.gz"]
    assert "truncated gzip" in by_file["truncated.json.gz"]
    assert "not valid JSON" in by_file["truncated.json"] and "not valid JSON" in by_file["notjson.json"]
    assert by_file["empty.json.gz"] == "empty file"
    assert "not CloudTrail" in by_file["other.json"]
    assert "cannot read file" in by_file["dangling.json"]
    assert any("symlink loop" in p.message for p in problems)


async def test_filter_applies_to_every_event(tmp_path):
    hourly_trail(tmp_path, T0, hours=3)
    flt = EventFilter.compile("awsRegion == 'eu-west-1' && starts_with(eventName, 'Op1_')")
    events, _, _ = await collect(LocalSource(str(tmp_path)), Query(filter=flt))
    assert sorted(_ids(events)) == [f"eu-west-1-1-{i}" for i in range(5)]


async def test_worker_processes_give_the_same_rows(tmp_path):
    everything = hourly_trail(tmp_path, T0, hours=40, regions=("us-east-1", "eu-west-1", "ap-south-1"))
    source = LocalSource(str(tmp_path))
    source._scanner.process_threshold = 10
    source._scanner.batch = 8
    try:
        events, _, _ = await collect(source, Query(filter=EventFilter.compile("awsRegion != 'ap-south-1'")))
    finally:
        await source.close()
    expected = sorted((r for r in everything if r["awsRegion"] != "ap-south-1"),
                      key=lambda r: r["eventTime"], reverse=True)
    assert [e.raw["eventTime"] for e in events] == [r["eventTime"] for r in expected]
    assert [e.raw for e in events][:3] == expected[:3]


def test_a_single_file_is_a_source(tmp_path):
    path = write_log(tmp_path / "one.json.gz", [event(T0, eventID="x")])
    assert [f.path for f in discover(str(path)).files] == [str(path)]


def test_missing_path_is_a_clear_error():
    from trailtui.sources import SourceError

    with pytest.raises(SourceError, match="no such file"):
        open_source("/nonexistent/trail")
