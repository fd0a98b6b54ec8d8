"""CloudTrail Lake against the extended test server, which runs the SQL the
source sends (sqlglot -> DuckDB over a Lake-shaped table)."""

from __future__ import annotations

import pytest
from sources_fixture import (
    REGION,
    calls,
    cancel_reader_once,
    collect,
    fault,
    fixture_events,
    get,
    newest_first_ids,
    seed_lake,
)

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.filters import EventFilter
from trailtui.sources import Query, SourceError, open_source
from trailtui.sources.lake import LakeSource, parse_lake_url

STORE = "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"


def _source(endpoint: str, store: str = STORE) -> LakeSource:
    config = AwsConfig(region=REGION, endpoint_url=endpoint)
    source = LakeSource(f"lake://{store}", config, factory=ClientFactory(config, max_attempts=1))
    source.poll_delays = (0.01,)
    return source


def test_urls():
    assert parse_lake_url(f"lake://{STORE}") == (STORE, None)
    arn = f"arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/{STORE}"
    assert parse_lake_url(f"lake://{arn}") == (STORE, "eu-west-1")
    with pytest.raises(SourceError, match="not an event data store ID"):
        parse_lake_url("lake://x; DROP TABLE y")


async def test_query_pages_and_progress(aws_env):
    events = fixture_events()
    seed_lake(aws_env, STORE, events, polls=3)
    source = _source(aws_env)
    source.page_rows = 20
    text = "userIdentity.type == 'AssumedRole' || readOnly == `false`"
    found, problems, pages = await collect(source, Query(filter=EventFilter.compile(text)))
    expected = [e for e in events if EventFilter.compile(text).matches(e)]
    assert problems == [] and [e.raw["eventID"] for e in found] == newest_first_ids(expected)
    assert len(expected) > 40  # so that it took several result pages
    statuses = [p.status for p in pages if not p.events]
    assert statuses[0] == f"RUNNING {len(events)} events scanned, 0.1 MB"
    results = calls(aws_env, "GetQueryResults")
    assert len(results) == -(-len(expected) // 20)
    assert all(c["params"]["MaxQueryResults"] == 20 for c in results)
    assert [("NextToken" in c["params"]) for c in results] == [False] + [True] * (len(results) - 1)
    (sent,) = calls(aws_env, "StartQuery")
    assert sent["params"]["QueryStatement"].startswith(f"SELECT eventjson AS eventjson FROM {STORE} WHERE ")
    assert pages[-1].progress == 1.0


async def test_injection_runs_nothing_else(aws_env):
    seed_lake(aws_env, STORE, fixture_events())
    found, _, _ = await collect(_source(aws_env), Query(filter=EventFilter.compile("eventName == 'x\\' OR 1=1 --'")))
    assert found == []
    (query,) = get(aws_env, "/moto-api/trailtui/lake/queries")
    assert query["QueryStatus"] == "FINISHED"
    assert query["QueryString"].endswith("WHERE (eventname IS NOT DISTINCT FROM 'x'' OR 1=1 --') "
                                         "ORDER BY eventtime DESC")


async def test_cancelling_the_search_cancels_the_query(aws_env):
    seed_lake(aws_env, STORE, fixture_events(), polls=1000)
    await cancel_reader_once(_source(aws_env), Query(), lambda page: page.status.startswith("RUNNING"))
    (query,) = get(aws_env, "/moto-api/trailtui/lake/queries")
    assert query["QueryStatus"] == "CANCELLED"
    assert [c["params"]["QueryId"] for c in calls(aws_env, "CancelQuery")] == [query["QueryId"]]


async def test_failed_query_is_one_line(aws_env):
    seed_lake(aws_env, STORE, fixture_events(), fail="Query exceeded the maximum bytes scanned")
    with pytest.raises(SourceError, match=r"^lake query [0-9a-f-]{36} FAILED: Query exceeded the maximum bytes"):
        await collect(_source(aws_env), Query())
    assert calls(aws_env, "CancelQuery") == []


@pytest.mark.parametrize("setup,expected", [
    ("missing", f"lake://{STORE}: event data store not found in us-east-1 (check the ID and --region)"),
    ("inactive", f"lake://{STORE}: event data store is not enabled (stopped or pending deletion): "
                 "start ingestion or pick another store"),
    ("closed", "CloudTrail Lake is closed to new customers (since 31 May 2026): use an athena:// or s3:// "
               "source instead"),
    ("denied", f"access denied: StartQuery on lake://{STORE}: User is not authorized to perform: "
               "cloudtrail:StartQuery"),
    ("expired", "AWS credentials expired or invalid (ExpiredTokenException): refresh them (aws sso login, or a "
                "new STS session) and retry"),
])
async def test_errors_are_one_line(aws_env, setup, expected):
    if setup != "missing":
        seed_lake(aws_env, STORE, fixture_events(), status="STOPPED_INGESTION" if setup == "inactive" else "ENABLED")
    if setup == "closed":
        fault(aws_env, "cloudtrail", "StartQuery", "UnsupportedOperationException",
              message="CloudTrail Lake is no longer open to new customers.")
    if setup == "denied":
        fault(aws_env, "cloudtrail", "StartQuery", "AccessDeniedException",
              message="User is not authorized to perform: cloudtrail:StartQuery")
    if setup == "expired":
        fault(aws_env, "cloudtrail", "StartQuery", "ExpiredTokenException", message="The security token is expired")
    with pytest.raises(SourceError) as raised:
        await collect(open_source(f"lake://{STORE}", AwsConfig(region=REGION, endpoint_url=aws_env)), Query())
    assert str(raised.value) == expected


def test_the_test_server_validates_like_aws(aws_env):
    """The extension answers bad requests the way CloudTrail Lake does."""
    import boto3
    from botocore.config import Config

    seed_lake(aws_env, STORE, fixture_events(), polls=1)
    client = boto3.client("cloudtrail", endpoint_url=aws_env, region_name=REGION,
                          config=Config(retries={"total_max_attempts": 1}))
    for statement, code in [(f"DELETE FROM {STORE}", "InvalidQueryStatementException"),
                            ("SELECT eventjson FROM EXAMPLE-unknown-store", "EventDataStoreNotFoundException"),
                            (f"SELECT nosuchcolumn FROM {STORE}", "InvalidQueryStatementException")]:
        with pytest.raises(client.exceptions.ClientError) as raised:
            client.start_query(QueryStatement=statement)
        assert raised.value.response["Error"]["Code"] == code
    query_id = client.start_query(QueryStatement=f"SELECT eventid AS eventid FROM {STORE}")["QueryId"]
    with pytest.raises(client.exceptions.ClientError, match="InvalidMaxResultsException"):
        client.get_query_results(QueryId=query_id, MaxQueryResults=1001)
    assert client.describe_query(QueryId=query_id)["QueryStatus"] == "FINISHED"
    page = client.get_query_results(QueryId=query_id, MaxQueryResults=3)
    assert len(page["QueryResultRows"]) == 3 and list(page["QueryResultRows"][0][0]) == ["eventid"]
    with pytest.raises(client.exceptions.ClientError, match="InactiveQueryException"):
        client.cancel_query(QueryId=query_id)
    with pytest.raises(client.exceptions.ClientError, match="QueryIdNotFoundException"):
        client.describe_query(QueryId="00000000-0000-0000-0000-000000000000")


def test_split_pages_puts_the_counters_on_the_first_page():
    from trailtui.sources.base import split_pages

    pages = list(split_pages([1, 2, 3, 4, 5], 2, scanned=9, problems=["p"], progress=0.5, status="s"))
    assert [p.events for p in pages] == [[1, 2], [3, 4], [5]]
    assert [p.scanned for p in pages] == [9, 0, 0] and [p.problems for p in pages] == [["p"], [], []]
    assert {(p.progress, p.status) for p in pages} == {(0.5, "s")}
    (empty,) = split_pages([], 2, scanned=3)
    assert empty.events == [] and empty.scanned == 3 and empty.problems == []
