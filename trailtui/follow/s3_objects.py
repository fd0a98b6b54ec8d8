"""Following an S3 trail bucket without listing it again: for each account and
region, only today's (and yesterday's) date prefix is listed, from
ListObjectsV2 `StartAfter` an hour before the newest key seen.

Keys in one date folder are `ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_x.json.gz`,
so they sort by delivery time; starting an hour back (rather than at the last
key) keeps two files delivered in the same minute, whose random suffixes sort
either way, from being skipped. Keys already read are remembered per window and
never read twice. Accounts and regions are looked up again every
`layout_every` polls, so a new account or region joins the follow.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from trailtui.aws.clients import ClientFactory
from trailtui.aws.errors import describe_error, is_sdk_error
from trailtui.filters import EventFilter
from trailtui.follow.arrival import Arrival, SeenEvents
from trailtui.follow.local_files import Clock, utc_now
from trailtui.sources.base import Problem, SourceError
from trailtui.sources.layout import delivery_stamp, is_digest_key, looks_like_log_name
from trailtui.sources.object_body import ObjectTooLarge, read_body
from trailtui.sources.s3 import parse_s3_url
from trailtui.sources.scan import ScanRequest, scan_bytes

LOOKBACK = timedelta(hours=1)
MAX_ACCOUNTS = 1_000
MAX_REGIONS = 64
_ACCOUNT = re.compile(r"^\d{12}$")
_ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+$")


class S3Follower:
    def __init__(self, url: str, factory: ClientFactory, flt: EventFilter, seen: SeenEvents,
                 clock: Clock = utc_now, layout_every: int = 10) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        self.factory = factory
        self.filter = flt
        self.seen = seen
        self.clock = clock
        self.layout_every = layout_every
        self._regions: list[str] = []
        self._read: set[str] = set()
        self._polls = 0

    async def prime(self, since: datetime | None = None) -> None:
        """Take the objects there now as read: the search that runs first shows
        them.  With `since` (when that search started), objects modified at or
        after it are left to the first poll."""
        async with self.factory.async_client("s3") as s3:
            self._regions = await self._region_prefixes(s3)
            listed = await self._recent_keys(s3, since=None)
        self._read = {key for key, modified in listed if since is None or modified is None or modified < since}

    def note(self, when: datetime) -> None:
        """Objects, not times, say what is new here."""

    async def poll(self) -> Arrival:
        now = self.clock()
        arrival = Arrival(polled_at=now)
        try:
            async with self.factory.async_client("s3") as s3:
                if self._polls % self.layout_every == 0 or not self._regions:
                    self._regions = await self._region_prefixes(s3)
                self._polls += 1
                keys = [key for key, _ in await self._recent_keys(s3, since=now - LOOKBACK)]
                request = ScanRequest(self.filter.text)
                for key in sorted(k for k in keys if k not in self._read):
                    scan = await self._read_object(s3, key, request)
                    self._read.add(key)
                    if scan[1]:
                        arrival.problems.append(Problem(f"s3://{self.bucket}/{key}", scan[1]))
                    arrival.events.extend(self.seen.fresh(scan[0]))
        except Exception as exc:
            if is_sdk_error(exc):
                raise SourceError(describe_error(exc, f"s3://{self.bucket}/{self.prefix}")) from None
            raise
        self._forget(now)
        arrival.events.sort(key=lambda e: e.time)
        return arrival

    async def _children(self, s3: Any, under: str) -> list[str]:
        names: list[str] = []
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=under, Delimiter="/"):
            names.extend(p["Prefix"][len(under):].rstrip("/") for p in page.get("CommonPrefixes", []))
        return names

    async def _region_prefixes(self, s3: Any) -> list[str]:
        """Every `.../AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/` under the URL's prefix."""
        base = self.prefix.strip("/")
        root = (base + "/" if base else "")
        if not root.endswith("AWSLogs/"):
            root += "AWSLogs/"
        accounts: list[str] = []
        for name in await self._children(s3, root):
            if _ACCOUNT.match(name):
                accounts.append(f"{root}{name}/")
            elif _ORG.match(name):
                inner = f"{root}{name}/"
                accounts.extend(f"{inner}{a}/" for a in await self._children(s3, inner) if _ACCOUNT.match(a))
        accounts = accounts[:MAX_ACCOUNTS]
        found = await asyncio.gather(*(self._children(s3, f"{a}CloudTrail/") for a in accounts))
        return [f"{a}CloudTrail/{r}/" for a, names in zip(accounts, found, strict=True)
                for r in names[:MAX_REGIONS] if _REGION.match(r)]

    def _days(self) -> list[datetime]:
        now = self.clock()
        today = datetime(now.year, now.month, now.day, tzinfo=UTC)
        return [today - timedelta(days=1), today]

    async def _recent_keys(self, s3: Any, since: datetime | None) -> list[tuple[str, datetime | None]]:
        """(key, LastModified) of the log objects in the listed date folders."""
        lists = await asyncio.gather(*(self._day_keys(s3, region, day, since)
                                       for region in self._regions for day in self._days()))
        return [key for keys in lists for key in keys]

    async def _day_keys(self, s3: Any, region: str, day: datetime,
                        since: datetime | None) -> list[tuple[str, datetime | None]]:
        folder = f"{region}{day:%Y/%m/%d}/"
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": folder}
        start = self._start_after(region, folder, since)
        if start:
            kwargs["StartAfter"] = start
        keys: list[tuple[str, datetime | None]] = []
        async for page in s3.get_paginator("list_objects_v2").paginate(**kwargs):
            keys.extend((o["Key"], _modified(o)) for o in page.get("Contents", [])
                        if looks_like_log_name(o["Key"].rsplit("/", 1)[-1]) and not is_digest_key(o["Key"]))
        return keys

    @staticmethod
    def _start_after(region: str, folder: str, since: datetime | None) -> str:
        """`folder/ACCOUNT_CloudTrail_REGION_<since>`: every key delivered at or
        after `since` sorts after it; None lists the whole (one day's) folder."""
        if since is None:
            return ""
        parts = region.rstrip("/").split("/")
        account, name = parts[-3], parts[-1]
        stamp = since.astimezone(UTC)
        if stamp.strftime("%Y/%m/%d") != folder.rstrip("/")[-10:]:
            return ""  # the lookback reaches into the previous day: list this day whole
        return f"{folder}{account}_CloudTrail_{name}_{stamp:%Y%m%dT%H%M}"

    async def _read_object(self, s3: Any, key: str, request: ScanRequest) -> tuple[list[Any], str | None]:
        try:
            response = await s3.get_object(Bucket=self.bucket, Key=key)
            data = await read_body(response)
        except Exception as exc:  # noqa: BLE001  one unreadable object is one problem line, never the follow's end
            if isinstance(exc, ObjectTooLarge):
                return [], str(exc)
            return [], describe_error(exc) if is_sdk_error(exc) else f"cannot read object ({type(exc).__name__})"
        scan = await asyncio.to_thread(scan_bytes, f"s3://{self.bucket}/{key}", data, request)
        return scan.events, scan.problem

    def _forget(self, now: datetime) -> None:
        """Keys older than the two listed days cannot come back: memory stays flat."""
        oldest = self._days()[0]
        self._read = {k for k in self._read if (delivery_stamp(k.rsplit("/", 1)[-1]) or now) >= oldest}


def _modified(listed: dict[str, Any]) -> datetime | None:
    """An object's LastModified as an aware UTC time (None when not given)."""
    value = listed.get("LastModified")
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
