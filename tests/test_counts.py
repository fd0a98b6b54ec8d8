"""Counts: keys (null, objects, tuples), ordering, top-N and others, the bounded
counter's error bound once keys overflow it, filters built back from keys, and
the GROUP BY statement's scope."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import jmespath
import pytest
from trail_builder import T0, event

from trailtui.counts import GroupByError, GroupCounter, GroupSpec, key_filter
from trailtui.counts.distinct import DistinctEstimate
from trailtui.counts.keys import key_order
from trailtui.counts.sql import group_statement
from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.sources.pushdown import ATHENA, LAKE
from trailtui.sources.pushdown.timebounds import athena_time
from trailtui.timerange import TimeRange


def count(records, *by, top=None, capacity=100_000):
    spec = GroupSpec.compile(list(by))
    counter = GroupCounter(spec.texts, capacity)
    counter.add_events([Event.from_raw(r) for r in records], spec.key_function())
    return counter.result(top)


def records():
    out = [event(T0 + timedelta(minutes=i), name="Op", sourceIPAddress=ip)
           for i, ip in enumerate(["10.0.0.1"] * 3 + ["10.0.0.2"] * 3 + ["10.0.0.3"] * 5)]
    out.append(event(T0 + timedelta(hours=2), name="Op"))
    del out[-1]["sourceIPAddress"]  # null is its own value
    out.append(event(T0 + timedelta(hours=3), name="Op", sourceIPAddress={"b": 1, "a": [2]}))
    out.append(event(T0 + timedelta(hours=4), name="Op", sourceIPAddress={"a": [2], "b": 1}))
    return out


def test_groups_by_count_then_key_with_first_last_and_others():
    result = count(records(), "ip", top=3)
    assert [g.key for g in result.groups] == [("10.0.0.3",), ("10.0.0.1",), ("10.0.0.2",)]
    assert [g.count for g in result.groups] == [5, 3, 3]
    assert result.events == 14 and result.distinct == 5 and result.others == 3
    data = result.as_json()
    assert set(data) == {"by", "events", "distinct", "groups", "others"}
    assert data["by"] == ["ip"]
    assert data["groups"][0] == {"key": ["10.0.0.3"], "count": 5, "first": "2024-03-01T00:06:00Z",
                                 "last": "2024-03-01T00:10:00Z"}


def test_null_is_a_value_and_objects_count_by_compact_json():
    result = count(records(), "sourceIPAddress")
    keys = {g.key: g.count for g in result.groups}
    assert keys[(None,)] == 1
    assert keys[('{"a":[2],"b":1}',)] == 2  # the same object, keys in either order
    assert result.as_json()["groups"][-1]["key"] in ([None], ['{"a":[2],"b":1}'])


def test_tuples_and_key_order_mixed_types():
    rows = [event(T0, name=n, readOnly=r) for n, r in [("A", True), ("A", True), ("B", None), ("A", 1.5)]]
    result = count(rows, "eventName", "readOnly")
    assert [g.key for g in result.groups] == [("A", True), ("A", 1.5), ("B", None)]
    assert sorted([("b",), (None,), (True,), (3,)], key=key_order) == [(None,), (True,), (3,), ("b",)]


def test_bad_expression_is_one_line_with_its_column():
    with pytest.raises(GroupByError) as caught:
        GroupSpec.compile(["eventName", "userIdentity.[arn"])
    message = str(caught.value)
    assert "\n" not in message and "column" in message


def test_short_names_resolve_to_expressions():
    spec = GroupSpec.compile(["ip", "principal", "key", "event", "source", "account", "region", "error"])
    assert spec.expressions[0] == "sourceIPAddress"
    assert spec.expressions[1].startswith("userIdentity.arn ||")
    assert spec.texts[0] == "ip"


def test_a_bounded_counter_flags_approximation_and_keeps_its_error_bound():
    rng = random.Random(7)
    heavy = {f"hot{i}": 400 - 30 * i for i in range(10)}
    keys = [k for k, n in heavy.items() for _ in range(n)] + [f"cold{i}" for i in range(20_000)]
    rng.shuffle(keys)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = [event(start + timedelta(seconds=i), name=k) for i, k in enumerate(keys)]
    truth = Counter(keys)
    result = count(rows, "eventName", top=10, capacity=500)
    assert result.approximate and result.error_bound > 0
    assert result.as_json()["approximate"] is True and result.as_json()["error_bound"] == result.error_bound
    assert [g.key[0] for g in result.groups] == list(heavy)  # the heavy hitters, in order
    for group in result.groups:
        assert group.count - group.error <= truth[group.key[0]] <= group.count
    assert abs(result.distinct - len(truth)) / len(truth) < 0.05
    exact = count(rows, "eventName", top=10)
    assert not exact.approximate and [g.count for g in exact.groups] == list(heavy.values())


def test_distinct_estimate_is_close():
    estimate = DistinctEstimate()
    for i in range(200_000):
        estimate.add((f"k{i}",))
    assert abs(estimate.estimate() - 200_000) < 200_000 * 0.03


@pytest.mark.parametrize("value", ["it's", "back\\slash", "tick`", "\x1b[31m", None, {"o": ["x"]}, 7])
def test_key_filter_selects_exactly_the_group(value):
    rows = [event(T0, name="X", sourceIPAddress=value), event(T0, name="Y", sourceIPAddress="other")]
    if value is None:
        del rows[0]["sourceIPAddress"]
    spec = GroupSpec.compile(["ip", "eventName"])
    result = count(rows, "ip", "eventName")
    for group in result.groups:
        flt = EventFilter.compile(key_filter(spec, group.key))
        assert [r["eventName"] for r in rows if flt.matches(r)] == [group.key[1]]


def test_sparks_follow_when_events_happened():
    spec = GroupSpec.compile(["eventName"])
    counter = GroupCounter(spec.texts, spark=True)
    rows = [event(T0 + timedelta(hours=h), name="A") for h in range(10)]
    rows += [event(T0 + timedelta(hours=9, minutes=m), name="B") for m in range(5)]
    counter.add_events([Event.from_raw(r) for r in rows], spec.key_function())
    groups = {g.key[0]: g for g in counter.result(None).groups}
    assert sum(groups["A"].bins) == 10 and sum(groups["B"].bins) == 5
    assert groups["B"].bins[-1] == 5 and groups["B"].bins[0] == 0 and groups["A"].bins[0] > 0


def test_group_statement_only_when_exact():
    spec = GroupSpec.compile(["principal", "ip"])
    times = athena_time(TimeRange())
    sql = group_statement('"db"."t"', ATHENA, spec, EventFilter.compile("eventName == 'x'"), times, 20)
    assert sql is not None and "coalesce(nullif(useridentity.arn, '')" in sql and "LIMIT 20" in sql
    assert group_statement("s", LAKE, GroupSpec.compile(["lower(eventName)"]), EventFilter.compile(""),
                           times, 20) is None
    assert group_statement("s", LAKE, spec, EventFilter.compile("regex_match(eventName, 'x')"), times, 20) is None
    injected = group_statement("s", LAKE, spec, EventFilter.compile("eventName == 'x\\' OR 1=1 --'"), times, 20)
    assert injected is not None and "'x'' OR 1=1 --'" in injected


def test_key_function_matches_jmespath():
    spec = GroupSpec.compile(["principal", "requestParameters.bucketName", "length(eventName)"])
    key_of = spec.key_function()
    for raw in records():
        expected = tuple(jmespath.search(e, raw) for e in spec.expressions)
        assert key_of(raw) == expected


async def test_a_local_tree_is_counted_inside_the_scanning_processes(tmp_path):
    from trail_builder import hourly_trail

    from trailtui.counts import count_source
    from trailtui.sources import Query
    from trailtui.sources.local import LocalSource
    from trailtui.sources.scan import FileScanner

    records = hourly_trail(tmp_path, T0, hours=30, per_file=4)
    scanner = FileScanner(workers=2)
    scanner.process_threshold, scanner.pool_delay = 1, 0.0
    assert await scanner.start_workers()
    source = LocalSource(str(tmp_path), scanner=scanner)
    spec = GroupSpec.compile(["region", "eventName"])
    window = TimeRange(T0 + timedelta(hours=3), T0 + timedelta(hours=20))
    query = Query(filter=EventFilter.compile("!starts_with(eventName, 'Op1_')"), time_range=window)
    plain = LocalSource(str(tmp_path))
    try:
        grouped = await count_source(source, spec, query, top=7)
        streamed = await count_source(plain, spec, query, top=7, server=False)
    finally:
        await source.close()
        await plain.close()
    assert scanner.used_pool
    assert grouped.as_json() == streamed.as_json()
    chosen = [r for r in records if query.filter.matches(r) and window.contains(Event.from_raw(r).time)]
    assert grouped.events == len(chosen) and grouped.distinct == len({(r["awsRegion"], r["eventName"]) for r in chosen})


def test_every_output_flags_an_approximation():
    import csv
    import io

    from trailtui.counts.output import json_text, table_lines, write_csv
    from trailtui.counts.result import CountResult, Group

    group = Group(("k",), 10, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC), error=3)
    result = CountResult(("eventID",), events=100, distinct=95, groups=(group,), approximate=True, error_bound=3)
    assert '"approximate": true' in json_text(result) and '"error_bound": 3' in json_text(result)
    assert '"error": 3' in json_text(result)
    lines = table_lines(result)
    assert "10 ±3" in lines[1] and lines[-1].startswith("approximate:") and "at most 3 above" in lines[-1]
    out = io.StringIO()
    write_csv(result, out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][-1] == "error" and rows[1][-1] == "3"
    exact = CountResult(("eventID",), events=10, distinct=1, groups=(Group(("k",), 10, None, None),))
    assert "approximate" not in json_text(exact) and not any("approximate" in line for line in table_lines(exact))


def test_a_key_dropped_and_seen_again_in_the_same_batch_keeps_counting():
    rows = [event(T0 + timedelta(seconds=i), name=n) for i, n in enumerate(["x", "y", "y", "y", "y"])]
    result = count(rows, "eventName", top=5, capacity=1)
    assert result.approximate and result.events == 5
    top = result.groups[0]
    assert top.key == ("y",) and top.count - top.error <= 4 <= top.count


def test_long_keys_stay_within_the_key_budget(monkeypatch):
    import trailtui.counts.counter as counter_module

    monkeypatch.setattr(counter_module, "KEY_CHARS_BUDGET", 200_000)
    rows = [event(T0, name="x" * 5000 + str(i)) for i in range(200)] + [event(T0, name="hot")] * 30
    result = count(rows, "eventName", top=1, capacity=1000)
    assert result.approximate and result.groups[0].key == ("hot",) and result.groups[0].count >= 30


async def test_the_store_counts_with_sql_and_agrees_with_a_plain_count(tmp_path):
    from sources_fixture import fixture_events, trail_objects, write_tree

    from trailtui.counts import count_source
    from trailtui.sources import Query, open_source
    from trailtui.sources.local import LocalSource
    from trailtui.store import locate
    from trailtui.store.build import StoreBuilder
    from trailtui.store.listing import local_listing

    objects, _ = trail_objects(fixture_events())
    tree = tmp_path / "trail"
    write_tree(tree, objects)
    plain = LocalSource(str(tree))
    cases = [(["key"], "", 5), (["ip", "error"], "readOnly == `false`", 10), (["eventName"], "", 3),
             (["lower(eventName)"], "", 3), (["principal"], "", 5),
             (["errorCode"], "eventSource == 'iam.amazonaws.com' || errorCode != `null`", 5)]
    unbuilt = open_source(str(tree), index=True)
    assert (await count_source(unbuilt, GroupSpec.compile(["event"]), Query(), 3)).method == "scan"
    await unbuilt.close()
    report = StoreBuilder(locate(str(tree))).build(local_listing(str(tree)).files, complete=True)
    assert report.files > 0
    indexed = open_source(str(tree), index=True)
    try:
        for by, text, top in cases:
            spec = GroupSpec.compile(by)
            query = Query(filter=EventFilter.compile(text))
            got = await count_source(indexed, spec, query, top)
            want = await count_source(plain, spec, query, top, server=False)
            assert got.as_json() == want.as_json(), by
            assert got.method == ("scan" if by == ["lower(eventName)"] else "store"), by
    finally:
        await indexed.close()
        await plain.close()


def _identity_variants(base: dict) -> list[dict]:
    """Events whose principal comes from each link of `arn || principalId ||
    invokedBy`, with empty strings (falsy: the next link), missing fields and
    values of other types (counted from the raw JSON)."""
    identities = [
        {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"},
        {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"},
        {"type": "AWSAccount", "principalId": "AIDAEXAMPLE", "arn": ""},
        {"type": "AWSAccount", "principalId": "", "arn": "", "invokedBy": "sso.amazonaws.com"},
        {"type": "Unknown"},
        {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "invokedBy": "x.amazonaws.com"},
        {"type": "IAMUser", "arn": 7, "principalId": "AIDAODD"},
        {"type": "AWSService", "invokedBy": {"service": "odd"}},
        {"type": "AWSService", "invokedBy": ""},
    ]
    events = []
    for index, identity in enumerate(identities):
        events.append(dict(base, userIdentity=identity, eventID=f"identity-{index}",
                           eventTime=f"2024-03-01T00:{index:02d}:00Z"))
    events.append({key: value for key, value in base.items() if key != "userIdentity"}
                  | {"eventID": "no-identity", "eventTime": "2024-03-01T00:30:00Z"})
    return events


async def test_the_store_counts_by_principal_with_sql_on_every_identity_shape(tmp_path):
    from sources_fixture import fixture_events, trail_objects, write_tree

    from trailtui.counts import count_source
    from trailtui.sources import Query, open_source
    from trailtui.sources.local import LocalSource
    from trailtui.store import locate
    from trailtui.store.build import StoreBuilder
    from trailtui.store.listing import local_listing

    events = fixture_events()
    objects, _ = trail_objects(events + _identity_variants(events[0]))
    tree = tmp_path / "trail"
    write_tree(tree, objects)
    StoreBuilder(locate(str(tree))).build(local_listing(str(tree)).files, complete=True)
    indexed = open_source(str(tree), index=True)
    plain = LocalSource(str(tree))
    try:
        for by, text in [(["principal"], ""), (["principal"], "userIdentity.type == 'AWSService'"),
                         (["principal", "event"], "errorCode == `null`"), (["type", "principal"], "")]:
            spec = GroupSpec.compile(by)
            query = Query(filter=EventFilter.compile(text))
            got = await count_source(indexed, spec, query, 50)
            want = await count_source(plain, spec, query, 50, server=False)
            assert got.method == "store", (by, text)
            assert got.as_json() == want.as_json(), (by, text)
        services = await count_source(indexed, GroupSpec.compile(["principal"]),
                                      Query(filter=EventFilter.compile("userIdentity.type == 'AWSService'")), 50)
        assert {g.key: g.count for g in services.groups}[("cloudtrail.amazonaws.com",)] == 2
        # a file replaced and indexed again: its old rows stay in the old segment and must not count
        import gzip
        import json

        replaced = sorted(tree.rglob("*.json.gz"))[0]
        replaced.write_bytes(gzip.compress(json.dumps({"Records": _identity_variants(events[1])[:3]}).encode()))
        StoreBuilder(locate(str(tree))).build(local_listing(str(tree)).files, complete=True)
        spec = GroupSpec.compile(["principal"])
        got = await count_source(indexed, spec, Query(), 50)
        assert got.method == "store" and got.as_json() == (await count_source(plain, spec, Query(), 50,
                                                                              server=False)).as_json()
    finally:
        await indexed.close()
        await plain.close()


async def test_the_store_draws_the_consoles_sparks_as_a_streamed_count_does(tmp_path):
    """The console's counts from the store (GROUP BY key, slot) equal a streamed
    `GroupCounter(spark=True)`: counts, first and last seen, and every bar."""
    from sources_fixture import fixture_events, trail_objects, write_tree

    from trailtui.counts.counter import SPARK_BARS
    from trailtui.counts.store import store_count
    from trailtui.sources import Query, open_source
    from trailtui.sources.local import LocalSource
    from trailtui.store import locate
    from trailtui.store.build import StoreBuilder
    from trailtui.store.listing import local_listing

    events = fixture_events()
    objects, _ = trail_objects(events + _identity_variants(events[0]))
    tree = tmp_path / "trail"
    write_tree(tree, objects)
    StoreBuilder(locate(str(tree))).build(local_listing(str(tree)).files, complete=True)
    indexed = open_source(str(tree), index=True)
    plain = LocalSource(str(tree))
    try:
        for by, text in [("principal", ""), ("ip", "readOnly == `false`"), ("event", "userIdentity.type != 'Root'")]:
            spec = GroupSpec.compile([by])
            query = Query(filter=EventFilter.compile(text))
            got = await store_count(indexed, spec, query, 15, spark_bars=SPARK_BARS)
            counter = GroupCounter(spec.texts, spark=True)
            async for page in plain.search(query):
                counter.add_events(page.events, spec.key_function())
            want = counter.result(15, SPARK_BARS)
            assert got is not None and got.method == "store", by
            assert got.groups == want.groups and got.events == want.events, by
            assert any(sum(g.bins) == g.count and len(g.bins) == SPARK_BARS for g in got.groups)
        assert await store_count(indexed, GroupSpec.compile(["ip", "event"]), Query(), 5, spark_bars=SPARK_BARS) is None
    finally:
        await indexed.close()
        await plain.close()
