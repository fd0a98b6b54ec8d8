"""Verify CloudTrail digest chains and the log files they list.

The engine behind `trailtui verify` and the Integrity pane.  `Verifier.run()`
is an async generator of `Update`s (new results, live counts, and the summary
at the end), so every face can show progress while the work goes on.

A run: discover the chains and log folders under the source (discovery), get
the public keys (key_source), walk every chain newest to oldest (chain_walk,
digest_check), hash-check the log files of authentic digests concurrently off
the event loop (log_checks), then judge coverage: log files no authentic digest
lists, digests missing after the newest one (coverage).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.integrity.chain_walk import ChainWalk, WalkServices
from trailtui.integrity.coverage import Ledger, missing_tail, uncovered_logs
from trailtui.integrity.digest import HASH_ALGORITHM, HOUR, Digest
from trailtui.integrity.digest_check import DigestExaminer
from trailtui.integrity.discovery import (
    Chain,
    FolderContents,
    TrailFilter,
    Window,
    find_awslogs_roots,
    find_folders,
    list_folder,
)
from trailtui.integrity.key_source import FileKeys, KeySource, KeySourceError, OnlineKeys
from trailtui.integrity.keyring import KeyFileError, KeyRing, load_key_file
from trailtui.integrity.local_store import LocalStore
from trailtui.integrity.log_checks import LogChecker, LogJob
from trailtui.integrity.s3_store import S3Store
from trailtui.integrity.store import EvidenceStore, ObjectRef, StoreError
from trailtui.integrity.summary import Summary, summarise
from trailtui.integrity.verdicts import IntegrityResult, Status
from trailtui.integrity.workers import start_hash_processes

CHAINS_AT_ONCE = 8  # chains walked concurrently (each walk waits on one digest at a time)
UPDATE_EVERY = 0.1  # seconds between progress updates


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


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def open_store(source: str, factory: ClientFactory, executor: Executor,
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
        self.now = _utc(options.now) or datetime.now(UTC)
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
        self.ledger = Ledger()
        self._new: list[IntegrityResult] = []
        self._known = 0
        self._checked = 0
        self._counts: dict[Status, int] = {}
        self._listed_logs: set[ObjectRef] = set()
        self._log_jobs: set[tuple[ObjectRef, str]] = set()
        self._valid_spans: list[tuple[datetime, datetime]] = []
        self._pending_logs = 0
        self._executor: ThreadPoolExecutor | None = None
        self._processes: Executor | None = None
        self._store: EvidenceStore | None = None
        self._keys: KeySource | None = None
        self._examiner: DigestExaminer | None = None
        self._logs: LogChecker | None = None
        self._walks: dict[int, ChainWalk] = {}  # by id(chain), for predicting a chain's missing keys

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
        assert summary is not None  # noqa: S101 - narrows the type: run() always ends with a summary
        return summary

    def summary(self) -> Summary:
        return summarise(self.results, self.start, self.end, self._valid_spans, self._pending_logs, self.trails)

    @property
    def warnings(self) -> list[str]:
        return list(self._keys.warnings) if self._keys is not None else []

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

    def _loc(self, ref: ObjectRef) -> str:
        assert self._store is not None  # noqa: S101 - narrows the type: set by run() first
        return self._store.location(ref)

    async def _close(self) -> None:
        if self._logs is not None:
            self._logs.cancel()
        if self._examiner is not None:
            self._examiner.cancel()
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

    # -- the run ---------------------------------------------------------------------------------

    async def _verify(self) -> None:
        self._keys = self._key_source()
        self._executor = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="verify")
        self._store, start_prefix = open_store(self.options.source, self.factory, self._executor,
                                               self.options.concurrency)
        self._examiner = DigestExaminer(self._store, self._keys)
        self._logs = LogChecker(self._store, self._emit, in_flight=max(2, self.options.concurrency // 8))
        self.phase = "listing"
        try:
            contents = await self._discover(start_prefix)
        except StoreError as exc:
            raise VerifyError(str(exc)) from None
        self._use_processes(contents)
        selected = [c for fc in contents for c in fc.chains if c.selected]
        given = self.options.trail_arn.strip() if self.options.trail_arn else None
        self.trails = tuple(sorted({given or c.id.trail_arn for c in selected}))
        self._known += sum(len(c.listed) for c in selected)
        try:
            await self._prepare_keys(selected)
        except KeySourceError as exc:
            raise VerifyError(str(exc)) from None
        self.phase = "verifying"
        await self._walk_all([chain for fc in contents for chain in fc.chains])
        await self._logs.drain()
        self.phase = "coverage"
        for folder_contents in contents:
            self._coverage(folder_contents)

    async def _discover(self, start_prefix: str) -> list[FolderContents]:
        assert self._store is not None  # noqa: S101 - narrows the type: set by run() first
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

    def _use_processes(self, contents: list[FolderContents]) -> None:
        """Big local trees hash their logs in worker processes."""
        if isinstance(self._store, LocalStore) and self.options.processes is not False:
            expected_logs = sum(len(fc.logs) for fc in contents)
            self._processes = start_hash_processes(expected_logs, force=bool(self.options.processes))
            self._store.bulk = self._processes

    async def _prepare_keys(self, chains: list[Chain]) -> None:
        assert self._keys is not None  # noqa: S101 - narrows the type: set by run() first
        spans: dict[str, tuple[datetime, datetime]] = {}
        for chain in chains:
            if not chain.listed:
                continue
            low, high = chain.listed[0].name.end, chain.listed[-1].name.end
            region = chain.id.folder.region
            old = spans.get(region)
            spans[region] = (min(low, old[0]), max(high, old[1])) if old else (low, high)
        for region, (low, high) in sorted(spans.items()):
            await self._keys.prepare(region, low, high)

    async def _walk_all(self, chains: list[Chain]) -> None:
        assert self._store is not None and self._examiner is not None  # noqa: S101 - narrows the type: set by run() first
        services = WalkServices(self._store, self._examiner, self.ledger, self.start, self._emit, self._cover,
                                self._valid_spans)
        gate = asyncio.Semaphore(CHAINS_AT_ONCE)
        walks = [ChainWalk(chain, services) for chain in chains]
        self._walks = {id(walk.chain): walk for walk in walks}

        async def walk(one: ChainWalk) -> None:
            async with gate:
                await one.run()

        await asyncio.gather(*(walk(one) for one in walks))

    async def _cover(self, digest: Digest, digest_ref: ObjectRef, report: bool, unsigned: bool) -> None:
        """Queue the log files an authentic digest lists for hash checks."""
        assert self._store is not None and self._logs is not None  # noqa: S101 - narrows the type: set by run() first
        digest_location = self._loc(digest_ref)
        for entry in digest.logs:
            ref = self._store.ref_for(entry.bucket, entry.key, digest_ref)
            if not report:
                self.ledger.excused.add(ref)
                continue
            self.ledger.covered.add(ref)
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
            note = f"listed by the unsigned newest digest {digest_location}" if unsigned else ""
            await self._logs.add(LogJob(ref, entry.sha256, digest_location, note))

    # -- coverage and the tail -------------------------------------------------------------------------

    def _coverage(self, contents: FolderContents) -> None:
        """UNVERIFIED log files and TAIL_MISSING digests of one folder."""
        standard = [c for c in contents.chains if c.selected and not c.id.backfill and c.listed]
        newest = max((c.listed[-1].name.end for c in standard), default=None)
        oldest = min((c.listed[0].name.end - HOUR for c in standard), default=None) if self.start is None else None
        uncovered, pending = uncovered_logs(contents.logs, self.ledger, newest, self.now)
        self._pending_logs += pending
        self._known -= pending
        late = max((u.stamp for u in uncovered if u.after_tail and u.stamp and newest), default=None)
        for chain in standard:
            walk = self._walks[id(chain)]
            for end, detail in missing_tail(chain.listed[-1].name.end, self.end, self.end_explicit, self.now, late):
                ref = walk.predicted_ref(end)
                self.ledger.missing_spans.append((end - HOUR, end, self._loc(ref)))
                self._emit(IntegrityResult("digest", self._loc(ref), Status.TAIL_MISSING, detail,
                                           backfill=chain.id.backfill))
        for item in uncovered:
            self._emit(IntegrityResult("log", self._loc(item.ref), Status.UNVERIFIED,
                                       self.ledger.explain(item.ref, item.stamp, item.after_tail, newest, oldest)))
