"""`lookup://REGION` with `--accounts`/`--role-name`: Event history of every
account merged newest first, each account within its own rate limit, an
account that cannot be reached or fails is one problem line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from org_fixture import AUDIT_ROLE, MANAGEMENT, REGION, build_organisation
from sources_fixture import calls, collect, fault, post

from trailtui.aws.account_scope import AccountScope
from trailtui.aws.config import AwsConfig
from trailtui.cli import main
from trailtui.filters import EventFilter
from trailtui.sources import Query, SourceError, open_source
from trailtui.sources.lookup_accounts import AccountsLookupSource
from trailtui.sources.ratelimit import RateLimits

FAST = RateLimits(rate=1000.0, burst=1000.0)


def history(account: str, count: int, offset_seconds: int, every_seconds: int = 60) -> list[dict[str, Any]]:
    """`count` events of `account`, one every `every_seconds`, the newest `offset_seconds` + 1 h ago."""
    newest = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1, seconds=offset_seconds)
    return [{
        "eventVersion": "1.08", "eventID": f"{account}-{n:04d}", "eventName": "GetObject" if n % 3 else "ConsoleLogin",
        "eventSource": "s3.amazonaws.com", "awsRegion": REGION, "recipientAccountId": account, "readOnly": True,
        "eventTime": (newest - timedelta(seconds=every_seconds * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "userIdentity": {"type": "IAMUser", "accountId": account, "userName": f"user-{account[-4:]}"},
    } for n in range(count)]


def seed(endpoint: str, account: str, events: list[dict[str, Any]]) -> None:
    post(endpoint, "/moto-api/trailtui/lookup-events", {"region": REGION, "account_id": account, "events": events})


def newest_first(events: list[dict[str, Any]]) -> list[str]:
    return [e["eventID"] for e in sorted(events, key=lambda e: (e["eventTime"], e["eventID"]), reverse=True)]


def source(endpoint: str, accounts: tuple[str, ...] = (), limits: RateLimits = FAST) -> AccountsLookupSource:
    aws = AwsConfig(region=REGION, endpoint_url=endpoint, accounts=AccountScope(AUDIT_ROLE, accounts))
    return AccountsLookupSource(f"lookup://{REGION}", aws, limits=limits)


@pytest.fixture
def org(aws_env):
    """Three members (the third without the audit role) and Event history in every account."""
    org = build_organisation(aws_env, members=3, audit_role_in=(0, 1))
    first, second, missing = org.members
    org.events = {  # interleaved in time: 20 s apart per account, accounts 7 s apart from each other
        MANAGEMENT: history(MANAGEMENT, 60, 0, 20), first: history(first, 130, 7, 20),
        second: history(second, 70, 14, 20), missing: history(missing, 10, 3, 20)}
    for account, events in org.events.items():
        seed(aws_env, account, events)
    return org


async def test_every_account_merged_newest_first_missing_role_one_problem(org):
    first, second, missing = org.members
    found, problems, pages = await collect(source(org.endpoint), Query())
    expected = org.events[MANAGEMENT] + org.events[first] + org.events[second]
    assert [e.raw["eventID"] for e in found] == newest_first(expected)
    assert {e.raw["recipientAccountId"] for e in found} == {MANAGEMENT, first, second}  # each from its own history
    assert len(problems) == 1
    assert str(problems[0]) == (f"lookup://{REGION} account {missing} (member-2): cannot assume "
                                f"arn:aws:iam::{missing}:role/{AUDIT_ROLE}: access denied (the role is missing, or "
                                "its trust policy does not let this caller assume it): User: "
                                f"arn:aws:iam::{MANAGEMENT}:user/caller is not authorized to perform: sts:AssumeRole "
                                f"on resource: arn:aws:iam::{missing}:role/{AUDIT_ROLE}")
    assert pages[-1].progress == 1.0


async def test_limit_and_client_side_filter_across_accounts(org):
    first, second, _ = org.members
    text = "eventName == 'ConsoleLogin'"
    found, _, _ = await collect(source(org.endpoint, (first, second)), Query(filter=EventFilter.compile(text),
                                                                            limit=25))
    expected = [e for e in org.events[first] + org.events[second] if e["eventName"] == "ConsoleLogin"]
    assert [e.raw["eventID"] for e in found] == newest_first(expected)[:25]


async def test_each_account_keeps_its_own_two_requests_a_second(org):
    first, second, _ = org.members
    limits = RateLimits(rate=1.0, burst=1.0)  # slower than AWS's 2/s so that timing shows through a loaded machine
    found, problems, _ = await collect(source(org.endpoint, (first, second, MANAGEMENT), limits), Query())
    assert problems == [] and len(found) == 60 + 130 + 70
    assert set(limits._buckets) == {(MANAGEMENT, REGION), (first, REGION), (second, REGION)}
    sent = calls(org.endpoint, "LookupEvents")
    per_account = {a: [c["time"] for c in sent if c["account"] == a] for a in (MANAGEMENT, first, second)}
    assert {a: len(t) for a, t in per_account.items()} == {MANAGEMENT: 2, first: 3, second: 2}
    # each request waited for its account's token, 1 s apart when taken; measured where the server sees them, from
    # the second (a new client's first request spends part of its wait connecting, after the token was taken) and
    # with 0.25 s for the time a loaded machine takes between taking a token and the request arriving
    assert per_account[first][2] - per_account[first][1] >= 0.75, per_account
    # accounts do not share a bucket: one shared bucket would hold the third account's first request >= 2 s
    firsts = sorted(t[0] for t in per_account.values())
    assert firsts[-1] - firsts[0] < 1.5, per_account


async def test_an_account_failing_mid_search_is_one_line_and_the_rest_go_on(org):
    first, second, _ = org.members
    fault(org.endpoint, "cloudtrail", "LookupEvents", "AccessDeniedException", times=1,
          message="not authorized to perform: cloudtrail:LookupEvents")
    found, problems, _ = await collect(source(org.endpoint, (first, second)), Query())
    assert len(problems) == 1
    failed = first if f"account {first}" in problems[0].location else second
    other = second if failed == first else first
    assert problems[0].message == ("access denied: LookupEvents: not authorized to perform: "
                                   "cloudtrail:LookupEvents")
    assert [e.raw["eventID"] for e in found] == newest_first(org.events[other])


async def test_keys_are_reused_across_searches_and_close_forgets_them(org):
    first, _, _ = org.members
    lookup = source(org.endpoint, (first,))
    reached = await lookup.accounts()
    assert await lookup.accounts() is reached  # a hunt's many searches assume each role once
    await lookup.close()
    assert await lookup.accounts() is not reached


def test_cli_query_merges_accounts_and_warns_once_per_missing_account(org, capsys):
    first, second, missing = org.members
    code = main(["query", f"lookup://{REGION}", "--accounts", "all", "--role-name", AUDIT_ROLE, "--endpoint-url",
                 org.endpoint, "--region", REGION, "--format", "jsonl", "--limit", "100"])
    out, err = capsys.readouterr()
    ids = [json.loads(line)["eventID"] for line in out.splitlines()]
    assert code == 0
    assert ids == newest_first(org.events[MANAGEMENT] + org.events[first] + org.events[second])[:100]
    assert err.count(f"account {missing}") == 1 and "cannot assume" in err


def test_accounts_with_another_source_is_one_line(aws_env, tmp_path, capsys):
    aws = AwsConfig(accounts=AccountScope(AUDIT_ROLE))
    with pytest.raises(SourceError, match="--accounts works with lookup://REGION sources"):
        open_source("s3://bucket/prefix", aws)
    with pytest.raises(SourceError, match="--accounts works with lookup://REGION sources"):
        open_source(str(tmp_path), aws)
    assert main(["query", str(tmp_path), "--accounts", "all", "--role-name", "R"]) == 2
    assert capsys.readouterr().err.startswith("trailtui: error: --accounts works with lookup://REGION sources")


def _accounts_args(org, accounts: str) -> list[str]:
    return ["--accounts", accounts, "--role-name", AUDIT_ROLE, "--endpoint-url", org.endpoint, "--region", REGION]


def test_stats_counts_every_account(org, capsys):
    first, second, _ = org.members
    code = main(["stats", f"lookup://{REGION}", "--by", "account", "--format", "json",
                 *_accounts_args(org, f"{first},{second},{MANAGEMENT}")])
    counts = {g["key"][0]: g["count"] for g in json.loads(capsys.readouterr().out)["groups"]}
    assert code == 0 and counts == {first: 130, second: 70, MANAGEMENT: 60}


def test_hunt_runs_over_every_account(org, capsys):
    first, second, missing = org.members
    stop = history(second, 1, 30)[0] | {"eventID": "stop-in-second", "eventName": "StopLogging",
                                         "eventSource": "cloudtrail.amazonaws.com", "readOnly": False,
                                         "requestParameters": {"name": "org-trail"}}
    seed(org.endpoint, second, [stop])
    seed(org.endpoint, missing, [stop | {"eventID": "stop-in-missing", "recipientAccountId": missing}])
    code = main(["hunt", f"lookup://{REGION}", "--hunt", "cloudtrail-stopped", "--format", "jsonl",
                 *_accounts_args(org, "all")])
    out, err = capsys.readouterr()
    assert code == 1 and "stop-in-second" in out and "stop-in-missing" not in out  # that account was not reached
    assert err.count(f"account {missing}") == 1 and "Traceback" not in err
