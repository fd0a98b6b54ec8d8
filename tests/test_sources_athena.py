"""Athena through PyAthena's asyncio cursor against the moto server.  moto
does not run SQL: each test computes the rows Athena would return by running
the source's own SQL over the CloudTrail table (tests/athena_sim.py) and seeds
the server with them, then checks the source sent exactly that SQL."""

from __future__ import annotations

import athena_sim
import boto3
import pytest
from sources_fixture import (
    REGION,
    calls,
    cancel_reader_once,
    collect,
    fault,
    fixture_events,
    newest_first_ids,
    post,
    trail_objects,
    upload,
)

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.cli import main
from trailtui.events import parse_event_time
from trailtui.filters import EventFilter
from trailtui.sources import Query, SourceError
from trailtui.sources.athena import AthenaSource, athena_statement, parse_athena_url
from trailtui.timerange import TimeRange

URL = "athena://trailwg/trails.cloudtrail_logs"


def _setup(endpoint: str) -> None:
    boto3.client("athena", endpoint_url=endpoint, region_name=REGION).create_work_group(
        Name="trailwg", Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/q/"}})


def _source(endpoint: str, url: str = URL) -> AthenaSource:
    config = AwsConfig(region=REGION, endpoint_url=endpoint)
    source = AthenaSource(url, config, factory=ClientFactory(config, max_attempts=1))
    source.poll_interval = 0.02
    return source


def _seed_for(endpoint: str, query: Query, events, partitions, with_partitions: bool = True) -> str:
    sql, _ = athena_statement("trails", "cloudtrail_logs", query, with_partitions)
    names, rows = athena_sim.run(sql, events, partitions, "trails", "cloudtrail_logs")
    post(endpoint, "/moto-api/static/athena/query-results", athena_sim.seed_body(names, rows))
    return sql


def _sent_queries(endpoint: str) -> list[str]:
    return [c["params"]["QueryString"] for c in calls(endpoint, "StartQueryExecution")]


def test_urls():
    assert parse_athena_url(URL) == ("trailwg", "trails", "cloudtrail_logs", None)
    assert parse_athena_url("athena://wg/db.t?output=s3://res/x/")[3] == "s3://res/x/"
    for bad in ("athena://wg/db", "athena://wg/db.t;drop", "athena://w g/db.t", "athena://wg/db.t?output=http://x"):
        with pytest.raises(SourceError):
            parse_athena_url(bad)


async def test_rows_become_cloudtrail_records(aws_env):
    _setup(aws_env)
    events = fixture_events()
    _, partitions = trail_objects(events)
    originals = {e["eventID"]: e for e in events}
    for text, window, limit in [
        ("", TimeRange(), None),
        ("userIdentity.type == 'AssumedRole' && cidr_match(sourceIPAddress, '0.0.0.0/0')", TimeRange(), 4),
        ("readOnly == `false`", TimeRange.parse("-30h", "-2h"), None),
    ]:
        query = Query(filter=EventFilter.compile(text), time_range=window, limit=limit)
        sql = _seed_for(aws_env, query, events, partitions)
        found, problems, _ = await collect(_source(aws_env), query)
        expected = [e for e in events if query.filter.matches(e)
                                    and window.contains(parse_event_time(e["eventTime"]))]
        assert problems == [] and [e.raw["eventID"] for e in found] == newest_first_ids(expected)[:limit]
        assert _sent_queries(aws_env)[-1] == sql
        for event in found:
            original = originals[event.raw["eventID"]]
            for name in ("eventTime", "eventName", "eventSource", "sourceIPAddress", "requestParameters",
                         "responseElements", "readOnly", "errorCode", "tlsDetails"):
                assert event.raw.get(name) == original.get(name), name
            identity, original_identity = event.raw.get("userIdentity", {}), original.get("userIdentity") or {}
            for name in ("type", "arn", "accessKeyId", "userName", "principalId"):
                assert identity.get(name) == original_identity.get(name), name
            issuer = original_identity.get("sessionContext", {}).get("sessionIssuer")
            if issuer:
                assert identity["sessionContext"]["sessionIssuer"] == issuer
            assert [r["ARN"] for r in event.raw.get("resources", [])] == \
                [r["ARN"] for r in original.get("resources") or []]


async def test_workgroup_problems_are_one_line(aws_env):
    with pytest.raises(SourceError) as raised:
        await collect(_source(aws_env, "athena://primary/trails.cloudtrail_logs"), Query())
    assert str(raised.value) == ("athena workgroup primary has no query result location: set one in the workgroup, "
                                 "or add ?output=s3://BUCKET/PREFIX/ to the source URL")
    found, _, _ = await collect(_source(aws_env, "athena://primary/trails.cloudtrail_logs?output=s3://results/q/"),
                                Query())
    assert found == [] and len(_sent_queries(aws_env)) == 1
    fault(aws_env, "athena", "GetWorkGroup", "InvalidRequestException", message="WorkGroup nope is not found.")
    with pytest.raises(SourceError, match="^athena workgroup nope not found: check the name and --region$"):
        await collect(_source(aws_env, "athena://nope/trails.cloudtrail_logs"), Query())


@pytest.mark.parametrize("reason,expected", [
    ("TABLE_NOT_FOUND: line 1:900: Table 'awsdatacatalog.trails.cloudtrail_logs' does not exist",
     "athena table trails.cloudtrail_logs not found (workgroup trailwg): create it with `trailtui athena-ddl`"),
    ("HIVE_BAD_DATA: Error parsing field value '\x1b[31m' for field 3",
     "athena query FAILED: HIVE_BAD_DATA: Error parsing field value '\\x1b[31m' for field 3"),
])
async def test_failed_queries_are_one_line(aws_env, reason, expected):
    _setup(aws_env)
    fault(aws_env, "athena", "QueryFails", message=reason)
    with pytest.raises(SourceError) as raised:
        await collect(_source(aws_env), Query())
    assert str(raised.value) == expected


async def test_table_without_the_timestamp_partition_is_queried_without_it(aws_env):
    _setup(aws_env)
    events = fixture_events()
    _, partitions = trail_objects(events)
    query = Query(time_range=TimeRange.parse("-20h", None))
    fault(aws_env, "athena", "QueryFails",
          message="COLUMN_NOT_FOUND: line 1:1020: Column 'timestamp' cannot be resolved")
    post(aws_env, "/moto-api/static/athena/query-results", athena_sim.seed_body([], []))  # the failing query's
    _seed_for(aws_env, query, events, partitions, with_partitions=False)
    found, _, _ = await collect(_source(aws_env), query)
    first, second = _sent_queries(aws_env)
    assert '"timestamp" >=' in first and '"timestamp"' not in second and "eventtime >=" in second
    assert len(found) > 10


async def test_start_denied_is_one_line(aws_env):
    _setup(aws_env)
    fault(aws_env, "athena", "StartQueryExecution", "AccessDeniedException",
          message="User is not authorized to perform: athena:StartQueryExecution")
    with pytest.raises(SourceError) as raised:
        await collect(_source(aws_env), Query())
    assert str(raised.value) == ("access denied: StartQueryExecution on athena://trailwg/trails.cloudtrail_logs: "
                                 "User is not authorized to perform: athena:StartQueryExecution")


async def test_cancelling_the_search_stops_the_query(aws_env):
    _setup(aws_env)
    transition = {"model_name": "athena::execution", "transition": {"progression": "manual", "times": 1000}}
    post(aws_env, "/moto-api/state-manager/set-transition", transition)
    try:
        await cancel_reader_once(_source(aws_env), Query(), lambda page: not page.events)
    finally:
        post(aws_env, "/moto-api/state-manager/unset-transition", {"model_name": "athena::execution"})
    (stop,) = calls(aws_env, "StopQueryExecution")
    athena = boto3.client("athena", endpoint_url=aws_env, region_name=REGION)
    state = athena.get_query_execution(QueryExecutionId=stop["params"]["QueryExecutionId"])
    assert state["QueryExecution"]["Status"]["State"] == "CANCELLED"


def test_athena_ddl_command(aws_env, capsys):
    objects, _ = trail_objects(fixture_events()[:6])
    upload(aws_env, "trail-bucket", objects)
    code = main(["athena-ddl", "--bucket", "trail-bucket", "--prefix", "trail", "--org-id", "o-abc123def4",
                 "--table", "audit.ct", "--endpoint-url", aws_env, "--region", REGION])
    out = capsys.readouterr().out
    accounts = sorted({key.split("/")[3] for key in objects})
    regions = sorted({key.split("/")[5] for key in objects})
    assert code == 0 and out.startswith("CREATE EXTERNAL TABLE audit.ct (\n    eventversion STRING,")
    assert f"'projection.account.values'='{','.join(accounts)}'" in out
    assert f"'projection.region.values'='{','.join(regions)}'" in out
    assert "LOCATION 's3://trail-bucket/trail/AWSLogs/o-abc123def4/'" in out
    assert ("'storage.location.template'='s3://trail-bucket/trail/AWSLogs/o-abc123def4/${account}/CloudTrail/"
            "${region}/${timestamp}'") in out
    assert "PARTITIONED BY (account string, region string, `timestamp` string)" in out and out.endswith(");\n")
    assert athena_sim.ddl_columns()[0] == ("eventversion", "string")  # the test table is this DDL's


def test_athena_ddl_rejects_what_cannot_go_in_sql(capsys):
    assert main(["athena-ddl", "--bucket", "b'; DROP", "--no-discover"]) == 2
    assert main(["athena-ddl", "--bucket", "bucket", "--account", "12345", "--no-discover"]) == 2
    err = capsys.readouterr().err
    assert "--bucket \"b'; DROP\" is not valid here" in err and "--account '12345' is not valid here" in err
    assert main(["athena-ddl", "--bucket", "bucket", "--account", "111122223333", "--regions", "eu-west-1",
                 "--no-discover"]) == 0
    assert "'projection.region.values'='eu-west-1'" in capsys.readouterr().out


def test_athena_ddl_without_discovery_projects_every_region_and_an_injected_account(capsys):
    assert main(["athena-ddl", "--bucket", "bucket", "--no-discover"]) == 0
    captured = capsys.readouterr()
    regions = next(line for line in captured.out.splitlines() if "'projection.region.values'" in line)
    assert "us-east-1" in regions and "eu-west-1" in regions and "ap-southeast-2" in regions
    assert "'projection.account.type'='injected'" in captured.out
    assert "every query must say WHERE account = '123456789012'" in captured.err


async def test_pyathena_clients_are_guarded_by_the_allow_list(aws_env):
    from trailtui.aws.allowlist import OperationNotAllowed

    connection = await _source(aws_env)._connect()
    try:
        with pytest.raises(OperationNotAllowed):
            connection.client.delete_work_group(WorkGroup="primary")
        with pytest.raises(OperationNotAllowed):
            connection.session.client("s3", endpoint_url=aws_env).delete_bucket(Bucket="athena-results")
        assert connection.client.get_work_group(WorkGroup="primary")["WorkGroup"]["Name"] == "primary"
    finally:
        connection.close()
