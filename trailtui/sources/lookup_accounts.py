"""Event history of every account: `lookup://REGION` with `--accounts` and `--role-name`.

Each account is searched exactly as one `LookupSource` (same lookup
attribute, same client-side filter), through the keys of its assumed role (the
caller's own account through the caller's keys), and the per-account streams
are merged newest first (`trailtui.sources.merge`).  Each account keeps its own
LookupEvents rate limit: two requests a second per account and region, the
bucket keyed by the account ID.

Bounds: at most `ACCOUNT_CONCURRENCY` (8) LookupEvents requests are in flight
at once whatever the number of accounts.  Each account holds one client for
the search, on one shared SDK session (about 0.2 MB a client), one buffered
page of at most 50 events and at most two pages fetched ahead.  Roles are
assumed for an hour (`SESSION_SECONDS`) and the keys reused by every search
for half of that (`REUSE_SECONDS`), so a hunt's many searches assume each role
once, and every search starts with at least 30 minutes of key life.  An account
whose role cannot be assumed, or whose search fails, is one problem line; the
other accounts go on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from trailtui.aws.accounts import ACCOUNT_CONCURRENCY, AccountAccess, AccountsError, each_account, open_fanout
from trailtui.aws.config import AwsConfig
from trailtui.aws.errors import describe_error, is_sdk_error
from trailtui.sources.base import Page, Problem, Query, SourceError
from trailtui.sources.lookup import LookupSource, parse_lookup_url
from trailtui.sources.merge import Stream, merge_newest_first
from trailtui.sources.ratelimit import LOOKUP_LIMITS, RateLimits

SESSION_NAME = "trailtui-lookup"
SESSION_SECONDS = 3600  # the longest session a role allows by default (MaxSessionDuration 1 h)
REUSE_SECONDS = 1800


class GatedLookupClient:
    """An account's client whose `lookup_events` waits for the gate shared by
    every account: at most `ACCOUNT_CONCURRENCY` requests in flight at once."""

    def __init__(self, client: Any, gate: asyncio.Semaphore) -> None:
        self._client = client
        self._gate = gate

    async def lookup_events(self, **request: Any) -> Any:
        async with self._gate:
            return await self._client.lookup_events(**request)


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, SourceError):
        return str(exc)
    if is_sdk_error(exc):
        return describe_error(exc)
    return f"{type(exc).__name__}: {exc}"


class AccountsLookupSource:
    """One region's Event history across the accounts `aws.accounts` names."""

    capabilities = LookupSource.capabilities

    def __init__(self, url: str, aws: AwsConfig, limits: RateLimits | None = None) -> None:
        if aws.accounts is None:
            raise SourceError("AccountsLookupSource needs --accounts and --role-name")
        self.url = url
        self.region = parse_lookup_url(url)
        self._aws = aws
        self._limits = limits or LOOKUP_LIMITS
        self._reached: tuple[float, list[AccountAccess]] | None = None
        self._reaching = asyncio.Lock()

    def __repr__(self) -> str:
        return f"AccountsLookupSource({self.url!r})"

    async def close(self) -> None:
        """Nothing is held between searches but the assumed keys, which expire on their own."""
        self._reached = None

    async def accounts(self) -> list[AccountAccess]:
        """Every account and how to reach it, reused for `REUSE_SECONDS`."""
        async with self._reaching:
            if self._reached is None or time.monotonic() - self._reached[0] > REUSE_SECONDS:
                try:
                    fanout = await open_fanout(self._aws, SESSION_NAME, region=self.region, seconds=SESSION_SECONDS)
                except AccountsError as exc:
                    raise SourceError(str(exc)) from None
                self._reached = (time.monotonic(), await each_account(fanout.accounts, fanout.access))
            return self._reached[1]

    async def search(self, query: Query) -> AsyncIterator[Page]:
        reached = await self.accounts()
        gate = asyncio.Semaphore(ACCOUNT_CONCURRENCY)
        refused = [Problem(self._where(a), a.problem) for a in reached if a.factory is None]
        streams = [Stream(self._where(a), self._account_pages(a, query, gate)) for a in reached if a.factory]
        if refused:
            yield Page(problems=refused, status=f"{len(refused)} of {len(reached)} account(s) not reachable")
        async for page in merge_newest_first(streams, query, describe_failure):
            yield page

    def _where(self, access: AccountAccess) -> str:
        name = f" ({access.account.name})" if access.account.name else ""
        return f"lookup://{self.region} account {access.account.id}{name}"

    async def _account_pages(self, access: AccountAccess, query: Query,
                             gate: asyncio.Semaphore) -> AsyncIterator[Page]:
        factory = access.factory
        if factory is None:
            return
        source = LookupSource(self.url, factory.config, factory=factory, limits=self._limits,
                              account_id=access.account.id)
        async with factory.async_client("cloudtrail", self.region) as client:
            async for page in source.pages(GatedLookupClient(client, gate), query):
                yield page
