"""Verify CloudTrail digest chains and the log files they list.

The engine behind `trailtui verify` and the Integrity pane.  `Verifier.run()`
is an async generator of `Update`s (new results, live counts, and the summary
at the end), so every face can show progress while the work goes on.

Per chain, newest to oldest (following `previousDigestS3Object`):
  fetch -> strict gunzip -> JSON -> required fields -> location -> algorithm ->
  public key -> RSA signature (from S3 metadata, or, for a local copy without
  metadata, from the successor's `previousDigestSignature`) -> the successor's
  `previousDigestHashValue`/`previousDigestSignature`/start time against the
  predecessor (CHAIN_MISMATCH).
Then, beyond the reference `validate-logs`: each missing hour is reported (not
one per hole), a missing newest digest is TAIL_MISSING, and every log file in
the window that no valid digest lists is UNVERIFIED.  Logs are hashed
concurrently in worker threads.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import AsyncIterator, Mapping

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.integrity.digest import (
    HASH_ALGORITHM, HOUR, SIGNATURE_ALGORITHM, Digest, DigestFormatError, DigestName, parse_digest,
    parse_digest_name, predicted_key, signing_string,
)
from trailtui.integrity.discovery import (
    Chain, FolderContents, TrailFilter, Window, find_awslogs_roots, find_folders, list_folder,
)
from trailtui.integrity.inflate import check_log_bytes, inflate_strict
from trailtui.integrity.key_source import FileKeys, KeySource, KeySourceError, OnlineKeys
from trailtui.integrity.keyring import KeyFileError, KeyRing, load_key_file
from trailtui.integrity.local_store import LocalStore
from trailtui.integrity.s3_store import S3Store
from trailtui.integrity.store import EvidenceStore, Fetched, ObjectRef, StoreError
from trailtui.integrity.summary import Summary, iso, summarise
from trailtui.integrity.verdicts import IntegrityResult, Status
from trailtui.integrity.workers import start_hash_processes
from trailtui.sources.layout import delivery_stamp

PENDING_DELAY = timedelta(minutes=90)  # a log delivered this recently may not be in a digest yet
TAIL_GRACE = timedelta(minutes=30)  # how late the hourly digest may be delivered
MAX_PREDICTED = 48  # missing hours listed one by one before summarising the rest
PREFETCH_AHEAD = 16
CHAINS_AT_ONCE = 8  # chains walked concurrently (each walk waits on one digest at a time)
UPDATE_EVERY = 0.1  # seconds between progress updates
LOG_BATCH = 32  # log files per worker-thread hop (per-file hops cost more than hashing a small file)
USABLE = (Status.VALID, Status.UNSIGNED, Status.CHAIN_MISMATCH)


class VerifyError(Exception):
    """Verification cannot run (bad source, no keys, listing denied); one line."""


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """What to verify.  Times are UTC datetimes (already parsed); `end` None means now."""

    source: str
    start: datetime | None = None
    end: datetime | None = None
    trail_arn: str | None = None
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    public_key_files: tuple[str, ...] = ()
    concurrency: int = 32
    now: datetime | None = None
    processes: bool | None = None  # hash local logs in worker processes; None: when the tree is big


@dataclass(frozen=True, slots=True)
class Update:
    """Progress: results new since the previous update, and running totals."""

    phase: str
    results: tuple[IntegrityResult, ...]
    checked: int
    known: int
    counts: Mapping[Status, int]
    trails: tuple[str, ...] = ()
    summary: Summary | None = None


@dataclass(slots=True)
class DigestCheck:
    """What a digest shows on its own.  `status` None: readable and in place,
    but its signature must come from its successor (no metadata captured)."""

    ref: ObjectRef
    status: Status | None
    detail: str = ""
    digest: Digest | None = None
    sha256: str = ""
    signature: str | None = None
    has_metadata: bool = False
    ring: KeyRing | None = None


@dataclass(frozen=True, slots=True)
class DecodedDigest:
    """A digest object after the CPU-bound part (worker thread): strict gunzip and JSON."""

    problem: tuple[Status, str] | None = None
    digest: Digest | None = None
    sha256: str = ""
    metadata: dict[str, str] | None = None


def decode_digest(fetched: Fetched) -> DecodedDigest:
    inflated = inflate_strict(fetched.data)
    if inflated.problem is not None:
        return DecodedDigest(problem=inflated.problem)
    try:
        digest = parse_digest(inflated.data or b"")
    except DigestFormatError as exc:
        return DecodedDigest(problem=(Status.BAD_FORMAT, str(exc)))
    return DecodedDigest(digest=digest, sha256=inflated.sha256, metadata=fetched.metadata)


@dataclass(frozen=True, slots=True)
class Proof:
    """A successor's word on its predecessor: where it is and its signature."""

    successor: str
    signature: str | None


@dataclass(frozen=True, slots=True)
class _LogJob:
    ref: ObjectRef
    sha256: str
    digest_location: str
    note: str


@dataclass(slots=True)
class _Cursor:
    ref: ObjectRef
    end: datetime
    proof: Proof | None = None
    by_pointer: bool = False


def _basename(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


def open_store(source: str, factory: ClientFactory, executor: ThreadPoolExecutor,
               concurrency: int) -> tuple[EvidenceStore, str]:
    """The store for SOURCE and the key prefix discovery starts from."""
    if source.startswith("s3://"):
        store = S3Store(source, factory, executor, concurrency)
        if not store.bucket:
            raise VerifyError(f"{source}: no bucket name (use s3://bucket[/prefix])")
        return store, store.root_prefix
    path = source[len("file://"):] if source.startswith("file://") else source
    if not os.path.isdir(path):
        raise VerifyError(f"{path}: not a directory (SOURCE is s3://bucket[/prefix] or a local copy of one)")
    parts = os.path.abspath(path).split(os.sep)
    if "AWSLogs" in parts:  # pointed inside the layout: root at the folder above AWSLogs
        index = len(parts) - 1 - parts[::-1].index("AWSLogs")
        root = os.sep.join(parts[:index]) or os.sep
        return LocalStore(root, executor), "/".join(parts[index:]) + "/"
    return LocalStore(path, executor), ""


class Verifier:
    """One verification run over a source.  Use `async for update in verifier.run()`."""

    def __init__(self, options: VerifyOptions, aws: AwsConfig | None = None) -> None:
        self.options = options
        self.factory = ClientFactory(aws or AwsConfig())
        self.now = _utc(options.now) or datetime.now(timezone.utc)
        self.start = _utc(options.start)
        self.end_explicit = options.end is not None
        self.end = _utc(options.end) or self.now
        if self.start and self.start > self.end:
            raise VerifyError("invalid time range: --start must be before --end")
        try:
            self.filter = TrailFilter.build(options.trail_arn, options.accounts, options.regions)
        except ValueError as exc:
            raise VerifyError(str(exc)) from None
        self.window = Window(self.start, self.end)
        self.results: list[IntegrityResult] = []
        self.trails: tuple[str, ...] = ()
        self.phase = "starting"
        self._new: list[IntegrityResult] = []
        self._known = 0
        self._checked = 0
        self._counts: dict[Status, int] = {}
        self._checks: dict[ObjectRef, asyncio.Task[DigestCheck]] = {}
        self._covered: set[ObjectRef] = set()
        self._listed_logs: set[ObjectRef] = set()
        self._excused: set[ObjectRef] = set()
        self._listed_by_bad: dict[ObjectRef, str] = {}
        self._log_jobs: set[tuple[ObjectRef, str]] = set()
        self._log_tasks: set[asyncio.Task[None]] = set()
        self._missing_spans: list[tuple[datetime, datetime, str]] = []
        self._valid_spans: list[tuple[datetime, datetime]] = []
        self._pending_logs = 0
        self._executor: ThreadPoolExecutor | None = None
        self._processes: Executor | None = None
        self._store: EvidenceStore | None = None
        self._keys: KeySource | None = None
        self._slots: asyncio.Semaphore | None = None
        self._batch: list[_LogJob] = []

    # -- public ------------------------------------------------------------------------------

    async def run(self) -> AsyncIterator[Update]:
        """Verify, yielding an Update at most every UPDATE_EVERY seconds and a
        last one carrying the summary.  Raises VerifyError on a fatal problem."""
        worker = asyncio.create_task(self._verify())
        try:
            while not worker.done():
                await asyncio.wait({worker}, timeout=UPDATE_EVERY)
                if self._new or worker.done():
                    yield self._update()
            worker.result()
            self.phase = "done"
            yield self._update(summary=self.summary())
        finally:
            if not worker.done():
                worker.cancel()
                await asyncio.gather(worker, return_exceptions=True)
            await self._close()

    async def verify(self) -> Summary:
        """Run to the end without progress (tests, scripts)."""
        summary = None
        async for update in self.run():
            summary = update.summary or summary
        assert summary is not None
        return summary

    def summary(self) -> Summary:
        return summarise(self.results, self.start, self.end, self._valid_spans, self._pending_logs, self.trails)

    # -- plumbing ------------------------------------------------------------------------------

    def _update(self, summary: Summary | None = None) -> Update:
        new, self._new = tuple(self._new), []
        return Update(self.phase, new, self._checked, max(self._known, self._checked), dict(self._counts),
                      self.trails, summary)

    def _emit(self, result: IntegrityResult) -> None:
        self.results.append(result)
        self._new.append(result)
        if result.status is not Status.GAP:
            self._checked += 1
        self._counts[result.status] = self._counts.get(result.status, 0) + 1

    async def _close(self) -> None:
        for task in self._log_tasks | set(self._checks.values()):
            task.cancel()
        if self._store is not None:
            await self._store.close()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)

    def _key_source(self) -> KeySource:
        if not self.options.public_key_files:
            return OnlineKeys(self.factory)
        ring, warnings = KeyRing(), []
        try:
            for path in self.options.public_key_files:
                warnings += load_key_file(path, ring)[1]
        except KeyFileError as exc:
            raise VerifyError(str(exc)) from None
        return FileKeys(ring, warnings)

    @property
    def warnings(self) -> list[str]:
        return list(self._keys.warnings) if self._keys is not None else []

    # -- the run ---------------------------------------------------------------------------------

    async def _verify(self) -> None:
        self._keys = self._key_source()
        self._executor = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="verify")
        self._slots = asyncio.Semaphore(max(2, self.options.concurrency // 8))
        self._store, start_prefix = open_store(self.options.source, self.factory, self._executor,
                                               self.options.concurrency)
        self.phase = "listing"
        try:
            contents = await self._discover(start_prefix)
        except StoreError as exc:
            raise VerifyError(str(exc)) from None
        if isinstance(self._store, LocalStore):
            expected_logs = sum(len(fc.logs) for fc in contents)
            if self.options.processes is not False:
                self._processes = start_hash_processes(expected_logs, force=bool(self.options.processes))
            self._store.bulk = self._processes
        selected = [c for fc in contents for c in fc.chains if c.selected]
        given = self.options.trail_arn.strip() if self.options.trail_arn else None
        self.trails = tuple(sorted({given or c.id.trail_arn for c in selected}))
        self._known += sum(len(c.listed) for c in selected)
        try:
            await self._prepare_keys(selected)
        except KeySourceError as exc:
            raise VerifyError(str(exc)) from None
        self.phase = "verifying"
        gate = asyncio.Semaphore(CHAINS_AT_ONCE)

        async def walk(chain: Chain) -> None:
            async with gate:
                await self._walk(chain)

        await asyncio.gather(*(walk(chain) for fc in contents for chain in fc.chains))
        await self._drain_logs()
        self.phase = "coverage"
        for folder_contents in contents:
            self._coverage(folder_contents)

    async def _discover(self, start_prefix: str) -> list[FolderContents]:
        assert self._store is not None
        base_scope = start_prefix if "AWSLogs/" in start_prefix else ""
        search_from = start_prefix.split("AWSLogs/")[0] if base_scope else start_prefix
        contents = []
        for root in await find_awslogs_roots(self._store, search_from):
            for folder in await find_folders(self._store, root, self.filter):
                if base_scope and not (folder.digest_prefix.startswith(base_scope)
                                       or folder.log_prefix.startswith(base_scope)
                                       or base_scope.startswith(folder.base)):
                    continue
                listed = await list_folder(self._store, folder, self.window, self.filter)
                has_selected = any(c.selected for c in listed.chains)
                if has_selected or (self.filter.trail_name is None and listed.logs):
                    contents.append(listed)
                    self._known += len(listed.logs)
                    self._listed_logs.update(obj.ref for obj in listed.logs)
        return contents

    async def _prepare_keys(self, chains: list[Chain]) -> None:
        assert self._keys is not None
        spans: dict[str, tuple[datetime, datetime]] = {}
        for chain in chains:
            if not chain.listed:
                continue
            low, high = chain.listed[0].name.end - HOUR, chain.listed[-1].name.end
            region = chain.id.folder.region
            old = spans.get(region)
            spans[region] = (min(low, old[0]), max(high, old[1])) if old else (low, high)
        for region, (low, high) in sorted(spans.items()):
            await self._keys.prepare(region, low, high)

    # -- one digest on its own -------------------------------------------------------------------

    def _check(self, ref: ObjectRef, region: str) -> asyncio.Task[DigestCheck]:
        task = self._checks.get(ref)
        if task is None:
            task = asyncio.create_task(self._examine(ref, region))
            self._checks[ref] = task
        return task

    async def _examine(self, ref: ObjectRef, region: str) -> DigestCheck:
        assert self._store is not None and self._keys is not None
        try:
            decoded = await self._store.process(ref, decode_digest)
        except StoreError as exc:
            return DigestCheck(ref, Status.UNVERIFIED, f"cannot read: {exc}")
        if decoded is None:
            return DigestCheck(ref, Status.MISSING, "not found")
        if decoded.problem is not None:
            return DigestCheck(ref, *decoded.problem)
        digest, metadata = decoded.digest, decoded.metadata
        assert digest is not None
        check = DigestCheck(ref, None, digest=digest, sha256=decoded.sha256, has_metadata=metadata is not None)
        if not self._store.same_place(ref, digest.bucket, digest.key):
            check.status = Status.MOVED
            check.detail = f"has been moved from its original location s3://{digest.bucket}/{digest.key}"
            return check
        if digest.algorithm is not None and digest.algorithm != SIGNATURE_ALGORITHM:
            check.status, check.detail = Status.BAD_SIGNATURE, (
                f"digestSignatureAlgorithm {digest.algorithm} is not {SIGNATURE_ALGORITHM}")
            return check
        if metadata is not None:
            signature = metadata.get("signature", "").strip().lower()
            algorithm = metadata.get("signature-algorithm")
            if not signature:
                check.status, check.detail = Status.BAD_SIGNATURE, "no signature in the object's metadata"
                return check
            if algorithm != SIGNATURE_ALGORITHM:
                check.status, check.detail = Status.BAD_SIGNATURE, (
                    f"signature-algorithm is {algorithm or 'missing'}, not {SIGNATURE_ALGORITHM}")
                return check
            check.signature = signature
        try:
            ring = await self._keys.ring(region, digest.fingerprint, digest.end)
        except KeySourceError as exc:
            check.status, check.detail = Status.KEY_NOT_FOUND, str(exc)
            return check
        check.ring = ring
        if digest.fingerprint not in ring:
            check.status, check.detail = Status.KEY_NOT_FOUND, (
                f"public key not found in region {region} for fingerprint {digest.fingerprint}")
            return check
        if ring.public_key(digest.fingerprint) is None:
            check.status, check.detail = Status.KEY_NOT_FOUND, (
                f"Unable to load PKCS #1 key with fingerprint {digest.fingerprint}")
            return check
        if check.signature is not None:
            if ring.verify(digest.fingerprint, check.signature, signing_string(digest, decoded.sha256)):
                check.status = Status.VALID
            else:
                check.status, check.detail = Status.BAD_SIGNATURE, "signature verification failed"
        return check

    @staticmethod
    def _settle(check: DigestCheck, proof: Proof | None) -> tuple[Status, str]:
        """The final own-status of a digest, using its successor's word when it has no metadata."""
        if check.status is not None:
            return check.status, check.detail
        digest, ring = check.digest, check.ring
        assert digest is not None and ring is not None
        if proof is None or not proof.signature:
            return Status.UNSIGNED, "no signature metadata and no valid successor to vouch for it"
        if ring.verify(digest.fingerprint, proof.signature, signing_string(digest, check.sha256)):
            return Status.VALID, f"signature taken from previousDigestSignature of {proof.successor}"
        return Status.BAD_SIGNATURE, f"does not match the previousDigestSignature of {proof.successor}"

    def _link_problem(self, digest: Digest, previous_ref: ObjectRef, previous: DigestCheck,
                      visited: set[str]) -> str | None:
        """Why `digest`'s link to its predecessor is broken (CHAIN_MISMATCH), if it is.
        A predecessor that is itself missing or invalid is reported on its own."""
        if previous_ref.key in visited:
            return "previousDigestS3Object loops back to a newer digest"
        if previous.status not in (Status.VALID, None):
            return None
        return self._chain_mismatch(digest, previous, self._loc(previous_ref))

    def _chain_mismatch(self, digest: Digest, previous: DigestCheck, where: str) -> str | None:
        """How `digest`'s record of its predecessor disagrees with the predecessor itself."""
        problems = []
        if previous.digest is not None and previous.digest.end != digest.start:
            problems.append(f"starts at {digest.start_text} but its predecessor ends at {previous.digest.end_text}")
        if digest.previous_hash != previous.sha256:
            problems.append(f"previousDigestHashValue is not the SHA-256 of {where}")
        if digest.previous_hash_algorithm not in (None, HASH_ALGORITHM):
            problems.append(f"previousDigestHashAlgorithm is {digest.previous_hash_algorithm}")
        if previous.signature is not None and digest.previous_signature != previous.signature:
            problems.append(f"previousDigestSignature is not the signature of {where}")
        return "; ".join(problems) or None

    # -- walking a chain --------------------------------------------------------------------------

    def _needed(self, end: datetime) -> bool:
        return self.start is None or end >= self.start

    @staticmethod
    def _older(chain: Chain, visited: set[str], than: datetime) -> "_Cursor | None":
        for index in chain.older_than(than):
            item = chain.listed[index]
            if item.obj.ref.key not in visited:
                return _Cursor(item.obj.ref, item.name.end)
        return None

    def _prefetch(self, chain: Chain, than: datetime, done: list[int]) -> None:
        """Start checking the next PREFETCH_AHEAD older listed digests; `done[0]`
        is the lowest index already started, so each one is started once."""
        region = chain.id.folder.region
        for index in chain.older_than(than)[:PREFETCH_AHEAD]:
            if index >= done[0]:
                continue
            self._check(chain.listed[index].obj.ref, region)
            done[0] = index

    async def _walk(self, chain: Chain) -> None:
        if not chain.listed:
            return
        assert self._store is not None
        store, region, report = self._store, chain.id.folder.region, chain.selected
        cadence = not chain.id.backfill
        visited: set[str] = set()
        newest = chain.listed[-1]
        sample = [self._check(item.obj.ref, region) for item in chain.listed[-3:]]
        copy_has_metadata = any(c.has_metadata for c in await asyncio.gather(*sample))
        cursor: _Cursor | None = _Cursor(newest.obj.ref, newest.name.end)
        first = True
        prefetched = [max(0, len(chain.listed) - 3)]
        while cursor is not None:
            self._prefetch(chain, cursor.end, prefetched)
            check = await self._check(cursor.ref, region)
            visited.add(cursor.ref.key)
            own, detail = self._settle(check, cursor.proof)
            tolerated = own is Status.UNSIGNED and first and not copy_has_metadata
            if own is Status.UNSIGNED and not tolerated and copy_has_metadata:
                detail = "no signature metadata, although other digests of this chain have it"
            digest = check.digest
            previous_ref = previous = None
            status = own
            if own in (Status.VALID, Status.UNSIGNED) and digest is not None and digest.previous_key:
                previous_ref = store.ref_for(digest.previous_bucket or digest.bucket, digest.previous_key, cursor.ref)
                previous = await self._check(previous_ref, region)
                mismatch = self._link_problem(digest, previous_ref, previous, visited)
                if mismatch:
                    status, detail, tolerated = Status.CHAIN_MISMATCH, mismatch, False
            if report:
                self._report_digest(chain, cursor, check, status, detail, tolerated)
            if digest is not None:
                if own is Status.VALID or tolerated:  # its list of log files is authentic (or the best there is)
                    await self._cover(digest, cursor.ref, report, unsigned=tolerated)
                    if own is Status.VALID and report:
                        self._valid_spans.append((digest.start, digest.end))
                elif report:
                    self._remember_bad(digest, cursor.ref, status)
            first = False
            done = cursor.ref
            cursor = await self._next(chain, cursor, check, status, digest, previous_ref, previous, visited,
                                      report, cadence)
            self._checks.pop(done, None)  # keep memory bounded on long chains
        if report:
            await self._sweep(chain, visited)

    async def _next(self, chain: Chain, cursor: _Cursor, check: DigestCheck, status: Status,
                    digest: Digest | None, previous_ref: ObjectRef | None, previous: DigestCheck | None,
                    visited: set[str], report: bool, cadence: bool) -> _Cursor | None:
        """Where the walk goes after `cursor`: the predecessor it names, or the
        next older digest in the listing (after a gap, a missing or bad digest)."""
        trusted = status in (Status.VALID, Status.UNSIGNED) or (
            status is Status.CHAIN_MISMATCH and previous_ref is not None and previous_ref.key not in visited)
        if trusted and digest is not None:
            if previous_ref is not None and previous is not None:
                name = parse_digest_name(_basename(previous_ref.key))
                previous_end = name.end if name else digest.start
                if report:
                    await self._intruders(chain, visited, previous_end, cursor.end, previous_ref)
                if self.start is not None and digest.start < self.start:
                    return None
                return _Cursor(previous_ref, previous_end, Proof(self._loc(cursor.ref), digest.previous_signature),
                               by_pointer=True)
            if self.start is not None and digest.start < self.start:
                return None
            older = self._older(chain, visited, cursor.end)
            if older is None or not self._needed(older.end):
                return None
            if report and cadence:
                self._emit(IntegrityResult(
                    "digest", self._loc(cursor.ref), Status.GAP,
                    f"No log files were delivered by CloudTrail between {iso(older.end)} and {digest.start_text}",
                    backfill=chain.id.backfill))
            return older
        older = self._older(chain, visited, cursor.end)
        if check.status is Status.MISSING and cursor.by_pointer and report and cadence:
            self._predict_missing(chain, cursor, older)
        if older is None or not self._needed(older.end):
            return None
        if digest is not None and digest.previous_key and status is not Status.MOVED:
            assert self._store is not None
            target = self._store.ref_for(digest.previous_bucket or digest.bucket, digest.previous_key, cursor.ref)
            if target == older.ref:
                older.proof = Proof(self._loc(cursor.ref), digest.previous_signature)
        return older

    def _loc(self, ref: ObjectRef) -> str:
        assert self._store is not None
        return self._store.location(ref)

    def _report_digest(self, chain: Chain, cursor: _Cursor, check: DigestCheck, status: Status, detail: str,
                       tolerated: bool) -> None:
        if status is Status.MISSING:
            low = check.digest.start if check.digest else cursor.end - HOUR
            self._missing_spans.append((low, cursor.end, self._loc(cursor.ref)))
            if cursor.proof is not None:
                detail = f"not found (previousDigestS3Object of {cursor.proof.successor})"
        if status is Status.UNSIGNED and tolerated:
            detail = "newest digest, no signature metadata in this copy: its content cannot be proven"
        self._emit(IntegrityResult("digest", self._loc(cursor.ref), status, detail, tolerated=tolerated,
                                   backfill=chain.id.backfill))

    def _predicted_ref(self, chain: Chain, end: datetime) -> ObjectRef:
        assert self._store is not None
        template = chain.listed[-1]
        name = DigestName(template.name.account, template.name.region, template.name.trail,
                          template.name.home_region, end, template.name.backfill)
        return self._store.ref(predicted_key(template.obj.ref.key, name, end))

    def _predict_missing(self, chain: Chain, cursor: _Cursor, older: _Cursor | None) -> None:
        """After a missing digest, the hours between it and the next older one
        present were missing too: report each (the reference reports one)."""
        if older is None and self.start is None:
            return
        when = cursor.end - HOUR
        floor = older.end + TAIL_GRACE if older else None
        count = 0
        while (floor is None or when > floor) and (self.start is None or when >= self.start):
            if older is None and count >= MAX_PREDICTED:
                break
            ref = self._predicted_ref(chain, when)
            self._missing_spans.append((when - HOUR, when, self._loc(ref)))
            self._emit(IntegrityResult(
                "digest", self._loc(ref), Status.MISSING,
                f"not found: no digest for the hour ending about {iso(when)} (location predicted from the hourly "
                "cadence)", backfill=chain.id.backfill))
            when -= HOUR
            count += 1

    async def _intruders(self, chain: Chain, visited: set[str], low: datetime, high: datetime,
                         target: ObjectRef) -> None:
        """Listed digests between a digest and the predecessor it names are not
        part of the chain: report them rather than skip them silently."""
        for index in chain.between(low, high):
            ref = chain.listed[index].obj.ref
            if ref.key not in visited and ref != target:
                visited.add(ref.key)
                await self._report_outsider(chain, ref, f"not in the chain: its successor names {self._loc(target)}")

    async def _sweep(self, chain: Chain, visited: set[str]) -> None:
        """Listed digests in the window that the walk never reached."""
        for item in chain.listed:
            if item.obj.ref.key not in visited and self._needed(item.name.end):
                visited.add(item.obj.ref.key)
                await self._report_outsider(chain, item.obj.ref, "not reached by following the chain")

    async def _report_outsider(self, chain: Chain, ref: ObjectRef, why: str) -> None:
        check = await self._check(ref, chain.id.folder.region)
        status, detail = check.status, check.detail
        if status is None or status is Status.VALID:
            status, detail = Status.CHAIN_MISMATCH, why
        self._emit(IntegrityResult("digest", self._loc(ref), status, detail, backfill=chain.id.backfill))
        if check.digest is not None:
            self._remember_bad(check.digest, ref, status)

    # -- log files ----------------------------------------------------------------------------------

    async def _cover(self, digest: Digest, digest_ref: ObjectRef, report: bool, unsigned: bool) -> None:
        """Queue the log files an authentic digest lists for hash checks (in batches)."""
        assert self._store is not None
        for entry in digest.logs:
            ref = self._store.ref_for(entry.bucket, entry.key, digest_ref)
            if not report:
                self._excused.add(ref)
                continue
            self._covered.add(ref)
            job = (ref, entry.sha256)
            if job in self._log_jobs:
                continue
            self._log_jobs.add(job)
            if ref not in self._listed_logs:
                self._known += 1
            if entry.algorithm != HASH_ALGORITHM:
                self._emit(IntegrityResult("log", self._loc(ref), Status.BAD_FORMAT,
                                           f"hashAlgorithm {entry.algorithm} is not {HASH_ALGORITHM}"))
                continue
            note = f"listed by the unsigned newest digest {self._loc(digest_ref)}" if unsigned else ""
            self._batch.append(_LogJob(ref, entry.sha256, self._loc(digest_ref), note))
            if len(self._batch) >= LOG_BATCH:
                await self._flush_logs()

    async def _flush_logs(self) -> None:
        """Start checking the queued log files (bounded number of batches in flight)."""
        if not self._batch:
            return
        assert self._slots is not None
        batch, self._batch = self._batch, []
        await self._slots.acquire()
        task = asyncio.create_task(self._check_logs(batch))
        self._log_tasks.add(task)
        task.add_done_callback(self._log_tasks.discard)

    async def _check_logs(self, batch: list["_LogJob"]) -> None:
        assert self._store is not None and self._slots is not None
        try:
            outcomes = await self._store.process_many([(job.ref, job.sha256) for job in batch], check_log_bytes)
        finally:
            self._slots.release()
        for job, outcome in zip(batch, outcomes):
            if isinstance(outcome, StoreError):
                status, detail = Status.UNVERIFIED, f"cannot read: {outcome}"
            elif outcome is None:
                status, detail = Status.MISSING, f"not found (listed by {job.digest_location})"
            else:
                status, detail = outcome
            self._emit(IntegrityResult("log", self._loc(job.ref), status, detail or job.note))

    async def _drain_logs(self) -> None:
        await self._flush_logs()
        while self._log_tasks:
            await asyncio.gather(*list(self._log_tasks))

    def _remember_bad(self, digest: Digest, digest_ref: ObjectRef, status: Status) -> None:
        assert self._store is not None
        for entry in digest.logs:
            ref = self._store.ref_for(entry.bucket, entry.key, digest_ref)
            self._listed_by_bad.setdefault(ref, f"listed only by {self._loc(digest_ref)}, which is {status.value}")

    # -- coverage and the tail -------------------------------------------------------------------------

    def _coverage(self, contents: FolderContents) -> None:
        """Every log file in the window that no authentic digest lists is
        UNVERIFIED; logs delivered after the newest digest mean it is missing."""
        standard = [c for c in contents.chains if c.selected and not c.id.backfill and c.listed]
        newest = max((c.listed[-1].name.end for c in standard), default=None)
        pending_after = self.now - PENDING_DELAY
        uncovered: list[tuple[ObjectRef, datetime | None, bool]] = []
        late: list[datetime] = []
        for obj in contents.logs:
            if obj.ref in self._covered or obj.ref in self._excused:
                continue
            stamp = delivery_stamp(_basename(obj.ref.key))
            after_tail = stamp is not None and (newest is None or stamp > newest)
            if after_tail and stamp is not None and stamp > pending_after:
                self._pending_logs += 1
                self._known -= 1
                continue
            uncovered.append((obj.ref, stamp, after_tail))
            if after_tail and stamp is not None and newest is not None:
                late.append(stamp)
        for chain in standard:
            self._tail(chain, max(late, default=None))
        for ref, stamp, after_tail in uncovered:
            self._emit(IntegrityResult("log", self._loc(ref), Status.UNVERIFIED,
                                       self._uncovered_detail(ref, stamp, after_tail, newest)))

    def _uncovered_detail(self, ref: ObjectRef, stamp: datetime | None, after_tail: bool,
                          newest: datetime | None) -> str:
        if ref in self._listed_by_bad:
            return self._listed_by_bad[ref]
        if newest is None:
            return "no digest of this account and region in the window: nothing can prove this file"
        if stamp is not None:
            for low, high, where in self._missing_spans:
                if low < stamp <= high + timedelta(minutes=1):
                    return f"not covered by a valid digest: its digest {where} is missing"
        if after_tail:
            return f"delivered after the newest digest (ending {iso(newest)}): no digest covers it"
        return "not listed in any valid digest (injected, or its digest entry is gone)"

    def _tail(self, chain: Chain, latest_late_log: datetime | None) -> None:
        """TAIL_MISSING: digests that should follow the newest one present."""
        last = chain.listed[-1].name.end
        targets: list[tuple[datetime, str]] = []
        if self.end_explicit:
            need = min(self.end, self.now - TAIL_GRACE) - HOUR
            if last <= need:
                targets.append((need + timedelta(seconds=1), f"the window ends at {iso(self.end)}"))
        if latest_late_log is not None and latest_late_log > last:
            targets.append((latest_late_log, f"log files were delivered up to {iso(latest_late_log)}"))
        if not targets:
            return
        target, reason = max(targets)
        when, count = last + HOUR, 0
        while True:
            count += 1
            ref = self._predicted_ref(chain, when)
            self._missing_spans.append((when - HOUR, when, self._loc(ref)))
            more = ""
            if count == MAX_PREDICTED and when < target:
                hours = int((target - when) / HOUR) + 1
                more = f" (and about {hours} more hour(s) up to {iso(target)})"
            self._emit(IntegrityResult(
                "digest", self._loc(ref), Status.TAIL_MISSING,
                f"newest digest missing: nothing after {iso(last)} although {reason}; expected about "
                f"{iso(when)} (location predicted){more}", backfill=chain.id.backfill))
            if when >= target or count >= MAX_PREDICTED:
                break
            when += HOUR
