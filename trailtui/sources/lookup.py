"""CloudTrail Event history (LookupEvents): `lookup://REGION`.

What the API allows shapes this source: one lookup attribute per call (the most
selective one the filter implies is sent; the rest of the filter runs here),
50 events a page, the last 90 days of management events of one region, and two
requests a second per account and region, which a shared token bucket enforces
before each call.  Events come back newest first; each result's
`CloudTrailEvent` is the raw record.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.aws.errors import describe_error, is_sdk_error
from trailtui.sources.base import Capabilities, Page, Problem, Query, SourceError
from trailtui.sources.pushdown import choose_lookup_attribute
from trailtui.sources.ratelimit import LOOKUP_LIMITS, RateLimits
from trailtui.sources.recheck import accept, parse_json
from trailtui.timerange import utcnow

HISTORY = timedelta(days=90)
PAGE_EVENTS = 50
_REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+")


def parse_lookup_url(url: str) -> str:
    """`lookup://eu-west-1` -> 'eu-west-1'."""
    region = (url[len("lookup://"):] if url.lower().startswith("lookup://") else url).strip("/")
    if not _REGION.fullmatch(region):
        raise SourceError(f"{url!r}: not a region (use lookup://REGION, e.g. lookup://us-east-1)")
    return region


def lookup_window(query: Query, now: datetime) -> tuple[datetime, datetime, str]:
    """StartTime/EndTime for the query's range clamped to Event history's 90
    days, and a note when the range reaches further back than that."""
    oldest = now - HISTORY
    since, until = query.time_range.since, query.time_range.until
    start = max(since, oldest) if since is not None else oldest
    end = min(until, now) if until is not None else now
    note = ""
    if since is None or since < oldest:
        note = f"Event history keeps 90 days: searching from {oldest:%Y-%m-%d %H:%M}Z"
    return start, end, note


class LookupSource:
    """One region's Event history, through LookupEvents."""

    capabilities = Capabilities(sql_pushdown=False, server_time_pruning=True, raw_json=True, server_cancel=False)

    def __init__(self, url: str, aws: AwsConfig, factory: ClientFactory | None = None,
                 limits: RateLimits | None = None, account_id: str | None = None) -> None:
        self.url = url
        self.region = parse_lookup_url(url)
        self._factory = factory or ClientFactory(aws)
        self._limits = limits or LOOKUP_LIMITS
        self._account: str | None = account_id
        # where events and problems say they come from; one account of several names itself
        self.location = f"lookup://{self.region}" + (f" account {account_id}" if account_id else "")

    async def close(self) -> None:
        """Nothing is held between searches."""

    def __repr__(self) -> str:
        return f"LookupSource({self.url!r})"

    async def search(self, query: Query) -> AsyncIterator[Page]:
        try:
            async with self._factory.async_client("cloudtrail", self.region) as client:
                async for page in self.pages(client, query):
                    yield page
        except SourceError:
            raise
        except Exception as exc:
            if is_sdk_error(exc):
                raise SourceError(describe_error(exc, f"lookup://{self.region}")) from None
            raise

    async def pages(self, client: Any, query: Query) -> AsyncIterator[Page]:
        """The search through `client` (anything with an async `lookup_events`);
        SDK errors propagate as they are."""
        start, end, note = lookup_window(query, utcnow())
        if start > end:
            yield Page(progress=1.0, status="the time range is older than Event history's 90 days")
            return
        request: dict[str, Any] = {"StartTime": start, "EndTime": end, "MaxResults": PAGE_EVENTS}
        attribute = choose_lookup_attribute(query.filter)
        if attribute is not None:
            request["LookupAttributes"] = [attribute.as_request()]
        bucket = self._limits.bucket((await self._account_id(), self.region))
        location = self.location
        emitted = calls = 0
        while True:
            await bucket.acquire()
            response = await client.lookup_events(**request)
            calls += 1
            events, problems = [], []
            results = response.get("Events") or []
            for item in results:
                raw = parse_json(item.get("CloudTrailEvent"))
                if not isinstance(raw, dict):
                    problems.append(Problem(f"{location}/{item.get('EventId', '?')}",
                                            "CloudTrailEvent is not readable JSON"))
                    continue
                event = accept(query, raw, location, problems)
                if event is not None:
                    events.append(event)
            events = query.cap(events, emitted)
            emitted += len(events)
            token = response.get("NextToken")
            status = f"{calls} request(s)" + (f", {attribute.key}={attribute.value}" if attribute else "")
            yield Page(events=events, scanned=len(results), problems=problems,
                       progress=None if token else 1.0, status=f"{note}; {status}" if note else status)
            note = ""
            if not token or (query.limit is not None and emitted >= query.limit):
                return
            request["NextToken"] = token

    async def _account_id(self) -> str:
        """The caller's account, which the rate limit is per; a stable stand-in
        when STS cannot say."""
        if self._account is None:
            try:
                async with self._factory.async_client("sts", self.region) as sts:
                    self._account = (await sts.get_caller_identity())["Account"]
            except Exception as exc:
                if not hasattr(exc, "response"):  # unreachable or no credentials: LookupEvents would fail too
                    raise
                config = self._factory.config
                self._account = f"profile:{config.profile}@{config.endpoint_url}"
        return self._account
