"""LookupEvents against the extended test server: one attribute, 50 a page,
90 days, 2 requests a second, errors in one line."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sources_fixture import REGION, calls, collect, fault, fixture_events, newest_first_ids, seed_lookup

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.filters import EventFilter
from trailtui.sources import Query, SourceError, open_source
from trailtui.sources.lookup import LookupSource, lookup_window
from trailtui.sources.ratelimit import LOOKUP_LIMITS, RateLimits, TokenBucket
from trailtui.timerange import TimeRange

FAST = RateLimits(rate=1000.0, burst=1000.0)  # for tests about something else than the rate


def _source(endpoint: str, attempts: int = 1, limits: RateLimits | None = FAST) -> LookupSource:
    config = AwsConfig(endpoint_url=endpoint)
    return LookupSource(f"lookup://{REGION}", config, factory=ClientFactory(config, max_attempts=attempts),
                        limits=limits)


def _management(events):
    return [e for e in events if e.get("managementEvent") is not False and e.get("eventCategory") != "Data"]


def test_token_bucket_waits_for_tokens():
    now = [0.0]
    bucket = TokenBucket(rate=2.0, burst=2.0, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(4)] == [0.0, 0.0, 0.5, 1.0]
    now[0] = 10.0
    assert bucket.reserve() == 0.0
    assert LookupSource("lookup://eu-west-1", AwsConfig())._limits is LOOKUP_LIMITS


def test_urls_and_the_90_day_window():
    with pytest.raises(SourceError, match="not a region"):
        LookupSource("lookup://Not A Region", AwsConfig())
    now = datetime(2026, 6, 1, tzinfo=UTC)
    start, end, note = lookup_window(Query(time_range=TimeRange(now - timedelta(days=200), now + timedelta(days=1))),
                                     now)
    assert (start, end) == (now - timedelta(days=90), now) and "90 days" in note
    start, end, note = lookup_window(Query(time_range=TimeRange(now - timedelta(days=2), None)), now)
    assert (start, end, note) == (now - timedelta(days=2), now, "")


async def test_attribute_paging_and_client_side_filter(aws_env):
    events = fixture_events()
    seed_lookup(aws_env, events)
    text = "eventName == 'AssumeRole' && contains(userIdentity.arn, 'stratus')"
    found, problems, pages = await collect(_source(aws_env), Query(filter=EventFilter.compile(text)))
    expected = [e for e in _management(events) if EventFilter.compile(text).matches(e)]
    assert problems == [] and [e.raw["eventID"] for e in found] == newest_first_ids(expected)
    sent = calls(aws_env, "LookupEvents")
    assert all(c["params"]["LookupAttributes"] == [{"AttributeKey": "EventName", "AttributeValue": "AssumeRole"}]
               for c in sent)
    everything, _, pages = await collect(_source(aws_env), Query())
    assert [e.raw["eventID"] for e in everything] == newest_first_ids(_management(events))
    requests = calls(aws_env, "LookupEvents")[len(sent):]
    assert len(requests) == len(pages) == -(-len(_management(events)) // 50) >= 2
    assert all(c["params"]["MaxResults"] == 50 for c in requests)
    assert "NextToken" not in requests[0]["params"] and all("NextToken" in c["params"] for c in requests[1:])
    assert "LookupAttributes" not in requests[0]["params"]
    start = datetime.fromtimestamp(requests[0]["params"]["StartTime"], UTC)
    assert abs(start - (datetime.now(UTC) - timedelta(days=90))) < timedelta(minutes=1)


async def test_two_requests_a_second_per_account_and_region(aws_env):
    events = fixture_events()
    seed_lookup(aws_env, events * 3)  # the same events thrice: more pages
    source = _source(aws_env, limits=RateLimits(rate=2.0, burst=2.0))
    began = time.monotonic()
    found, _, pages = await collect(source, Query(limit=200))
    took = time.monotonic() - began
    stamps = [c["time"] for c in calls(aws_env, "LookupEvents")]
    assert len(stamps) == len(pages) == 4 and len(found) == 200
    # 2 at once, then one per 0.5 s: the last request cannot leave before 1 s after the first. The server's
    # arrival stamps only bound it from above (a loaded host can delay the first arrival), so they must
    # at least be in order and the client's own clock gives the lower bound.
    assert took >= 0.9 and stamps == sorted(stamps)


async def test_throttling_is_retried_then_reported_in_one_line(aws_env):
    seed_lookup(aws_env, fixture_events())
    fault(aws_env, "cloudtrail", "LookupEvents", "ThrottlingException", times=1, message="Rate exceeded")
    found, _, _ = await collect(_source(aws_env, attempts=3),
                                Query(filter=EventFilter.compile("eventName == 'ConsoleLogin'")))
    assert len(found) == 1 and len(calls(aws_env, "LookupEvents")) == 2
    fault(aws_env, "cloudtrail", "LookupEvents", "ThrottlingException", times=10, message="Rate exceeded")
    with pytest.raises(SourceError) as raised:
        await collect(_source(aws_env, attempts=2), Query())
    assert str(raised.value) == ("throttled by AWS (ThrottlingException) on LookupEvents on lookup://us-east-1 "
                                 "after retries: try again, or narrow the time range")


@pytest.mark.parametrize("code,message,expected", [
    ("AccessDeniedException", "User: arn:aws:iam::123456789012:user/x is not authorized to perform: "
     "cloudtrail:LookupEvents", "access denied: LookupEvents on lookup://us-east-1: User: "
     "arn:aws:iam::123456789012:user/x is not authorized to perform: cloudtrail:LookupEvents"),
    ("ExpiredTokenException", "The security token included in the request is expired",
     "AWS credentials expired or invalid (ExpiredTokenException): refresh them (aws sso login, or a new STS "
     "session) and retry"),
])
async def test_denied_and_expired_are_one_line(aws_env, code, message, expected):
    seed_lookup(aws_env, fixture_events())
    fault(aws_env, "cloudtrail", "LookupEvents", code, message=message)
    with pytest.raises(SourceError) as raised:
        await collect(open_source(f"lookup://{REGION}", AwsConfig(endpoint_url=aws_env)), Query())
    assert str(raised.value) == expected


def test_the_test_server_validates_like_aws(aws_env):
    """The extension answers bad requests the way LookupEvents does."""
    import boto3
    from botocore.config import Config

    seed_lookup(aws_env, fixture_events())
    client = boto3.client("cloudtrail", endpoint_url=aws_env, region_name=REGION,
                          config=Config(retries={"total_max_attempts": 1}))
    two = [{"AttributeKey": "EventName", "AttributeValue": "A"}, {"AttributeKey": "Username", "AttributeValue": "b"}]
    for kwargs, code in [({"LookupAttributes": two}, "InvalidLookupAttributesException"),
                         ({"MaxResults": 51}, "InvalidMaxResultsException"),
                         ({"NextToken": "bm90IGEgdG9rZW4="}, "InvalidNextTokenException"),
                         ({"StartTime": datetime(2026, 2, 1), "EndTime": datetime(2026, 1, 1)},
                          "InvalidTimeRangeException")]:
        with pytest.raises(client.exceptions.ClientError) as raised:
            client.lookup_events(**kwargs)
        assert raised.value.response["Error"]["Code"] == code
    first = client.lookup_events(MaxResults=5)
    with pytest.raises(client.exceptions.ClientError, match="InvalidNextTokenException"):
        client.lookup_events(MaxResults=5, NextToken=first["NextToken"],
                             LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "true"}])
    pages = list(client.get_paginator("lookup_events").paginate(PaginationConfig={"PageSize": 50}))
    assert sum(len(p["Events"]) for p in pages) == len(_management(fixture_events()))
