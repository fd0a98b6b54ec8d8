"""Building a store on request (`trailtui index SOURCE`): list the source's
files for a range, fetch what S3 objects are stale, hand them to the builder."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from pathlib import Path

from trailtui.aws.config import AwsConfig
from trailtui.sources.base import SourceError
from trailtui.sources.local_path import local_path
from trailtui.store.build import BuildReport, Progress, StoreBuilder
from trailtui.store.listing import Listing, local_listing
from trailtui.store.location import StoreLocation, private_folder
from trailtui.store.manifest import StoreInvalid, load
from trailtui.timerange import TimeRange


def is_s3(url: str) -> bool:
    return url.lower().startswith("s3://")


async def list_source(url: str, aws: AwsConfig, window: TimeRange) -> Listing:
    """The source's log files for `window`, newest first, with their identities."""
    if is_s3(url):
        from trailtui.store.s3_source import S3Objects

        return await S3Objects(url, aws).listing(window)
    root = local_path(url)
    if not Path(root).exists():
        raise SourceError(f"{root}: no such file or directory")
    return await asyncio.to_thread(local_listing, root, window.since, window.until)


async def build_store(url: str, aws: AwsConfig, location: StoreLocation, window: TimeRange,
                      progress: Progress | None = None, stop: threading.Event | None = None) -> BuildReport:
    """Bring the store up to date for `window`.  Raises OSError when the store
    cannot be written and SourceError when the source cannot be listed."""
    listing = await list_source(url, aws, window)
    builder = StoreBuilder(location)
    if not is_s3(url):
        return await asyncio.to_thread(builder.build, listing.files, window.unbounded, None, progress, stop,
                                       listing.folders)
    from trailtui.store.s3_source import S3Objects

    try:
        manifest = load(location.manifest, location.source)
    except StoreInvalid:
        manifest = None
    held = manifest.files if manifest is not None else {}
    stale = [log for log in listing.files if not log.same_as(held.get(log.location))]
    private_folder(location.folder)
    spool = Path(tempfile.mkdtemp(prefix="spool-", dir=location.folder))
    try:
        paths = await S3Objects(url, aws).download(stale, spool)
        fetched = [log for log in listing.files if log.location in paths or log.same_as(held.get(log.location))]
        return await asyncio.to_thread(builder.build, fetched, False, paths, progress, stop)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
