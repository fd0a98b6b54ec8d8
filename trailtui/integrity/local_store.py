"""A directory mirroring a CloudTrail bucket (`aws s3 sync` or `trailtui acquire`).

S3 user metadata of an object `X` lives in the sidecar `X.metadata.json`
(`{"signature": "...", "signature-algorithm": "SHA256withRSA"}`; the output of
`aws s3api head-object`, with its `Metadata` member, is accepted too).
File reads and the CPU work on them run in worker threads so the event loop
(and the TUI on it) stays responsive.
"""

from __future__ import annotations

import asyncio
import os
import posixpath
from collections.abc import AsyncIterator, Callable
from concurrent.futures import BrokenExecutor, Executor
from typing import Any, TypeVar

import orjson

from trailtui.integrity.store import (
    Fetched,
    ListedObject,
    ObjectRef,
    StoreError,
    awslogs_split,
    path_suffix_match,
)
from trailtui.read_limits import current_limits
from trailtui.regular_file import read_regular

T = TypeVar("T")
SIDECAR_SUFFIX = ".metadata.json"
SIDECAR_LIMIT = 1 << 20  # S3 user metadata is at most 2 KB; a larger sidecar is not one


def read_sidecar(path: str) -> dict[str, str] | None:
    """The S3 user metadata recorded next to `path`; None when there is no sidecar."""
    try:
        raw = read_regular(path + SIDECAR_SUFFIX, SIDECAR_LIMIT)
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        doc: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    if isinstance(doc, dict) and isinstance(doc.get("Metadata"), dict):
        doc = doc["Metadata"]
    if not isinstance(doc, dict):
        return {}
    out = {}
    for name, value in doc.items():
        name = str(name).lower()
        name = name[len("x-amz-meta-"):] if name.startswith("x-amz-meta-") else name
        out[name] = "" if value is None else str(value)
    return out


def read_files_and(jobs: list[tuple[str, str]], work: Callable[[bytes, str], T]) -> list[T | None | StoreError]:
    """Read each file and apply `work(bytes, argument)` (runs in a worker thread
    or process): per job the result, None when the file is absent, or a StoreError."""
    out: list[T | None | StoreError] = []
    for path, argument in jobs:
        try:
            data = read_regular(path, current_limits().max_inflated)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            out.append(None)
            continue
        except OSError as exc:
            out.append(StoreError(f"{path}: {exc.strerror or exc}"))
            continue
        out.append(work(data, argument))
    return out


class LocalStore:
    """EvidenceStore over a directory."""

    def __init__(self, root: str, executor: Executor | None = None, bulk: Executor | None = None) -> None:
        """`executor` (threads) reads single files; `bulk`, when given (worker
        processes), takes the batches of `process_many`, so reading and hashing
        thousands of logs never competes with the event loop for the GIL."""
        self.root = os.path.abspath(root)
        self.root_prefix = ""
        self._executor = executor
        self.bulk = bulk

    def location(self, ref: ObjectRef) -> str:
        return self.root + os.sep + ref.key.replace("/", os.sep)

    def ref(self, key: str) -> ObjectRef:
        return ObjectRef("", key)

    def ref_for(self, bucket: str, key: str, anchor: ObjectRef) -> ObjectRef:
        target, base = awslogs_split(key), awslogs_split(anchor.key)
        if target is None or base is None:
            return ObjectRef("", key)
        return ObjectRef("", base[0] + target[1])

    def same_place(self, ref: ObjectRef, bucket: str, key: str) -> bool:
        return path_suffix_match(ref.key, f"{bucket}/{key}")

    def _path(self, ref: ObjectRef) -> str:
        key = ref.key
        if key.startswith("/"):
            raise StoreError(f"{key}: refusing a path outside {self.root}")
        if ".." in key:  # only then can normalising climb out of the root
            key = posixpath.normpath(key)
            if key == ".." or key.startswith("../"):
                raise StoreError(f"{ref.key}: refusing a path outside {self.root}")
        return self.root + os.sep + key.replace("/", os.sep)

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def list_dirs(self, prefix: str) -> list[str]:
        def scan() -> list[str]:
            try:
                with os.scandir(self._path(ObjectRef("", prefix or "."))) as entries:
                    return sorted(e.name for e in entries if e.is_dir())
            except (FileNotFoundError, NotADirectoryError):
                return []
        return await self._in_thread(scan)

    def _walk(self, prefix: str, start_after: str, stop_before: str | None) -> list[ListedObject]:
        out: list[ListedObject] = []

        def visit(rel_dir: str) -> None:
            try:
                with os.scandir(self._path(ObjectRef("", rel_dir or "."))) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except (FileNotFoundError, NotADirectoryError, PermissionError):
                return
            for entry in entries:
                rel = f"{rel_dir}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    folder = rel + "/"
                    if start_after and folder < start_after and not start_after.startswith(folder):
                        continue
                    if stop_before is not None and folder >= stop_before:
                        continue
                    visit(folder)
                elif entry.is_file() and not entry.name.endswith(SIDECAR_SUFFIX):
                    if rel <= start_after or (stop_before is not None and rel >= stop_before):
                        continue
                    out.append(ListedObject(ObjectRef("", rel), entry.stat().st_size))

        visit(prefix)
        return out

    async def list_keys(self, prefix: str, start_after: str = "",
                        stop_before: str | None = None) -> AsyncIterator[ListedObject]:
        for item in await self._in_thread(self._walk, prefix, start_after, stop_before):
            yield item

    def _read(self, ref: ObjectRef) -> Fetched | None:
        path = self._path(ref)
        try:
            data = read_regular(path, current_limits().max_inflated)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as exc:
            raise StoreError(f"{path}: {exc.strerror or exc}") from None
        return Fetched(data, read_sidecar(path))

    async def fetch(self, ref: ObjectRef) -> Fetched | None:
        return await self._in_thread(self._read, ref)

    def _read_and(self, ref: ObjectRef, work: Callable[[Fetched], T]) -> T | None:
        fetched = self._read(ref)
        return None if fetched is None else work(fetched)

    async def process(self, ref: ObjectRef, work: Callable[[Fetched], T]) -> T | None:
        return await self._in_thread(self._read_and, ref, work)

    async def process_many(self, jobs: list[tuple[ObjectRef, str]],
                           work: Callable[[bytes, str], T]) -> list[T | None | StoreError]:
        refused: dict[int, StoreError] = {}
        paths: list[tuple[str, str]] = []
        for index, (ref, argument) in enumerate(jobs):
            try:
                paths.append((self._path(ref), argument))
            except StoreError as exc:
                refused[index] = exc
        loop = asyncio.get_running_loop()
        outcomes: list[T | None | StoreError] | None = None
        if self.bulk is not None:
            try:
                outcomes = await loop.run_in_executor(self.bulk, read_files_and, paths, work)
            except (BrokenExecutor, OSError, RuntimeError):
                self.bulk = None  # worker processes gone: carry on in threads
        if outcomes is None:
            outcomes = await loop.run_in_executor(self._executor, read_files_and, paths, work)
        for index in sorted(refused):
            outcomes.insert(index, refused[index])
        return outcomes

    async def close(self) -> None:
        return None
