"""A forensic copy of a CloudTrail bucket: logs and digests, with the digests'
S3 user metadata (their signatures) in `X.metadata.json` sidecars, so that
`trailtui verify DIR --public-keys FILE` can prove the copy offline.

* The layout mirrors the bucket: object `k` goes to `DIR/k` (prefix included),
  so a digest's own `digestS3Object` names exactly where it lies.
* Resumable: an object already present with the listed size (and, for a
  single-part upload, the MD5 its ETag states) is not fetched again.
* Keys that would escape DIR (`..`, absolute, empty segments, backslashes)
  are refused and reported; nothing is ever written outside DIR.
* Each copied object gets a line in `DIR/.trailtui/acquire-manifest.jsonl`
  (key, size, ETag, SHA-256 of the stored bytes, metadata, time of copy).
* With --since/--until only what a verification of that window needs is
  copied: digests ending in [since - 3h, until + 1h], logs delivered in
  [since - 4h, until + 1h].
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.integrity.digest import parse_digest_name
from trailtui.integrity.discovery import TrailFilter, day_bounds, find_awslogs_roots, find_folders
from trailtui.integrity.s3_store import S3Store
from trailtui.integrity.store import ListedObject, StoreError
from trailtui.sources.layout import delivery_stamp

MANIFEST = Path(".trailtui") / "acquire-manifest.jsonl"
SCRATCH = Path(".trailtui") / "partial"
SIDECAR_SUFFIX = ".metadata.json"


class AcquireError(Exception):
    """The copy cannot run at all (bad source or destination, listing denied)."""


@dataclass(frozen=True, slots=True)
class AcquireOptions:
    source: str
    dest: str
    since: datetime | None = None
    until: datetime | None = None
    concurrency: int = 16


@dataclass(slots=True)
class AcquireSummary:
    listed: int = 0
    copied: int = 0
    skipped: int = 0
    refused: int = 0
    failed: int = 0
    bytes_copied: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.refused == 0 and self.failed == 0


NAME_MAX = 255  # bytes in one path segment (Linux, macOS)
PATH_MAX = 4095  # bytes in a whole path


def unstorable_reason(root: Path, key: str) -> str | None:
    """Why `key` cannot be stored under `root` although it stays inside it (a
    segment or path longer than the filesystem allows, sidecar included), else None."""
    parts = key.split("/")
    longest = max(len(part.encode("utf-8", "surrogatepass")) for part in parts)
    leaf = len(parts[-1].encode("utf-8", "surrogatepass")) + len(SIDECAR_SUFFIX)
    if longest > NAME_MAX or leaf > NAME_MAX:
        return f"a path segment is longer than the filesystem allows ({NAME_MAX} bytes, sidecar included)"
    if len(str(root.resolve() / key).encode("utf-8", "surrogatepass")) + len(SIDECAR_SUFFIX) > PATH_MAX:
        return f"the path is longer than the filesystem allows ({PATH_MAX} bytes)"
    return None


def nested_conflicts(keys: list[str]) -> dict[str, str]:
    """Keys that cannot all be files: `x.json.gz` and `x.json.gz/inner.json.gz`.
    Of each clash, a key named like a CloudTrail file is kept over one that is
    not (a planted object cannot block a day's folder); otherwise the deeper
    keys are refused.  Returns refused key -> why."""
    listed = set(keys)
    refused: dict[str, str] = {}
    for key in keys:
        parts = key.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in listed:
                continue
            if _cloudtrail_name(folder) or not _cloudtrail_name(key):
                refused[key] = f"its folder {folder} is also an object in the listing"
            else:
                refused.setdefault(folder, f"it is also the folder of {key}")
    return refused


def _cloudtrail_name(key: str) -> bool:
    name = key.rsplit("/", 1)[-1]
    return parse_digest_name(name) is not None or delivery_stamp(name) is not None


def safe_destination(root: Path, key: str) -> Path | None:
    """Where `key` goes under `root`, or None when it would land outside it."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        return None
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    target = root.joinpath(*parts)
    try:
        resolved_parent = target.parent.resolve()
    except OSError:
        return None
    if not resolved_parent.is_relative_to(root.resolve()):
        return None
    return target


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _simple_etag(etag: str | None) -> str | None:
    """The MD5 a single-part upload's ETag states (multipart ETags are not MD5s)."""
    if etag and len(etag) == 32 and "-" not in etag:
        return etag.lower()
    return None


def _read_manifest(root: Path) -> dict[str, dict[str, Any]]:
    path = root / MANIFEST
    known: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return known
    for line in lines:
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            known[entry["key"]] = entry
    return known


def already_copied(target: Path, obj: ListedObject, is_digest: bool, manifest: dict[str, dict[str, Any]]) -> bool:
    try:
        if target.stat().st_size != obj.size:
            return False
    except OSError:
        return False
    if is_digest and not Path(str(target) + SIDECAR_SUFFIX).exists():
        return False
    md5 = _simple_etag(obj.etag)
    if md5 is not None:
        return _md5(target) == md5
    entry = manifest.get(obj.ref.key)
    return entry is not None and entry.get("etag") == obj.etag and entry.get("size") == obj.size


def _write_atomically(target: Path, data: bytes, scratch: Path) -> None:
    """Write to a scratch file outside the mirrored tree, then rename into place:
    an interrupted copy never leaves a half file where verify would read it,
    and a failed one (name too long, a file where a folder must be, a full
    disk) leaves no scratch file either."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch.mkdir(parents=True, exist_ok=True)
    temp = scratch / f"{hashlib.sha256(str(target).encode()).hexdigest()[:24]}.partial"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class Acquirer:
    """One copy run; `await Acquirer(options, aws).run(report)`."""

    def __init__(self, options: AcquireOptions, aws: AwsConfig | None = None) -> None:
        if not options.source.startswith("s3://"):
            raise AcquireError(f"{options.source}: acquire copies from s3://bucket[/prefix]")
        if options.since and options.until and options.since > options.until:
            raise AcquireError("invalid time range: --since must be before --until")
        self.options = options
        self.factory = ClientFactory(aws or AwsConfig())
        self.root = Path(options.dest)
        self.summary = AcquireSummary()
        self._conflicts: dict[str, str] = {}

    def _bounds(self, digests: bool) -> tuple[datetime | None, datetime | None]:
        since, until = self.options.since, self.options.until
        if digests:
            return (since - timedelta(hours=3) if since else None, until + timedelta(hours=1) if until else None)
        return (since - timedelta(hours=4) if since else None,
                until + timedelta(hours=1, minutes=1) if until else None)

    def _wanted(self, key: str, digests: bool) -> bool:
        low, high = self._bounds(digests)
        if low is None and high is None:
            return True
        name = key.rsplit("/", 1)[-1]
        parsed = parse_digest_name(name) if digests else None
        when = parsed.end if parsed else delivery_stamp(name)
        if when is None:
            return True  # unknown date: copy rather than lose evidence
        return (low is None or when >= low) and (high is None or when <= high)

    async def _listing(self, store: S3Store) -> list[tuple[ListedObject, bool]]:
        start = store.root_prefix
        search_from = start.split("AWSLogs/")[0] if "AWSLogs/" in start else start
        found: list[tuple[ListedObject, bool]] = []
        for root in await find_awslogs_roots(store, search_from):
            for folder in await find_folders(store, root, TrailFilter()):
                for prefix, digests in ((folder.digest_prefix, True), (folder.log_prefix, False)):
                    if not (prefix.startswith(start) or start.startswith(folder.base) or not start):
                        continue
                    async for obj in store.list_keys(prefix, *day_bounds(prefix, *self._bounds(digests))):
                        if self._wanted(obj.ref.key, digests):
                            found.append((obj, digests))
        return found

    async def run(self, report: Callable[[str], None] = lambda _: None) -> AcquireSummary:
        """Copy; `report` gets one line per refused or failed object."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AcquireError(f"{self.root}: cannot create ({exc.strerror or exc})") from None
        store = S3Store(self.options.source, self.factory, concurrency=self.options.concurrency)
        if not store.bucket:
            raise AcquireError(f"{self.options.source}: no bucket name")
        manifest = _read_manifest(self.root)
        (self.root / MANIFEST).parent.mkdir(parents=True, exist_ok=True)
        try:
            listing = await self._listing(store)
            self.summary.listed = len(listing)
            self._conflicts = nested_conflicts([obj.ref.key for obj, _ in listing])
            with (self.root / MANIFEST).open("ab") as log:
                gate = asyncio.Semaphore(self.options.concurrency)

                async def one(obj: ListedObject, is_digest: bool) -> None:
                    async with gate:
                        await self._copy(store, obj, is_digest, manifest, log, report)

                await asyncio.gather(*(one(obj, is_digest) for obj, is_digest in listing))
        except StoreError as exc:
            raise AcquireError(str(exc)) from None
        finally:
            await store.close()
        return self.summary

    async def _copy(self, store: S3Store, obj: ListedObject, is_digest: bool, manifest: dict[str, dict[str, Any]],
                    log: Any, report: Callable[[str], None]) -> None:
        location = store.location(obj.ref)
        target = safe_destination(self.root, obj.ref.key)
        if target is None:
            self._refuse(location, f"the key would escape {self.root}", report)
            return
        reason = unstorable_reason(self.root, obj.ref.key) or self._conflicts.get(obj.ref.key)
        if reason is not None:
            self._refuse(location, f"the key cannot be stored: {reason}", report)
            return
        if await asyncio.to_thread(already_copied, target, obj, is_digest, manifest):
            self.summary.skipped += 1
            return
        try:
            fetched = await store.fetch(obj.ref)
        except StoreError as exc:
            fetched, error = None, str(exc)
        else:
            error = "disappeared between listing and copy"
        if fetched is None:
            self.summary.failed += 1
            self.summary.problems.append(f"{location}: {error}")
            report(f"{location}: {error}")
            return
        md5 = _simple_etag(obj.etag)
        if md5 is not None and hashlib.md5(fetched.data, usedforsecurity=False).hexdigest() != md5:
            self.summary.failed += 1
            message = f"{location}: downloaded bytes do not match the ETag (object changed during the copy?)"
            self.summary.problems.append(message)
            report(message)
            return
        metadata = fetched.metadata or {}
        try:
            await asyncio.to_thread(self._store_files, target, fetched.data, metadata, is_digest)
        except OSError as exc:
            self._refuse(location, f"the key cannot be stored: {exc.strerror or exc}", report)
            return
        entry = {"key": obj.ref.key, "bucket": obj.ref.bucket, "size": len(fetched.data), "etag": obj.etag,
                 "sha256": hashlib.sha256(fetched.data).hexdigest(), "metadata": metadata,
                 "acquired_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        log.write(orjson.dumps(entry) + b"\n")
        log.flush()
        self.summary.copied += 1
        self.summary.bytes_copied += len(fetched.data)

    def _refuse(self, location: str, why: str, report: Callable[[str], None]) -> None:
        self.summary.refused += 1
        message = f"{location}: refused, {why}"
        self.summary.problems.append(message)
        report(message)

    def _store_files(self, target: Path, data: bytes, metadata: dict[str, str], is_digest: bool) -> None:
        scratch = self.root / SCRATCH
        # The sidecar first: a digest present without one would read as "metadata never captured".
        sidecar = Path(str(target) + SIDECAR_SUFFIX)
        if is_digest or metadata:
            _write_atomically(sidecar, orjson.dumps(metadata), scratch)
        try:
            _write_atomically(target, data, scratch)
        except OSError:
            if is_digest or metadata:
                sidecar.unlink(missing_ok=True)  # no signature left for an object that is not there
            raise

