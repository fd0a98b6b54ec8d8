"""An S3 source read through its store.

The bucket (or prefix) is listed with each object's ETag and size, pruned by
date folder as the plain S3 source prunes.  Objects the store does not hold
with the same ETag are downloaded once, handed to the store (so the next
question about the same range downloads only what is new), and the answer
then comes from the store; objects the store does not hold (they have a
problem) are read plainly.  When the store cannot be written (unwritable
cache, disk full) one notice says so and the plain S3 scan answers.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.aws.errors import describe_error, is_sdk_error
from trailtui.sources.base import EventSource, Query, SourceError
from trailtui.sources.layout import (
    FAR_FUTURE,
    DeliveryWindow,
    date_folder_span,
    delivery_stamp,
    is_digest_key,
    looks_like_log_name,
)
from trailtui.sources.object_body import read_body
from trailtui.sources.s3 import parse_s3_url
from trailtui.sources.scan import FileScan, ScanRequest, scan_bytes
from trailtui.store.build import StoreBuilder
from trailtui.store.listing import Listing, LogIdentity
from trailtui.store.location import StoreLocation, private_folder
from trailtui.store.manifest import Manifest
from trailtui.store.source import IndexedSource, split
from trailtui.store.unchanged import UnchangedTree
from trailtui.timerange import TimeRange

MAX_LISTINGS = 8
MAX_DOWNLOADS = 8


class S3Objects:
    """Listing and reading one bucket prefix, with ETags."""

    def __init__(self, url: str, aws: AwsConfig, factory: ClientFactory | None = None) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        self.factory = factory or ClientFactory(aws)

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    async def listing(self, window: TimeRange) -> Listing:
        files: list[LogIdentity] = []
        prune = DeliveryWindow(window.since, window.until)
        gate = asyncio.Semaphore(MAX_LISTINGS)
        try:
            async with self.factory.async_client("s3") as s3:
                single = self.prefix.rstrip("/")
                if single and looks_like_log_name(single.rsplit("/", 1)[-1]):
                    head = await s3.head_object(Bucket=self.bucket, Key=single)
                    files.append(self._identity(single, head["ContentLength"], head["ETag"]) or
                                 LogIdentity(self.location(single), FAR_FUTURE, head["ContentLength"],
                                             etag=head["ETag"]))
                else:
                    await self._walk(s3, self.prefix, prune, gate, files)
        except SourceError:
            raise
        except Exception as exc:
            if is_sdk_error(exc):
                raise SourceError(describe_error(exc, f"s3://{self.bucket}/{self.prefix}")) from None
            raise
        files.sort(key=lambda f: (f.stamp, f.location), reverse=True)
        return Listing(files, [])

    def _identity(self, key: str, size: int, etag: str) -> LogIdentity | None:
        name = key.rsplit("/", 1)[-1]
        if not looks_like_log_name(name) or is_digest_key(key):
            return None
        stamp = delivery_stamp(name)
        return LogIdentity(self.location(key), stamp or FAR_FUTURE, int(size), etag=str(etag))

    async def _walk(self, s3: Any, prefix: str, prune: DeliveryWindow, gate: asyncio.Semaphore,
                    out: list[LogIdentity]) -> None:
        folders: list[str] = []
        async with gate:
            paginator = s3.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                folders.extend(p["Prefix"] for p in page.get("CommonPrefixes", []))
                for item in page.get("Contents", []):
                    found = self._identity(item["Key"], item.get("Size", 0), item.get("ETag", ""))
                    if found is not None and (found.stamp == FAR_FUTURE or prune.keeps_stamp(found.stamp)):
                        out.append(found)
        keep = []
        for folder in folders:
            if folder.rstrip("/").endswith("CloudTrail-Digest"):
                continue
            span = date_folder_span(folder)
            if span is None or prune.keeps_span(span):
                keep.append(folder)
        await asyncio.gather(*(self._walk(s3, folder, prune, gate, out) for folder in keep))

    async def download(self, files: list[LogIdentity], spool: Path) -> dict[str, str]:
        """Fetch `files` into `spool` (0600 each); location -> local path.
        An object that cannot be fetched is left out (it is read plainly, and
        its problem reported, by the query)."""
        gate = asyncio.Semaphore(MAX_DOWNLOADS)
        paths: dict[str, str] = {}
        prefix = f"s3://{self.bucket}/"

        async def one(s3: Any, log: LogIdentity) -> None:
            async with gate:
                try:
                    response = await s3.get_object(Bucket=self.bucket, Key=log.location[len(prefix):],
                                                   IfMatch=log.etag)
                    data = await read_body(response)
                except Exception as exc:  # noqa: BLE001 - the plain read reports it
                    if is_sdk_error(exc):
                        return
                    raise
            fd, path = tempfile.mkstemp(prefix="fetch-", suffix=".part", dir=spool)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            paths[log.location] = path

        async with self.factory.async_client("s3") as s3:
            await asyncio.gather(*(one(s3, log) for log in files))
        return paths

    async def scan(self, files: list[LogIdentity], request: ScanRequest) -> AsyncIterator[list[FileScan]]:
        """Plain, filtered reads of `files` (newest first), as the S3 source reads them."""
        prefix = f"s3://{self.bucket}/"
        async with self.factory.async_client("s3") as s3:
            for log in files:
                location = log.location
                try:
                    response = await s3.get_object(Bucket=self.bucket, Key=location[len(prefix):])
                    data = await read_body(response)
                except Exception as exc:  # noqa: BLE001 - one unreadable object never stops the scan
                    yield [FileScan(location, problem=describe_error(exc) if is_sdk_error(exc) else str(exc))]
                    continue
                yield [await asyncio.to_thread(scan_bytes, location, data, request)]


class IndexedS3Source(IndexedSource):
    """`s3://bucket[/prefix]` through its store: stale objects are fetched and
    indexed before the store answers."""

    max_plain_share = 1.0  # every object is in the store after the build step
    max_store_share = 1.0  # a plain scan would download every object again

    def __init__(self, plain: EventSource, location: StoreLocation, aws: AwsConfig,
                 factory: ClientFactory | None = None) -> None:
        super().__init__(plain, plain.url, location, background_build=False)
        self.objects = S3Objects(plain.url, aws, factory)

    def worth_it(self, query: Query) -> bool:
        return True  # every answer from the store is a download saved

    def _prepare_findings(self) -> None:
        """No preparation in a child process: it would list and read the
        bucket with its own AWS settings, not the console's (profile, region,
        endpoint); the hunts are decided when asked, then kept."""

    def _unchanged(self, query: Query) -> UnchangedTree | None:
        return None  # objects are listed (ETags), never stat'ed

    async def listing(self, window: TimeRange, known: Manifest | None = None) -> Listing:
        return await self.objects.listing(window)

    async def scan_files(self, files: list[LogIdentity], request: ScanRequest) -> AsyncIterator[list[FileScan]]:
        async for batch in self.objects.scan(files, request):
            yield batch

    async def state(self, window: TimeRange) -> tuple[Listing, Manifest | None, str]:
        """The objects of `window` and the manifest once the store holds them
        all: new and changed objects are downloaded and added first, so hunts
        and counts are answered from the store too (a plain run would download
        every object again)."""
        listing, manifest, notice = await super().state(window)
        stale = [] if notice else split(listing, manifest).stale
        if not stale:
            return listing, manifest, notice
        try:
            await self._fetch_and_build(stale)
        except (OSError, SourceError) as exc:
            return listing, manifest, f"index: cannot write the store at {self.location.folder} ({exc}); plain scan"
        except Exception as exc:  # noqa: BLE001 - the engine's own errors: the plain scan answers
            return listing, manifest, f"index: store not used ({type(exc).__name__}: {str(exc)[:120]}); plain scan"
        manifest, notice = await asyncio.to_thread(self.manifest)
        return listing, manifest, notice

    async def _fetch_and_build(self, stale: list[LogIdentity]) -> None:
        private_folder(self.location.folder)
        spool = Path(tempfile.mkdtemp(prefix="spool-", dir=self.location.folder))
        try:
            paths = await self.objects.download(stale, spool)
            fetched = [log for log in stale if log.location in paths]
            builder = StoreBuilder(self.location)
            report = await asyncio.to_thread(builder.build, fetched, False, paths, None, self._stop)
            if report.busy:
                raise SourceError("another trailtui is building this store")
        finally:
            for child in spool.iterdir():
                child.unlink(missing_ok=True)
            spool.rmdir()
