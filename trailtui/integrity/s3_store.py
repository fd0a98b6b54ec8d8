"""A CloudTrail bucket in S3 (or anything speaking S3 at --endpoint-url).

One aiobotocore client from `ClientFactory` (guarded by the allow-list:
ListObjectsV2, GetObject); GETs run concurrently up to a bound, and the CPU
work on the bytes runs in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from trailtui.aws.clients import ClientFactory
from trailtui.aws.errors import describe_error, error_code
from trailtui.integrity.store import Fetched, ListedObject, ObjectRef, StoreError
from trailtui.sources.object_body import ObjectTooLarge, read_body

T = TypeVar("T")
NOT_FOUND = {"NoSuchKey", "404", "NotFound"}
DEFAULT_CONCURRENCY = 32


def split_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix/")."""
    rest = url[len("s3://"):] if url.startswith("s3://") else url
    bucket, _, prefix = rest.partition("/")
    prefix = prefix.strip("/")
    return bucket, (prefix + "/" if prefix else "")


class S3Store:
    """EvidenceStore over `s3://bucket[/prefix]`."""

    def __init__(self, url: str, factory: ClientFactory, executor: Executor | None = None,
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.bucket, self.root_prefix = split_s3_url(url)
        self._factory = factory
        self._executor = executor
        self._gate = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._opening: asyncio.Lock | None = None

    async def _s3(self) -> Any:
        if self._client is None:
            self._opening = self._opening or asyncio.Lock()
            async with self._opening:
                if self._client is None:
                    self._client = await self._stack.enter_async_context(
                        self._factory.async_client("s3", connections=self._concurrency))
        return self._client

    def location(self, ref: ObjectRef) -> str:
        return f"s3://{ref.bucket}/{ref.key}"

    def ref(self, key: str) -> ObjectRef:
        return ObjectRef(self.bucket, key)

    def ref_for(self, bucket: str, key: str, anchor: ObjectRef) -> ObjectRef:
        return ObjectRef(bucket, key)

    def same_place(self, ref: ObjectRef, bucket: str, key: str) -> bool:
        return ref.bucket == bucket and ref.key == key

    async def list_dirs(self, prefix: str) -> list[str]:
        s3 = await self._s3()
        names: list[str] = []
        try:
            paginator = s3.get_paginator("list_objects_v2")
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                for common in page.get("CommonPrefixes", []):
                    names.append(common["Prefix"][len(prefix):].rstrip("/"))
        except Exception as exc:  # noqa: BLE001 - SDK, transport and allow-list errors share no base
            raise StoreError(describe_error(exc, f"s3://{self.bucket}/{prefix}")) from None
        return sorted(n for n in names if n)

    async def list_keys(self, prefix: str, start_after: str = "",
                        stop_before: str | None = None) -> AsyncIterator[ListedObject]:
        s3 = await self._s3()
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        if start_after > prefix:
            kwargs["StartAfter"] = start_after
        try:
            paginator = s3.get_paginator("list_objects_v2")
            async for page in paginator.paginate(**kwargs):
                for item in page.get("Contents", []):
                    key = item["Key"]
                    if stop_before is not None and key >= stop_before:
                        return
                    if key.endswith("/"):
                        continue
                    etag = str(item.get("ETag", "")).strip('"') or None
                    yield ListedObject(ObjectRef(self.bucket, key), int(item.get("Size", 0)), etag)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - SDK, transport and allow-list errors share no base
            raise StoreError(describe_error(exc, f"s3://{self.bucket}/{prefix}")) from None

    async def fetch(self, ref: ObjectRef) -> Fetched | None:
        s3 = await self._s3()
        async with self._gate:
            try:
                response = await s3.get_object(Bucket=ref.bucket, Key=ref.key)
                data = await read_body(response)
            except ObjectTooLarge as exc:  # its message already says what and why: no class name in front
                raise StoreError(f"{self.location(ref)}: {exc}") from None
            except Exception as exc:  # noqa: BLE001 - SDK, transport and allow-list errors share no base
                if error_code(exc) in NOT_FOUND:
                    return None
                raise StoreError(describe_error(exc, self.location(ref))) from None
        metadata = {str(k).lower(): str(v) for k, v in (response.get("Metadata") or {}).items()}
        return Fetched(data, metadata)

    async def process(self, ref: ObjectRef, work: Callable[[Fetched], T]) -> T | None:
        fetched = await self.fetch(ref)
        if fetched is None:
            return None
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, fetched)

    async def process_many(self, jobs: list[tuple[ObjectRef, str]],
                           work: Callable[[bytes, str], T]) -> list[T | None | StoreError]:
        def on_data(argument: str) -> Callable[[Fetched], T]:
            return lambda fetched: work(fetched.data, argument)

        done = await asyncio.gather(*(self.process(ref, on_data(argument)) for ref, argument in jobs),
                                    return_exceptions=True)
        for outcome in done:
            if isinstance(outcome, BaseException) and not isinstance(outcome, StoreError):
                raise outcome
        return done  # type: ignore[return-value]

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None
