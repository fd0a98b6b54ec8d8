"""The same filters over the same events through every source give the same
rows, newest first: local files, S3, Athena, CloudTrail Lake and LookupEvents.

Each source pushes a different part of the filter to a different server (S3
only prunes by date; Athena and Lake get SQL; LookupEvents one attribute), so
this is what shows pushdown only ever narrows what the client re-checks.
Athena's rows are computed from the same events by running the source's SQL
over the CloudTrail table (tests/athena_sim.py); Lake's SQL runs inside the
test server; LookupEvents answers from the seeded Event history, which like
AWS's holds management events only, so its expected rows leave data events out.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import athena_sim
import boto3
from sources_fixture import (
    PREFIX,
    REGION,
    collect,
    fixture_events,
    post,
    seed_lake,
    seed_lookup,
    trail_objects,
    upload,
    write_tree,
)

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.counts import GroupSpec, count_source
from trailtui.counts.keys import key_order, key_part
from trailtui.counts.result import iso
from trailtui.counts.server import server_statement
from trailtui.events import parse_event_time
from trailtui.filters import EventFilter
from trailtui.filters.expression import search
from trailtui.sources import Query, open_source
from trailtui.sources.athena import athena_statement
from trailtui.sources.lookup import LookupSource
from trailtui.sources.ratelimit import RateLimits
from trailtui.timerange import TimeRange

STORE = "EXAMPLE-0000-4e8f-8bd1-differential"


def _cases(events):
    times = sorted(parse_event_time(e["eventTime"]) for e in events)
    keys = Counter(e.get("userIdentity", {}).get("accessKeyId") for e in events if e.get("userIdentity"))
    key = next(k for k, _ in keys.most_common() if k)
    user = next(e["userIdentity"]["userName"] for e in events if e.get("userIdentity", {}).get("type") == "IAMUser")
    event_id = events[len(events) // 2]["eventID"]
    middle = TimeRange(times[20], times[60])  # bounds fall exactly on events: both ends inclusive
    recent = TimeRange(times[-15] - timedelta(seconds=1), None)
    return [
        ("", TimeRange(), None),
        ("", middle, None),
        ("", TimeRange(), 7),
        ("eventName == 'ConsoleLogin'", TimeRange(), None),
        ("userIdentity.type == 'AssumedRole'", TimeRange(), None),
        ("contains(userIdentity.arn, 'stratus') && errorCode == `null`", middle, None),
        ("errorCode != `null`", TimeRange(), None),
        ("eventSource == 'iam.amazonaws.com' && !readOnly", TimeRange(), None),
        ("starts_with(eventName, 'Get') || ends_with(eventName, 'Instances')", TimeRange(), 5),
        ("sourceIPAddress != 'AWS Internal' && eventName != 'AssumeRole'", recent, None),
        ("cidr_match(sourceIPAddress, '0.0.0.0/1') || icontains(userAgent, 'BOTO3')", TimeRange(), None),
        ("readOnly == `false`", middle, 3),
        (f"userIdentity.accessKeyId == '{key}'", TimeRange(), None),
        (f"userIdentity.userName == '{user}' && readOnly == `false`", TimeRange(), None),
        (f"eventID == '{event_id}'", TimeRange(), None),
        ("requestParameters.bucketName != `null` || requestParameters.roleName == 'stratus-red-team-ec2-role'",
         TimeRange(), None),
        ("eventTime >= '" + times[70].strftime("%Y-%m-%dT%H:%M:%SZ") + "' && eventType == 'AwsApiCall'",
         TimeRange(), None),
        ("eventName == 'x\\' OR 1=1 --'", TimeRange(), None),
    ]


def _expected(events, text, window, limit):
    flt = EventFilter.compile(text)
    chosen = [e for e in events if flt.matches(e) and window.contains(parse_event_time(e["eventTime"]))]
    chosen.sort(key=lambda e: e["eventTime"], reverse=True)
    return [e["eventID"] for e in chosen][:limit]


def _management(events):
    return [e for e in events if e.get("managementEvent") is not False and e.get("eventCategory") != "Data"]


def _every_source(aws_env, tmp_path, events):
    """The events as a local tree, an S3 trail, an Athena table, a Lake event
    data store and Event history; (sources by name, Athena partitions)."""
    objects, partitions = trail_objects(events)
    write_tree(tmp_path, objects)
    upload(aws_env, "diff-trail", objects)
    seed_lake(aws_env, STORE, events, polls=1)
    seed_lookup(aws_env, events)
    boto3.client("athena", endpoint_url=aws_env, region_name=REGION).create_work_group(
        Name="diffwg", Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/q/"}})
    config = AwsConfig(region=REGION, endpoint_url=aws_env)
    factory = ClientFactory(config, max_attempts=1)
    athena = open_source("athena://diffwg/trails.cloudtrail_logs", config)
    athena.poll_interval = 0.02
    lake = open_source(f"lake://{STORE}", config)
    lake.poll_delays = (0.01,)
    lookup = LookupSource(f"lookup://{REGION}", config, factory=factory, limits=RateLimits(rate=1000, burst=1000))
    sources = {"local": open_source(str(tmp_path)), "s3": open_source(f"s3://diff-trail/{PREFIX}", config),
               "athena": athena, "lake": lake, "lookup": lookup}
    return sources, partitions


async def test_every_source_returns_the_same_rows(aws_env, tmp_path):
    events = fixture_events()
    sources, partitions = _every_source(aws_env, tmp_path, events)
    local, s3, athena, lake, lookup = (sources[n] for n in ("local", "s3", "athena", "lake", "lookup"))
    cases = _cases(events)
    nonempty = 0
    for text, window, limit in cases:
        expected = _expected(events, text, window, limit)
        nonempty += bool(expected)
        query = Query(filter=EventFilter.compile(text), time_range=window, limit=limit)
        sql, _ = athena_statement("trails", "cloudtrail_logs", query)
        post(aws_env, "/moto-api/static/athena/query-results",
             athena_sim.seed_body(*athena_sim.run(sql, events, partitions, "trails", "cloudtrail_logs")))
        got = {}
        for name, source in (("local", local), ("s3", s3), ("athena", athena), ("lake", lake)):
            found, problems, _ = await collect(source, query)
            assert problems == [], (name, text)
            got[name] = [e.raw["eventID"] for e in found]
        for name, ids in got.items():
            assert ids == expected, f"{name} differs for {text!r} {window} limit={limit}"
        found, _, _ = await collect(lookup, query)
        assert [e.raw["eventID"] for e in found] == _expected(_management(events), text, window, limit), text
    assert nonempty >= len(cases) - 2  # the cases select something (all but the injection)
    await local.close()


def _count_cases(events):
    times = sorted(parse_event_time(e["eventTime"]) for e in events)
    middle = TimeRange(times[20], times[60])
    return [
        (["principal"], "", TimeRange(), 5),
        (["ip", "event"], "readOnly == `false`", TimeRange(), 10),
        (["error"], "", middle, 20),
        (["userIdentity.sessionContext.sessionIssuer.userName", "region"], "eventName != 'AssumeRole'",
         TimeRange(), 3),
        (["source"], "contains(userIdentity.arn, 'stratus')", TimeRange(), 0),
        (["eventSource"], "regex_match(eventName, '^(Get|List)')", TimeRange(), 4),  # filter runs client-side
        (["requestParameters.bucketName"], "", TimeRange(), 6),  # no string column: streamed
        (["lower(eventName)", "type"], "", middle, 5),  # not a column: streamed
        (["userIdentity"], "eventName == 'x\\' OR 1=1 --'", TimeRange(), 5),
    ]


def _expected_counts(events, by, text, window, top):
    """The reference: jmespath over the raw events, grouped in plain Python."""
    spec = GroupSpec.compile(by)
    flt = EventFilter.compile(text)
    groups = {}
    for raw in events:
        when = parse_event_time(raw["eventTime"])
        if not (flt.matches(raw) and window.contains(when)):
            continue
        key = tuple(key_part(search(expression, raw)) for expression in spec.expressions)
        count, first, last = groups.get(key, (0, when, when))
        groups[key] = (count + 1, min(first, when), max(last, when))
    ordered = sorted(groups.items(), key=lambda item: (-item[1][0], key_order(item[0])))[:top]
    listed = [{"key": list(k), "count": c, "first": iso(f), "last": iso(la)} for k, (c, f, la) in ordered]
    total = sum(c for c, _, _ in groups.values())
    return {"by": by, "events": total, "distinct": len(groups), "groups": listed,
            "others": total - sum(g["count"] for g in listed)}


async def test_every_source_gives_the_same_counts(aws_env, tmp_path):
    events = fixture_events()
    sources, partitions = _every_source(aws_env, tmp_path, events)
    served = set()
    for by, text, window, top in _count_cases(events):
        spec = GroupSpec.compile(by)
        query = Query(filter=EventFilter.compile(text), time_range=window)
        expected = _expected_counts(events, by, text, window, top)
        athena = sources["athena"]
        statement = server_statement(athena, spec, query, top)
        if statement is None:
            statement, _ = athena_statement("trails", "cloudtrail_logs", query)
        post(aws_env, "/moto-api/static/athena/query-results",
             athena_sim.seed_body(*athena_sim.run(statement, events, partitions, "trails", "cloudtrail_logs")))
        for name, source in sources.items():
            result = await count_source(source, spec, query, top)
            wanted = expected if name != "lookup" else _expected_counts(_management(events), by, text, window, top)
            assert result.as_json() == wanted, f"{name} differs for --by {by} --filter {text!r} {window} --top {top}"
            if result.method != "scan":
                served.add((name, tuple(by)))
    # The server answered wherever every --by is a string column and the filter is exact.
    assert {("athena", ("principal",)), ("lake", ("principal",)), ("lake", ("ip", "event")),
            ("athena", ("error",)), ("lake", ("source",))} <= served
    assert not {name for name, by in served if by in (("requestParameters.bucketName",), ("eventSource",),
                                                      ("lower(eventName)", "type"))}
    await sources["local"].close()
