"""Health over every account of an organisation (`--accounts`, `--role-name`).

Each account is reached through `trailtui.aws.accounts` (its own credentials
for the caller's account, the assumed role elsewhere) and its trails are
collected exactly as for one account; at most `ACCOUNT_CONCURRENCY` (8)
accounts are worked on at once.  The per-account reports are merged into one,
every trail and check tagged with its account.  An account that cannot be
reached is one UNKNOWN check (`account-access`) with the reason; the others
go on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from trailtui.aws.accounts import ACCOUNT_CONCURRENCY, AccountsError, OrgAccount, each_account, open_fanout
from trailtui.aws.config import AwsConfig
from trailtui.health.catalogue import evaluate
from trailtui.health.collect import HealthCollectionError, collect_facts
from trailtui.health.facts import AccountFacts
from trailtui.health.results import AccountLine, CheckResult, HealthReport, Status, TrailReport

ACCESS_ID = "account-access"
ACCESS_TITLE = "trailtui can reach the account through the role"
SESSION_NAME = "trailtui-health"


@dataclass(frozen=True, slots=True)
class AccountHealth:
    """What was read in one account: its facts, or why there are none."""

    account: OrgAccount
    facts: AccountFacts | None
    problem: str = ""


async def collect_accounts(aws: AwsConfig, trail: str | None = None,
                           concurrency: int = ACCOUNT_CONCURRENCY) -> list[AccountHealth]:
    """Facts of every account `aws.accounts` names, in the organisation's
    order.  Raises HealthCollectionError when the accounts cannot be found."""
    try:
        fanout = await open_fanout(aws, SESSION_NAME)
    except AccountsError as exc:
        raise HealthCollectionError(str(exc)) from None

    async def one(account: OrgAccount) -> AccountHealth:
        access = await fanout.access(account)
        if access.factory is None:
            return AccountHealth(account, None, access.problem)
        try:
            return AccountHealth(account, await collect_facts(access.factory.config, trail=trail,
                                                              factory=access.factory))
        except HealthCollectionError as exc:
            return AccountHealth(account, None, str(exc))

    return await each_account(fanout.accounts, one, concurrency)


def _tag(report: HealthReport, account: str) -> HealthReport:
    return HealthReport(
        tuple(replace(t, account=account, checks=tuple(replace(c, account=account) for c in t.checks))
              for t in report.trails),
        tuple(replace(c, account=account) for c in report.account),
    )


def access_check(item: AccountHealth) -> CheckResult:
    return CheckResult(ACCESS_ID, ACCESS_TITLE, Status.UNKNOWN, item.problem, None, item.account.id)


def evaluate_accounts(results: list[AccountHealth], now: datetime) -> HealthReport:
    """One report over every account: trails and checks tagged with their account."""
    trails: list[TrailReport] = []
    account_checks: list[CheckResult] = []
    lines: list[AccountLine] = []
    for item in results:
        lines.append(AccountLine(item.account.id, item.account.name, item.problem))
        if item.facts is None:
            account_checks.append(access_check(item))
            continue
        tagged = _tag(evaluate(item.facts, now), item.account.id)
        trails.extend(tagged.trails)
        account_checks.extend(tagged.account)
    return HealthReport(tuple(trails), tuple(account_checks), tuple(lines))
