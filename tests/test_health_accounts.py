"""`trailtui health --accounts ... --role-name ROLE` on the test server: an
organisation with three member accounts, a trail made in each through an
assumed role, and one member whose audit role is missing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from org_fixture import AUDIT_ROLE, MANAGEMENT, REGION, add_trail, build_organisation

from trailtui.aws.account_scope import AccountScope
from trailtui.aws.accounts import ACCOUNT_CONCURRENCY, OrgAccount, each_account, organization_accounts
from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.cli import main
from trailtui.health import Status
from trailtui.health.accounts import ACCESS_ID, collect_accounts, evaluate_accounts


def _org_with_trails(endpoint: str):
    """Members 0 and 1 have the audit role, member 2 does not; every account has a trail."""
    org = build_organisation(endpoint, members=3, audit_role_in=(0, 1), closed=1)
    arns = {account: add_trail(org, account, f"trail-{index}") for index, account in enumerate(org.members)}
    arns[MANAGEMENT] = add_trail(org, MANAGEMENT, "org-trail")
    return org, arns


def _health(endpoint: str, *extra: str) -> list[str]:
    return ["health", "--endpoint-url", endpoint, "--region", REGION, "--role-name", AUDIT_ROLE, *extra]


def test_every_account_in_one_json_each_trail_with_its_account(aws_env, capsys):
    org, arns = _org_with_trails(aws_env)
    code = main(_health(aws_env, "--accounts", "all", "--format", "json"))
    payload = json.loads(capsys.readouterr().out)
    first, second, missing = org.members
    assert [a["account"] for a in payload["accounts"]] == [MANAGEMENT, first, second, missing]  # closed one left out
    assert [a["checked"] for a in payload["accounts"]] == [True, True, True, False]
    assert {t["account"]: t["arn"] for t in payload["trails"]} == {
        MANAGEMENT: arns[MANAGEMENT], first: arns[first], second: arns[second]}
    for trail in payload["trails"]:
        assert trail["arn"].split(":")[4] == trail["account"]  # read in its own account, not the caller's
        assert {c["account"] for c in trail["checks"]} == {trail["account"]}
    unknown = [c for c in payload["account"] if c["account"] == missing]
    assert len(unknown) == 1 and unknown[0]["id"] == ACCESS_ID and unknown[0]["status"] == "UNKNOWN"
    assert unknown[0]["reason"].startswith(
        f"cannot assume arn:aws:iam::{missing}:role/{AUDIT_ROLE}: access denied (the role is missing")
    assert payload["accounts"][3]["problem"] == unknown[0]["reason"]
    assert {c["account"] for c in payload["account"] if c["id"] == "account-multi-region-trail"} == {
        MANAGEMENT, first, second}
    assert code == 1  # the trails' buckets have no policy: FAIL, as for one account


def test_table_has_an_account_column_and_fits_80_columns(aws_env, capsys):
    org, _ = _org_with_trails(aws_env)
    code = main(_health(aws_env, "--accounts", "all"))
    out = capsys.readouterr().out
    first, second, missing = org.members
    assert f"== trail trail-0 (home region {REGION}, account {first})" in out
    assert f"== account {missing} (member-2)" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("ACCOUNT "))
    assert lines[header].split() == ["ACCOUNT", "NAME", "TRAILS", "FAIL", "UNKNOWN", "WARN", "PASS", "INFO"]
    rows = {line.split()[0]: line.split() for line in lines[header + 1:header + 5]}
    assert rows[missing] == [missing, "member-2", "-", "0", "1", "0", "0", "0"]
    assert rows[first][:3] == [first, "member-0", "1"] and rows[MANAGEMENT][2] == "1"
    assert lines[-1].startswith("4 accounts, 3 trails: ")
    assert all(len(line) <= 80 for line in lines[header:])
    assert code == 1


def test_explicit_ids_skip_the_organisation_and_own_account_uses_own_keys(aws_env, capsys):
    org, arns = _org_with_trails(aws_env)
    first, _, missing = org.members
    code = main(_health(aws_env, "--accounts", f"{MANAGEMENT},{missing}", "--format", "json"))
    payload = json.loads(capsys.readouterr().out)
    assert [(a["account"], a["checked"]) for a in payload["accounts"]] == [(MANAGEMENT, True), (missing, False)]
    assert [t["arn"] for t in payload["trails"]] == [arns[MANAGEMENT]]
    assert code == 1


async def test_accounts_checked_at_most_n_at_once_same_answer(aws_env):
    org, _ = _org_with_trails(aws_env)
    aws = AwsConfig(region=REGION, endpoint_url=aws_env, accounts=AccountScope(AUDIT_ROLE))
    one_by_one = await collect_accounts(aws, concurrency=1)
    parallel = await collect_accounts(aws)
    assert [r.account for r in one_by_one] == [r.account for r in parallel]
    now = datetime.now(UTC)
    report = evaluate_accounts(parallel, now)
    assert report.to_json() == evaluate_accounts(one_by_one, now).to_json()
    assert [c.status for c in report.account if c.id == ACCESS_ID] == [Status.UNKNOWN]
    assert [r.problem == "" for r in parallel] == [True, True, True, False]


async def test_each_account_runs_at_most_the_bound_at_once():
    active, peak, done = 0, 0, []

    async def work(account: OrgAccount) -> str:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        for _ in range(5):  # yield so that every admitted task gets to run before any finishes
            await asyncio.sleep(0)
        active -= 1
        done.append(account.id)
        return account.id

    accounts = tuple(OrgAccount(f"{n:012d}") for n in range(20))
    assert await each_account(accounts, work) == [a.id for a in accounts]  # results keep the accounts' order
    assert peak == ACCOUNT_CONCURRENCY == 8 and len(done) == 20
    peak = 0
    await each_account(accounts, work, limit=3)
    assert peak == 3


async def test_list_accounts_is_followed_page_by_page(aws_env):
    org = build_organisation(aws_env, members=5, audit_role_in=(), closed=2)
    factory = ClientFactory(AwsConfig(region=REGION, endpoint_url=aws_env))
    listed = await organization_accounts(factory, REGION, page_size=2)
    assert listed == [OrgAccount(MANAGEMENT, "master")] + [OrgAccount(a, org.names[a]) for a in org.members]


def test_no_account_listed_is_one_line_exit_2(aws_env, capsys):
    code = main(_health(aws_env, "--accounts", "all"))
    err = capsys.readouterr().err
    assert code == 2 and err == "trailtui: error: the organisation lists no ACTIVE account (--accounts all)\n"


@pytest.mark.parametrize("argv,message", [
    (["--accounts", "all"], "--accounts needs --role-name ROLE"),
    (["--role-name", "R"], "--role-name needs --accounts"),
    (["--accounts", "12345,all", "--role-name", "R"], "'12345' is not a 12-digit account ID"),
    (["--accounts", "all", "--role-name", "bad role"], "not an IAM role name"),
])
def test_bad_account_options_are_one_line(capsys, argv, message):
    assert main(["health", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_accounts_refused_where_they_mean_nothing(capsys, tmp_path):
    assert main(["verify", str(tmp_path), "--accounts", "all", "--role-name", "R"]) == 2
    assert "--accounts does not apply to `trailtui verify`" in capsys.readouterr().err
    assert main(["health", "--accounts", "all", "--role-name", "R", "--facts", str(tmp_path / "f.json")]) == 2
    assert "not with --accounts" in capsys.readouterr().err
