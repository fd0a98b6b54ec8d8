"""Reaching every account of an organisation: who the caller is, which
accounts `--accounts` names (Organizations ListAccounts for `all`), and an
`AwsConfig` per account holding the keys of its assumed `--role-name` role.

The caller's own account (usually the management account) is reached with
the caller's own credentials; every other account through
`sts:AssumeRole` on `arn:PARTITION:iam::ID:role/ROLE`, for 15 minutes
(`SESSION_SECONDS`; Event history searches ask for longer, see
`trailtui.sources.lookup_accounts`).  An account whose role cannot be assumed is not an
error of the run: its `AccountAccess` carries the one-line reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from trailtui.aws.account_scope import AccountScope
from trailtui.aws.allowlist import OperationNotAllowed
from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig, Credentials
from trailtui.aws.errors import describe_error, error_message, is_access_denied, is_sdk_error
from trailtui.aws.sdk import BotoCoreError, ClientError

SESSION_SECONDS = 900  # the shortest session STS grants: the keys die soon after the run
MAX_LISTED_ACCOUNTS = 10_000  # ListAccounts pages followed at most up to this many accounts
LIST_PAGE = 20  # ListAccounts' largest MaxResults
ACCOUNT_CONCURRENCY = 8  # accounts worked on at once: each opens its own clients and requests
T = TypeVar("T")


class AccountsError(Exception):
    """The accounts cannot be found at all (one line for the user)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """`sts:GetCallerIdentity`: the account the caller's own keys belong to."""

    account: str
    partition: str


@dataclass(frozen=True, slots=True)
class OrgAccount:
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class AccountAccess:
    """One account and how to reach it: `factory` makes its clients (None
    when the role could not be assumed, then `problem` says why in one line)."""

    account: OrgAccount
    factory: ClientFactory | None
    problem: str = ""

    @property
    def config(self) -> AwsConfig | None:
        return None if self.factory is None else self.factory.config


async def caller_identity(factory: ClientFactory, region: str) -> Caller:
    try:
        async with factory.async_client("sts", region) as sts:
            answer = await sts.get_caller_identity()
    except (ClientError, BotoCoreError, OperationNotAllowed) as exc:
        raise AccountsError(f"cannot tell which account these credentials belong to: {describe_error(exc)}") \
            from None
    arn = str(answer.get("Arn") or "")
    partition = arn.split(":")[1] if arn.startswith("arn:") and arn.count(":") >= 5 else "aws"
    return Caller(account=str(answer.get("Account") or ""), partition=partition or "aws")


def _is_active(entry: dict[str, Any]) -> bool:
    """ACTIVE by `State` (the newer field) or `Status`; suspended and closing accounts are left out."""
    state = entry.get("State") or entry.get("Status")
    return state == "ACTIVE"


async def organization_accounts(factory: ClientFactory, region: str, page_size: int = LIST_PAGE) -> list[OrgAccount]:
    """Every ACTIVE account of the caller's organisation, in ListAccounts' order."""
    found: list[OrgAccount] = []
    request: dict[str, Any] = {"MaxResults": page_size}
    try:
        async with factory.async_client("organizations", region) as org:
            while True:
                page = await org.list_accounts(**request)
                for entry in page.get("Accounts") or []:
                    if isinstance(entry, dict) and _is_active(entry) and entry.get("Id"):
                        found.append(OrgAccount(str(entry["Id"]), str(entry.get("Name") or "")))
                token = page.get("NextToken")
                if not token or len(found) >= MAX_LISTED_ACCOUNTS:
                    return found[:MAX_LISTED_ACCOUNTS]
                request["NextToken"] = token
    except (ClientError, BotoCoreError, OperationNotAllowed) as exc:
        raise AccountsError(f"cannot list the organisation's accounts (--accounts all): {describe_error(exc)}; "
                            "list them with --accounts ID,ID instead") from None


async def target_accounts(factory: ClientFactory, scope: AccountScope, region: str) -> list[OrgAccount]:
    if scope.every_account:
        return await organization_accounts(factory, region)
    return [OrgAccount(account) for account in scope.ids]


def assume_failure(exc: BaseException, role_arn: str) -> str:
    """Why a role could not be assumed, in one line naming the role."""
    if is_access_denied(exc):
        detail = error_message(exc)
        return (f"cannot assume {role_arn}: access denied (the role is missing, or its trust policy does not let "
                f"this caller assume it){': ' + detail if detail else ''}")
    return f"cannot assume {role_arn}: {describe_error(exc)}"


async def access_account(factory: ClientFactory, caller: Caller, account: OrgAccount, scope: AccountScope,
                         region: str, session_name: str, seconds: int = SESSION_SECONDS) -> AccountAccess:
    """How to reach `account`: the caller's own factory for the caller's
    account, else one with the assumed role's keys (sharing its SDK session)."""
    if account.id == caller.account:
        return AccountAccess(account, factory)
    role_arn = scope.role_arn(caller.partition, account.id)
    try:
        async with factory.async_client("sts", region) as sts:
            answer = await sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name,
                                           DurationSeconds=seconds)
    except Exception as exc:
        if not (is_sdk_error(exc) or isinstance(exc, OperationNotAllowed)):
            raise
        return AccountAccess(account, None, assume_failure(exc, role_arn))
    keys = answer.get("Credentials") or {}
    try:
        credentials = Credentials(str(keys["AccessKeyId"]), str(keys["SecretAccessKey"]), str(keys["SessionToken"]))
    except KeyError:
        return AccountAccess(account, None, f"cannot assume {role_arn}: the answer held no credentials")
    return AccountAccess(account, factory.with_credentials(credentials))



@dataclass(frozen=True, slots=True)
class Fanout:
    """The accounts one command reaches and how: made once per run by `open_fanout`."""

    factory: ClientFactory
    caller: Caller
    accounts: tuple[OrgAccount, ...]
    scope: AccountScope
    region: str
    session_name: str
    seconds: int = SESSION_SECONDS

    async def access(self, account: OrgAccount) -> AccountAccess:
        return await access_account(self.factory, self.caller, account, self.scope, self.region,
                                    self.session_name, self.seconds)


async def open_fanout(aws: AwsConfig, session_name: str, region: str | None = None,
                      seconds: int = SESSION_SECONDS) -> Fanout:
    """Who the caller is and which accounts `aws.accounts` names; raises
    AccountsError (one line) when that cannot be found out."""
    scope = aws.accounts
    if scope is None:
        raise AccountsError("no --accounts given")
    try:
        region = region or aws.region or ClientFactory(replace(aws, accounts=None)).region()
    except BotoCoreError as exc:
        raise AccountsError(describe_error(exc)) from None
    if not region:
        raise AccountsError("no AWS region: pass --region or set AWS_REGION")
    factory = ClientFactory(replace(aws, accounts=None, region=region))
    caller = await caller_identity(factory, region)
    accounts = await target_accounts(factory, scope, region)
    if not accounts:
        raise AccountsError("the organisation lists no ACTIVE account (--accounts all)")
    return Fanout(factory, caller, tuple(accounts), scope, region, session_name, seconds)


async def each_account(accounts: tuple[OrgAccount, ...], work: Callable[[OrgAccount], Awaitable[T]],
                       limit: int = ACCOUNT_CONCURRENCY) -> list[T]:
    """`work` on every account, at most `limit` at once, results in the accounts' order."""
    gate = asyncio.Semaphore(max(1, limit))

    async def bounded(account: OrgAccount) -> T:
        async with gate:
            return await work(account)

    return list(await asyncio.gather(*(bounded(a) for a in accounts)))
