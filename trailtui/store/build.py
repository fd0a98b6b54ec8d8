"""Filling a store: hand stale log files to worker processes, commit segments.

One builder per store at a time (an exclusive `flock` on `build.lock`; a second
one finds it busy and leaves the work to the first).  Readers take no lock:
they read the manifest, which only ever names complete segments.  Every
`commit_events` events the rows handed over so far become one segment and the
manifest is replaced: a build killed at any point leaves the last commit.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from trailtui.store.blocks import DICTIONARY_SAMPLES, dictionary_name, train
from trailtui.store.engine import connect
from trailtui.store.handover import HandedOver, blocks_path, hand_over, sample_lines
from trailtui.store.listing import LogIdentity, stamp_micros
from trailtui.store.location import StoreLocation, private_folder
from trailtui.store.manifest import FileEntry, Manifest, StoreInvalid, load, save
from trailtui.store.segments import rewrite_segment, write_segment

Progress = Callable[[int, int], None]
ORPHAN_GRACE = 120.0  # seconds an unreferenced segment is kept (a reader may still be on it)


BACKGROUND_NICENESS = 10


def lower_priority(thread_id: int = 0) -> None:
    """Run this process (or one thread, by its native id) at a lower priority:
    a background build must not take the cores from the console's key presses.
    Nothing happens where the system refuses."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, thread_id, min(19, os.getpriority(os.PRIO_PROCESS, thread_id)
                                                       + BACKGROUND_NICENESS))


class StoreBusy(Exception):
    """Another process is building this store."""


@dataclass(slots=True)
class BuildReport:
    files: int = 0      # log files handed over
    events: int = 0     # events now held for them
    dropped: int = 0    # vanished files forgotten
    busy: bool = False
    stopped: bool = False


@contextlib.contextmanager
def build_lock(folder: Path) -> Iterator[IO[str]]:
    """Hold the store's build lock; raises StoreBusy when another process has it."""
    fd = os.open(folder / "build.lock", os.O_RDWR | os.O_CREAT, 0o600)
    handle = os.fdopen(fd, "r+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy("another trailtui is building this store") from None
        yield handle
    finally:
        handle.close()


def open_manifest(location: StoreLocation) -> Manifest:
    """The manifest to build on: the current one, or a fresh one after wiping
    a store that cannot be used (corrupt, another version)."""
    try:
        found = load(location.manifest, location.source)
    except StoreInvalid:
        wipe(location.folder)
        found = None
    return found if found is not None else Manifest(location.source)


def wipe(folder: Path) -> None:
    """Remove everything a store holds but its lock file."""
    for child in folder.iterdir():
        if child.name != "build.lock" and (child.is_file() or child.is_symlink()):
            child.unlink(missing_ok=True)


def _clean(location: StoreLocation, manifest: Manifest) -> None:
    """Leftovers of a killed build: hand-over files, part files, segments (and
    their events files) no manifest names, after a grace period for readers
    still on them, and dictionaries no manifest names."""
    now = time.time()
    named = set(manifest.segments)
    for child in location.folder.iterdir():
        name = child.name
        stale_segment = (name.endswith((".parquet", ".events")) and name.startswith("segment-")
                         and Path(name).with_suffix(".parquet").name not in named)
        stale_dictionary = name.startswith("events-") and name.endswith(".dict") and name != manifest.dictionary
        if name.startswith("handover-") or name.endswith(".part") or stale_dictionary or (
                stale_segment and now - child.stat().st_mtime > ORPHAN_GRACE):
            child.unlink(missing_ok=True)


def _discard(handovers: Sequence[Path]) -> None:
    for path in handovers:
        path.unlink(missing_ok=True)
        Path(blocks_path(str(path))).unlink(missing_ok=True)


@dataclass(slots=True)
class _Pending:
    """Hand-overs done but not yet committed."""

    files: list[Path] = field(default_factory=list)
    results: list[tuple[LogIdentity, HandedOver]] = field(default_factory=list)
    events: int = 0


class StoreBuilder:
    commit_events = 250_000
    batch_files = 48
    in_flight = 4
    pool_threshold = 64   # fewer stale files than this: one thread, no processes to start
    max_segments = 24     # more than this (or a quarter of rows dead): compact into one

    def __init__(self, location: StoreLocation, workers: int | None = None, background: bool = False) -> None:
        self.location = location
        self.workers = workers or min(2, os.cpu_count() or 1)
        self.background = background  # a console's build: the worker processes run at a lower priority

    def build(self, listing: Sequence[LogIdentity], complete: bool = False,
              read_paths: Mapping[str, str] | None = None, progress: Progress | None = None,
              stop: threading.Event | None = None, folders: Mapping[str, int] | None = None) -> BuildReport:
        """Bring the store up to date with `listing` (`complete`: it is every
        file of the source, so files missing from it have vanished; `folders`:
        the folder marks taken before that listing, kept once every file is
        held).  Raises OSError (unwritable, disk full) or the engine's errors;
        StoreBusy is reported as `busy`."""
        private_folder(self.location.folder)
        try:
            with build_lock(self.location.folder):
                return self._build(listing, complete, read_paths or {}, progress, stop or threading.Event(),
                                   folders)
        except StoreBusy:
            return BuildReport(busy=True)

    def _build(self, listing: Sequence[LogIdentity], complete: bool, read_paths: Mapping[str, str],
               progress: Progress | None, stop: threading.Event, folders: Mapping[str, int] | None) -> BuildReport:
        manifest = open_manifest(self.location)
        _clean(self.location, manifest)
        report = BuildReport()
        if complete:
            listed = {f.location for f in listing}
            for gone in [loc for loc in manifest.files if loc not in listed]:
                del manifest.files[gone]
                report.dropped += 1
        stale = [f for f in listing if not f.same_as(manifest.files.get(f.location))]
        if stale and not manifest.segments:
            self._train_dictionary(manifest, [read_paths.get(f.location, f.location) for f in stale])
        con = connect(temp_directory=self.location.folder)
        try:
            pending = _Pending()
            done = 0
            for batch, results, handover in self._hand_over(stale, manifest, read_paths, stop):
                pending.files.append(handover)
                pending.results.extend(zip(batch, results, strict=True))
                pending.events += sum(r.events for r in results if r.held)
                done += len(batch)
                if progress is not None:
                    progress(done, len(stale))
                if pending.events >= self.commit_events:
                    self._commit(con, manifest, pending, report)
                    pending = _Pending()
            if stop.is_set():
                report.stopped = True
                _discard(pending.files)
                if report.dropped:
                    save(self.location.manifest, manifest)
                return report
            if complete:  # every listed file now has its entry: the marks describe what the manifest lists
                manifest.folders = dict(folders or {})
            self._commit(con, manifest, pending, report)
            self._compact(con, manifest)
        finally:
            con.close()
        return report

    def _train_dictionary(self, manifest: Manifest, paths: Sequence[str]) -> None:
        """A store that holds nothing yet gets the dictionary its blocks are
        compressed with, learnt from a sample of the files it is about to hold."""
        data = train(sample_lines(paths, DICTIONARY_SAMPLES))
        manifest.dictionary = dictionary_name(data)
        if data:
            target = self.location.folder / manifest.dictionary
            temp = target.with_name(target.name + ".part")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)

    def _hand_over(self, stale: Sequence[LogIdentity], manifest: Manifest, read_paths: Mapping[str, str],
                   stop: threading.Event) -> Iterator[tuple[list[LogIdentity], list[HandedOver], Path]]:
        """Batches handed over, in order, a bounded number in flight."""
        batches = [list(stale[i:i + self.batch_files]) for i in range(0, len(stale), self.batch_files)]
        executor = self._executor(len(stale))
        dictionary = str(self.location.folder / manifest.dictionary) if manifest.dictionary else ""
        queue: list[tuple[Future[list[HandedOver]], list[LogIdentity], Path, list[tuple[int, str]]]] = []
        serial = 0
        try:
            for batch in batches + [[]] * self.in_flight:
                if batch and not stop.is_set():
                    items = []
                    for log in batch:
                        items.append((manifest.next_file, read_paths.get(log.location, log.location)))
                        manifest.next_file += 1
                    serial += 1
                    target = self.location.folder / f"handover-{os.getpid()}-{serial}.txt"
                    queue.append((executor.submit(hand_over, items, str(target), dictionary), batch, target, items))
                if len(queue) >= self.in_flight or (not batch and queue):
                    future, done_batch, target, done_items = queue.pop(0)
                    try:
                        results = future.result()
                    except BrokenExecutor:  # a worker died (killed, out of memory): finish here
                        results = hand_over(done_items, str(target), dictionary)
                    yield done_batch, results, target
        finally:
            for future, *_ in queue:
                future.cancel()
            executor.shutdown(wait=True, cancel_futures=True)
            for _, _, target, _ in queue:
                target.unlink(missing_ok=True)
                Path(blocks_path(str(target))).unlink(missing_ok=True)

    def _executor(self, stale_files: int) -> Executor:
        if self.workers < 2 or stale_files < self.pool_threshold:
            return ThreadPoolExecutor(1, thread_name_prefix="trailtui-index")
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["trailtui.store.handover"])
            if self.background:
                return ProcessPoolExecutor(self.workers, mp_context=context, initializer=lower_priority)
            return ProcessPoolExecutor(self.workers, mp_context=context)
        except (OSError, ValueError):  # no processes here (sandbox, limits): one thread it is
            return ThreadPoolExecutor(1, thread_name_prefix="trailtui-index")

    def _commit(self, con: Any, manifest: Manifest, pending: _Pending, report: BuildReport) -> None:
        """Turn the pending hand-overs into a segment and publish it."""
        held = [(log, r) for log, r in pending.results if r.held]
        segment = ""
        try:
            if held:
                segment = f"segment-{manifest.next_segment:06d}.parquet"
                manifest.next_segment += 1
                write_segment(con, pending.files, self.location.folder / segment)
                manifest.segments[segment] = sum(r.events for _, r in held)
            for log, result in pending.results:
                manifest.files[log.location] = FileEntry(result.file_id, log.size, log.mtime_ns, log.etag,
                                                         segment if result.held else "", result.events,
                                                         stamp_micros(log.stamp))
            self._forget_empty_segments(manifest)
            save(self.location.manifest, manifest)
        finally:
            _discard(pending.files)
        report.files += len(pending.results)
        report.events += sum(r.events for _, r in held)

    @staticmethod
    def _forget_empty_segments(manifest: Manifest) -> None:
        used = {entry.segment for entry in manifest.files.values()}
        for name in [s for s in manifest.segments if s not in used]:
            del manifest.segments[name]

    def _compact(self, con: Any, manifest: Manifest) -> None:
        """Rewrite every live row into one segment when there are many segments
        or many rows of replaced/vanished files; the old ones are removed later."""
        total = sum(manifest.segments.values())
        live = manifest.events_held()
        if not manifest.segments or (len(manifest.segments) <= self.max_segments and total - live <= total // 4):
            return
        segment = f"segment-{manifest.next_segment:06d}.parquet"
        manifest.next_segment += 1
        ids = [entry.id for entry in manifest.files.values() if entry.segment]
        rewrite_segment(con, [self.location.folder / s for s in manifest.segments], ids,
                        self.location.folder / segment)
        for location, entry in list(manifest.files.items()):
            if entry.segment:
                manifest.files[location] = entry._replace(segment=segment)
        manifest.segments = {segment: live}
        save(self.location.manifest, manifest)
