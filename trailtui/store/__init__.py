"""The local investigation store: a columnar copy (DuckDB over Parquet) of the
events a local or S3 source holds, kept per log file and always checked
against the files before it answers, so an answer from the store equals a plain
scan.  No Textual, no Rich: the console and the CLI are faces over this."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trailtui.store.location import StoreLocation, locate

if TYPE_CHECKING:  # not loaded with the package: `trailtui.store.early` imports it before anything else
    from trailtui.aws.config import AwsConfig
    from trailtui.sources.base import EventSource


def indexed(plain: EventSource, url: str, aws: AwsConfig | None, background_build: bool = False) -> EventSource:
    """`plain` read through its store, or `plain` itself when the store cannot hold it."""
    location = locate(url, aws)
    if location is None:
        return plain
    if url.lower().startswith("s3://"):
        from trailtui.aws.config import AwsConfig
        from trailtui.store.s3_source import IndexedS3Source

        return IndexedS3Source(plain, location, aws or AwsConfig())
    from trailtui.sources.local_path import local_path
    from trailtui.store.source import IndexedSource

    root = local_path(url)
    return IndexedSource(plain, root, location, background_build)


__all__ = ["StoreLocation", "indexed", "locate"]
