"""Where the evidence lives: one small protocol, two implementations
(`LocalStore` for a directory mirroring a bucket, `S3Store` for a bucket).

Keys are S3 keys (S3) or `/`-separated paths relative to the directory
(local).  Digests name other objects by (bucket, S3 key); `ref_for` maps such a
name into the store, and `same_place` decides whether a digest sits where it
says it was written (the MOVED check).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

T = TypeVar("T")



class StoreError(Exception):
    """An object could not be read for a reason other than absence (access
    denied, throttling...); the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """An object in a store: its bucket (empty for local stores) and key."""

    bucket: str
    key: str


@dataclass(frozen=True, slots=True)
class ListedObject:
    ref: ObjectRef
    size: int
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """An object's bytes and S3 user metadata.  `metadata` is None when it was
    never captured (a local copy without a `.metadata.json` sidecar), which is
    different from captured-but-empty ({})."""

    data: bytes
    metadata: dict[str, str] | None


class EvidenceStore(Protocol):
    """What verification (and acquire) needs from a place holding CloudTrail files."""

    root_prefix: str

    def location(self, ref: ObjectRef) -> str:
        """`s3://bucket/key` or the local file path, for reports."""
        ...

    def ref(self, key: str) -> ObjectRef:
        """The object at `key` in this store."""
        ...

    def ref_for(self, bucket: str, key: str, anchor: ObjectRef) -> ObjectRef:
        """Where the object a digest calls s3://bucket/key is in this store; `anchor`
        is the digest (local copies are resolved next to its `AWSLogs/`)."""
        ...

    def same_place(self, ref: ObjectRef, bucket: str, key: str) -> bool:
        """Does `ref` hold the object written to s3://bucket/key?"""
        ...

    async def list_dirs(self, prefix: str) -> list[str]:
        """Names of the "folders" directly under `prefix` (which ends with `/` or is empty)."""
        ...

    def list_keys(self, prefix: str, start_after: str = "",
                  stop_before: str | None = None) -> AsyncIterator[ListedObject]:
        """Objects under `prefix` in key order, after `start_after` and before `stop_before`."""
        ...

    async def fetch(self, ref: ObjectRef) -> Fetched | None:
        """Bytes and metadata; None when absent; raises StoreError otherwise."""
        ...

    async def process(self, ref: ObjectRef, work: Callable[[Fetched], T]) -> T | None:
        """Fetch (bytes and metadata) and apply the CPU-bound `work` in a worker
        thread; None when absent; raises StoreError otherwise."""
        ...

    async def process_many(self, jobs: list[tuple[ObjectRef, str]],
                           work: Callable[[bytes, str], T]) -> list[T | None | StoreError]:
        """`work(bytes, argument)` for a batch of (object, argument) jobs, off the
        event loop in one hop: per job its result, None when absent, or the StoreError."""
        ...

    async def close(self) -> None:
        ...


def awslogs_split(key: str) -> tuple[str, str] | None:
    """(`prefix/`, `AWSLogs/...`) for a key in CloudTrail's layout, else None."""
    index = 0 if key.startswith("AWSLogs/") else key.find("/AWSLogs/") + 1
    if index == 0 and not key.startswith("AWSLogs/"):
        return None
    return key[:index], key[index:]


def path_suffix_match(actual: str, claimed: str) -> bool:
    """True when one path is a trailing part of the other and the common part
    includes `AWSLogs/`: a copy may sit under a different parent folder (with or
    without the bucket name), but never under a different CloudTrail path."""
    left, right = actual.split("/"), claimed.split("/")
    n = min(len(left), len(right))
    return left[-n:] == right[-n:] and "AWSLogs" in left[-n:]
