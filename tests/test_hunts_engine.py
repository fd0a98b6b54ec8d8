"""Engine semantics: thresholds and sequences over a newest-first stream, with
bounded state; and the async runner over a real local source."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from trailtui.events import Event
from trailtui.hunts import HuntEngine, HuntTallies, load_catalogue, run_hunts
from trailtui.hunts import engine as engine_module
from trailtui.hunts.catalogue import parse_catalogue
from trailtui.sources import open_source
from trailtui.timerange import TimeRange

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

HUNTS = parse_catalogue("""
[[hunt]]
id = "burst"
title = "count"
severity = "medium"
technique = "T1580"
why = "w"
filter = "errorCode == 'AccessDenied'"
threshold = {count = 3, window = "10m"}

[[hunt]]
id = "spread"
title = "distinct"
severity = "high"
technique = "T1555.006"
why = "w"
filter = "eventName == 'GetSecretValue'"
threshold = {count = 3, window = "10m", distinct = "requestParameters.secretId || requestParameters.ids"}

[[hunt]]
id = "chain"
title = "sequence"
severity = "high"
technique = "T1136.003"
why = "w"
filter = "eventName == 'CreateUser'"
sequence = {then = "eventName == 'CreateAccessKey'", window = "15m"}

[[hunt]]
id = "by-ip"
title = "grouped by an expression"
severity = "low"
technique = "T1110"
why = "w"
filter = "eventName == 'ConsoleLogin'"
threshold = {count = 2, window = "1m", by = "sourceIPAddress"}
""")


def ev(minutes: float, name: str, who: str = "alice", **extra) -> Event:
    raw = {
        "eventTime": (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventName": name,
        "eventSource": "test.amazonaws.com",
        "userIdentity": {"type": "IAMUser", "userName": who, "arn": f"arn:aws:iam::1:user/{who}"},
        "eventID": f"{name}-{who}-{minutes}-{len(extra)}-{id(extra)}",
        **extra,
    }
    return Event.from_raw(raw)


def run(hunt_id: str, events: list[Event]) -> list[Event]:
    ordered = sorted(events, key=lambda e: e.time, reverse=True)
    return [hit.event for hit in HuntEngine([HUNTS.get(hunt_id)]).feed_all(ordered)]


def test_count_threshold_fires_at_count_and_reports_every_contributor():
    three = [ev(m, "GetRole", errorCode="AccessDenied") for m in (0, 4, 8)]
    assert len(run("burst", three)) == 3
    assert run("burst", three[:2]) == []
    late = three + [ev(9, "ListUsers", errorCode="AccessDenied")]
    assert len(run("burst", late)) == 4, "a fourth call inside the burst is part of it"


def test_count_threshold_respects_the_window_and_groups():
    spread = [ev(m, "GetRole", errorCode="AccessDenied") for m in (0, 11, 22)]
    assert run("burst", spread) == []
    two_people = [ev(0, "GetRole", "alice", errorCode="AccessDenied"), ev(1, "GetRole", "alice",
                                                                          errorCode="AccessDenied"),
                  ev(2, "GetRole", "bob", errorCode="AccessDenied")]
    assert run("burst", two_people) == []
    edge = [ev(0, "A", errorCode="AccessDenied"), ev(5, "B", errorCode="AccessDenied"), ev(10, "C",
                                                                                           errorCode="AccessDenied")]
    assert len(run("burst", edge)) == 3, "a window is inclusive at both ends"


def test_distinct_threshold_counts_values_not_events():
    same = [ev(m, "GetSecretValue", requestParameters={"secretId": "db"}) for m in range(6)]
    assert run("spread", same) == []
    varied = [ev(m, "GetSecretValue", requestParameters={"secretId": f"s{m}"}) for m in range(3)]
    assert len(run("spread", varied)) == 3
    one_call_many_values = [ev(0, "GetSecretValue", requestParameters={"ids": ["a", "b", "c"]})]
    assert len(run("spread", one_call_many_values)) == 1
    no_value = [ev(m, "GetSecretValue", requestParameters={}) for m in range(5)]
    assert run("spread", no_value) == []


def test_sequence_a_then_b_within_window():
    create, key = ev(0, "CreateUser"), ev(5, "CreateAccessKey")
    assert {e.event_name for e in run("chain", [create, key])} == {"CreateUser", "CreateAccessKey"}
    assert run("chain", [ev(0, "CreateAccessKey"), ev(5, "CreateUser")]) == [], "B before A is not the sequence"
    assert run("chain", [ev(0, "CreateUser"), ev(16, "CreateAccessKey")]) == [], "outside the window"
    assert run("chain", [ev(0, "CreateUser", "alice"), ev(1, "CreateAccessKey", "bob")]) == [], "other principal"
    chained = run("chain", [ev(0, "CreateUser"), ev(1, "CreateAccessKey"), ev(2, "CreateAccessKey")])
    assert len(chained) == 3


@pytest.mark.parametrize("a_first", [True, False])
def test_sequence_same_second_in_either_stream_order(a_first):
    a, b = ev(0, "CreateUser"), ev(0, "CreateAccessKey")
    stream = [a, b] if a_first else [b, a]
    hits = [h.event for h in HuntEngine([HUNTS.get("chain")]).feed_all(stream)]
    assert {e.event_name for e in hits} == {"CreateUser", "CreateAccessKey"}


def test_group_by_expression():
    same_ip = [ev(0, "ConsoleLogin", "a", sourceIPAddress="198.51.100.7"),
               ev(0.5, "ConsoleLogin", "b", sourceIPAddress="198.51.100.7")]
    assert len(run("by-ip", same_ip)) == 2
    other_ip = [ev(0, "ConsoleLogin", "a", sourceIPAddress="198.51.100.7"),
                ev(0.5, "ConsoleLogin", "a", sourceIPAddress="198.51.100.8")]
    assert run("by-ip", other_ip) == []


def test_one_pass_many_hunts_each_event_tested_against_each():
    events = [ev(0, "CreateUser"), ev(1, "CreateAccessKey")] + [ev(m, "X", errorCode="AccessDenied") for m in (2, 3, 4)]
    engine = HuntEngine(HUNTS.hunts)
    hits = engine.feed_all(sorted(events, key=lambda e: e.time, reverse=True))
    tallies = HuntTallies(HUNTS.hunts)
    tallies.add(hits)
    assert {t.hunt.id: t.count for t in tallies.fired()} == {"chain": 2, "burst": 3}


def test_state_stays_bounded(monkeypatch):
    monkeypatch.setattr(engine_module, "MAX_GROUPS", 100)
    monkeypatch.setattr(engine_module, "MAX_EVENTS_PER_GROUP", 50)
    monkeypatch.setattr(engine_module, "SWEEP_EVERY", 64)
    engine = HuntEngine([HUNTS.get("burst"), HUNTS.get("spread")])
    trackers = engine._trackers
    # one principal, a flood of denials inside one window
    for i in range(2000):
        engine.feed(ev(-i / 1000, "GetRole", errorCode="AccessDenied"))
    assert all(len(w.entries) <= 50 for w in trackers[0]._groups.by_key.values())
    # many principals over a long time: quiet groups are swept
    for i in range(5000):
        engine.feed(ev(-i, "GetSecretValue", who=f"p{i}", requestParameters={"secretId": "x"}))
    assert len(trackers[1]._groups.by_key) <= 101


def _write_tree(root: Path, records: list[dict]) -> None:
    day = root / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / "2024" / "05" / "01"
    day.mkdir(parents=True)
    for i in range(0, len(records), 4):
        chunk = records[i:i + 4]
        stamp = max(r["eventTime"] for r in chunk).replace("-", "").replace(":", "")[:13] + "Z"
        name = f"111122223333_CloudTrail_us-east-1_{stamp}_{i:04d}.json.gz"
        (day / name).write_bytes(gzip.compress(orjson.dumps({"Records": chunk})))


async def test_run_hunts_over_a_local_source(tmp_path):
    records = []
    for m in range(40):
        records.append(ev(m, "DescribeInstances").raw)
    records.append(ev(10, "StopLogging", extra_marker=1).raw | {"eventSource": "cloudtrail.amazonaws.com"})
    records.append(ev(30, "DeleteTrail").raw | {"eventSource": "cloudtrail.amazonaws.com"})
    records.sort(key=lambda r: r["eventTime"])
    _write_tree(tmp_path, records)
    source = open_source(str(tmp_path))
    catalogue = load_catalogue()
    steps = []
    try:
        async for step in run_hunts(source, catalogue.hunts, TimeRange(), page_size=5):
            steps.append(step)
    finally:
        await source.close()
    hits = [h for s in steps for h in s.hits]
    assert [h.event.event_name for h in hits] == ["DeleteTrail", "StopLogging"], "newest first"
    assert {h.hunt.id for h in hits} == {"cloudtrail-stopped"}
    assert steps[-1].scanned == 42
    assert steps[-1].candidates == 2, "the source only handed back candidates"

    window = TimeRange(T0 + timedelta(minutes=5), T0 + timedelta(minutes=20))
    source = open_source(str(tmp_path))
    try:
        ranged = [h async for s in run_hunts(source, catalogue.hunts, window) for h in s.hits]
    finally:
        await source.close()
    assert [h.event.event_name for h in ranged] == ["StopLogging"]


def test_hits_carry_raw_events_untouched():
    raw = json.loads(json.dumps({"eventTime": "2024-05-01T12:00:00Z", "eventSource": "cloudtrail.amazonaws.com",
                                 "eventName": "StopLogging", "userIdentity": {"type": "Root"}, "odd": "\x1b[2J"}))
    hits = HuntEngine(load_catalogue().hunts).feed(Event.from_raw(dict(raw)))
    assert hits and all(h.event.raw == raw for h in hits)
