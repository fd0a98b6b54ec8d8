"""CloudTrail logs straight from S3: `s3://bucket[/prefix]`.

The bucket is walked as a tree, newest first: every listing (with `Delimiter`)
yields folders and files, each with the newest time anything under it can hold
(a `YYYY/MM/DD/` folder holds nothing delivered after that day; a file nothing
after its delivery stamp).  The walk always expands the node that may hold the
newest events, so accounts, org ids and regions are discovered as it goes,
date folders outside the time range are never listed, and `CloudTrail-Digest/`
is never entered.  Files are fetched concurrently (a bounded number in flight),
decoded by the same code as local files, and events are released in exact
newest-first order as soon as nothing still unread can be newer.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import re
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.aws.errors import EXPIRED, describe_error, error_code, is_access_denied, is_sdk_error
from trailtui.sources.base import Capabilities, Page, Problem, Query, SourceError
from trailtui.sources.layout import (
    FAR_FUTURE,
    DeliveryWindow,
    date_folder_span,
    delivery_stamp,
    is_digest_key,
    looks_like_log_name,
)
from trailtui.sources.newest_first import NewestFirst
from trailtui.sources.object_body import ObjectTooLarge, read_body
from trailtui.sources.scan import FileScan, ScanRequest, scan_bytes

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ('bucket', 'some/prefix/')."""
    rest = url[len("s3://"):] if url.lower().startswith("s3://") else url
    bucket, _, prefix = rest.partition("/")
    if not _BUCKET.fullmatch(bucket):
        raise SourceError(f"{url!r}: not a valid S3 bucket name (use s3://bucket[/prefix])")
    prefix = prefix.strip("/")
    return bucket, (prefix + "/" if prefix else "")


@dataclass(order=True, slots=True)
class _Node:
    """A folder to list or a file to read, ordered so the newest pops first."""

    sort_key: tuple[float, int]
    bound: datetime = field(compare=False)
    key: str = field(compare=False)
    is_folder: bool = field(compare=False)


class _Walk:
    """The bucket tree as a max-heap on 'newest time that can be underneath'."""

    def __init__(self, window: DeliveryWindow) -> None:
        self.window = window
        self._heap: list[_Node] = []
        self._tick = itertools.count()

    def push_folder(self, prefix: str) -> None:
        if prefix.rstrip("/").endswith("CloudTrail-Digest"):
            return
        span = date_folder_span(prefix)
        if span is not None and not self.window.keeps_span(span):
            return
        bound = FAR_FUTURE if span is None else datetime.combine(
            span.last + timedelta(days=1), datetime.min.time(), UTC)
        self._push(bound, prefix, True)

    def push_file(self, key: str) -> None:
        name = key.rsplit("/", 1)[-1]
        if not looks_like_log_name(name) or is_digest_key(key):
            return
        stamp = delivery_stamp(name)
        if stamp is not None and not self.window.keeps_stamp(stamp):
            return
        self._push(stamp or FAR_FUTURE, key, False)

    def _push(self, bound: datetime, key: str, is_folder: bool) -> None:
        heapq.heappush(self._heap, _Node((-bound.timestamp(), next(self._tick)), bound, key, is_folder))

    def peek(self) -> _Node | None:
        return self._heap[0] if self._heap else None

    def pop(self) -> _Node:
        return heapq.heappop(self._heap)

    def __len__(self) -> int:
        return len(self._heap)


class S3Source:
    """A bucket (or prefix) holding CloudTrail logs in CloudTrail's layout, an
    org trail's, or any folder of log files."""

    capabilities = Capabilities(sql_pushdown=False, server_time_pruning=True, raw_json=True, server_cancel=False)
    max_in_flight = 8      # concurrent GetObject calls
    max_listing = 8        # concurrent ListObjectsV2 walks
    listing_ttl = 30.0     # seconds a folder listing is reused by the next search (new filters re-walk fast)

    def __init__(self, url: str, aws: AwsConfig, factory: ClientFactory | None = None) -> None:
        self.url = url
        self.bucket, self.prefix = parse_s3_url(url)
        self._factory = factory or ClientFactory(aws)
        self._listings: dict[str, tuple[float, list[str], list[str]]] = {}

    @property
    def client_factory(self) -> ClientFactory:
        """The one client factory (allow-list, endpoint, credentials) this
        source calls S3 through; a follower of the same bucket shares it."""
        return self._factory

    async def close(self) -> None:
        """Each search opens and closes its own client; only listings are kept."""
        self._listings.clear()

    def __repr__(self) -> str:
        return f"S3Source({self.url!r})"

    async def search(self, query: Query) -> AsyncIterator[Page]:
        window = DeliveryWindow(query.time_range.since, query.time_range.until)
        request = ScanRequest(query.filter.text, window.since, window.until)
        try:
            async with self._factory.async_client("s3") as s3:
                async for page in self._search(s3, query, window, request):
                    yield page
        except SourceError:
            raise
        except Exception as exc:  # an SDK error outside a listing: still one line
            if is_sdk_error(exc):
                raise SourceError(describe_error(exc, f"s3://{self.bucket}/{self.prefix}")) from None
            raise

    async def _search(self, s3: Any, query: Query, window: DeliveryWindow, request: ScanRequest) -> AsyncIterator[Page]:
        walk = _Walk(window)
        single = self.prefix.rstrip("/")
        if single and looks_like_log_name(single.rsplit("/", 1)[-1]):
            walk.push_file(single)  # s3://bucket/path/to/one-log-file.json.gz
        else:
            walk.push_folder(self.prefix)
        ordered = NewestFirst()
        in_flight: deque[tuple[_Node, asyncio.Task[FileScan]]] = deque()
        emitted = done = 0
        try:
            while walk or in_flight:
                await self._fill(s3, walk, in_flight, request)
                if not in_flight:
                    continue
                node, task = in_flight.popleft()
                scan = await task
                done += 1
                late = [problem for event in scan.events if (problem := ordered.push(event)) is not None]
                bound = _unread_bound(walk, in_flight)
                events = list(ordered.release_newer_than(bound))
                events = query.cap(events, emitted)
                emitted += len(events)
                problems = ([Problem(scan.path, scan.problem)] if scan.problem else []) + late
                remaining = len(in_flight) + len(walk)
                yield Page(events=events, scanned=scan.scanned, problems=problems,
                           progress=done / (done + remaining), status=f"{done} file(s) read")
                if query.limit is not None and emitted >= query.limit:
                    return
            for page in ordered.final_pages(query, emitted, status=f"{done} file(s) read"):
                yield page
        finally:
            for _, task in in_flight:
                task.cancel()
            if in_flight:
                await asyncio.gather(*(task for _, task in in_flight), return_exceptions=True)

    async def _fill(self, s3: Any, walk: _Walk, in_flight: deque[tuple[Any, Any]], request: ScanRequest) -> None:
        """Expand folders and start fetches until `max_in_flight` files are in
        flight or nothing is left; folders sharing the newest bound are listed
        together."""
        while walk and len(in_flight) < self.max_in_flight:
            top = walk.peek()
            assert top is not None  # noqa: S101 - narrows the type: the loop condition says walk is not empty
            if not top.is_folder:
                node = walk.pop()
                in_flight.append((node, asyncio.create_task(self._read(s3, node.key, request))))
                continue
            folders = [walk.pop()]
            while walk and len(folders) < self.max_listing:
                nxt = walk.peek()
                if nxt is None or not nxt.is_folder or nxt.bound != top.bound:
                    break
                folders.append(walk.pop())
            listings = await asyncio.gather(*(self._list(s3, f.key) for f in folders))
            for subfolders, files in listings:
                for prefix in subfolders:
                    walk.push_folder(prefix)
                for key in files:
                    walk.push_file(key)

    async def _list(self, s3: Any, prefix: str) -> tuple[list[str], list[str]]:
        """One folder level: (sub-folder prefixes, object keys), reused for
        `listing_ttl` seconds: an analyst refining a filter re-walks the same tree."""
        now = time.monotonic()
        cached = self._listings.get(prefix)
        if cached is not None and cached[0] > now:
            return cached[1], cached[2]
        folders, files = await self._list_now(s3, prefix)
        self._listings[prefix] = (now + self.listing_ttl, folders, files)
        return folders, files

    async def _list_now(self, s3: Any, prefix: str) -> tuple[list[str], list[str]]:
        folders: list[str] = []
        files: list[str] = []
        try:
            paginator = s3.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                folders.extend(p["Prefix"] for p in page.get("CommonPrefixes", []))
                files.extend(o["Key"] for o in page.get("Contents", []))
        except Exception as exc:
            if not is_sdk_error(exc):
                raise
            where = f"s3://{self.bucket}/{prefix}"
            if error_code(exc) == "NoSuchBucket":
                raise SourceError(f"s3://{self.bucket}: no such bucket") from None
            if is_access_denied(exc):
                raise SourceError(f"access denied listing {where} (s3:ListBucket): "
                                  "grant s3:ListBucket on the bucket, or check --profile") from None
            raise SourceError(describe_error(exc, where)) from None
        return folders, files

    async def _read(self, s3: Any, key: str, request: ScanRequest) -> FileScan:
        """Fetch and decode one object; what goes wrong becomes the scan's problem."""
        location = f"s3://{self.bucket}/{key}"
        try:
            response = await s3.get_object(Bucket=self.bucket, Key=key)
            data = await read_body(response)
        except Exception as exc:  # noqa: BLE001 - one unreadable object never stops the scan...
            if error_code(exc) in EXPIRED:  # ...but expired credentials stop every read
                raise SourceError(describe_error(exc, location)) from None
            return FileScan(location, problem=_object_problem(exc))
        return await asyncio.to_thread(scan_bytes, location, data, request)


def _unread_bound(walk: _Walk, in_flight: deque[tuple[Any, Any]]) -> datetime | None:
    """The newest time any unread file can hold; None when all are read."""
    bounds = []
    if in_flight:
        bounds.append(in_flight[0][0].bound)
    top = walk.peek()
    if top is not None:
        bounds.append(top.bound)
    return max(bounds) if bounds else None


def _object_problem(exc: BaseException) -> str:
    if isinstance(exc, ObjectTooLarge):
        return str(exc)
    code = error_code(exc)
    if is_access_denied(exc):
        return "access denied (s3:GetObject): object skipped"
    if code in ("NoSuchKey", "404"):
        return "object vanished between listing and reading"
    if code == "InvalidObjectState":
        return "object is archived (Glacier/Deep Archive): restore it to read it"
    if is_sdk_error(exc):
        return describe_error(exc)
    return f"cannot read object ({type(exc).__name__}: {exc})"



async def discover_layout(bucket: str, prefix: str, org_id: str | None,
                          factory: ClientFactory) -> tuple[list[str], list[str]]:
    """The accounts and regions a trail bucket holds logs for, from two levels
    of `Delimiter` listings (`AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/`)."""
    root = (prefix.strip("/") + "/" if prefix.strip("/") else "") + "AWSLogs/" + (f"{org_id}/" if org_id else "")

    async def children(s3: Any, under: str) -> list[str]:
        names: list[str] = []
        async for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=under, Delimiter="/"):
            names.extend(p["Prefix"][len(under):].rstrip("/") for p in page.get("CommonPrefixes", []))
        return names

    async with factory.async_client("s3") as s3:
        accounts = sorted(a for a in await children(s3, root) if re.fullmatch(r"\d{12}", a))
        found = await asyncio.gather(*(children(s3, f"{root}{a}/CloudTrail/") for a in accounts[:100]))
    regions = sorted({r for names in found for r in names if re.fullmatch(r"[a-z]{2}(-[a-z0-9]+)+", r)})
    return accounts, regions
