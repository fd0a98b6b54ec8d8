"""The hot path: read, inflate, decode and filter log files, on both cores.

Per file (`scan_path`): inflate with isal, then, when there is a filter or a
time range, a typed pre-check (`trailtui.sources.typed`) decodes only the fields
the filter reads and asks whether any record can match.  Most files of a
selective search stop there.  A file that may match, or that the typed decoder
cannot judge (odd shape, bad JSON, not UTF-8), goes through the plain path:
`decode_log` (msgspec, every record as recorded, problems worded once for every
source) and the filter compiled from its AST (`EventFilter.predicate`, equal to
`EventFilter.matches`).  So the events returned are always the plain path's; the
typed pass only saves the work of decoding files that cannot contribute.

`FileScanner` takes (delivery stamp, path) pairs, newest first, and feeds them
in batches to one scanning thread at first (the first page must not wait for
processes to start) and, once the worker processes it boots in the background
answer, to them; results come back in file order, each batch with the stamp of
the first file not yet scanned, so callers can release events in order; which
files to scan is the caller's business.  Scans may run at once on one scanner
(the console's list and its hunts read the same source): each keeps its own
state.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from trailtui.events import EPOCH, Event, event_time_problem, parse_event_time, record_label
from trailtui.filters import EventFilter
from trailtui.read_limits import current_limits, record_bounds_problem
from trailtui.record_json import dumps_record
from trailtui.regular_file import read_regular
from trailtui.sources.file_cursor import FileCursor, ListCursor
from trailtui.sources.layout import FAR_FUTURE, delivery_stamp
from trailtui.sources.page_floor import PageFloor
from trailtui.sources.records import GZIP_MAGIC, DecodeError, decode_log, loads, maybe_gunzip
from trailtui.sources.typed import TypedPlan, Undecidable, decode_typed, plan_for

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What a worker needs to filter a file; plain values so it pickles cheaply.
    `typed=False` turns the typed pre-check off (the plain path, for comparison)."""

    filter_text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    typed: bool = True
    group_by: tuple[str, ...] = ()  # count matches per key of these expressions instead of returning them
    page: int | None = None  # a newest-first page of this many events: matches it cannot need are only counted

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None


@dataclass(slots=True)
class FileScan:
    path: str
    scanned: int = 0
    events: list[Event] = field(default_factory=list)
    problem: str | None = None
    groups: dict[Any, list[Any]] | None = None  # with `group_by`: key -> [count, first, last]
    beyond: int = 0  # with `page`: matches counted but not built (the page cannot need them)

    @property
    def matched(self) -> int:
        return len(self.events) + self.beyond


@lru_cache(maxsize=16)
def _compiled(text: str) -> EventFilter:
    return EventFilter.compile(text)


@lru_cache(maxsize=16)
def _plan(text: str) -> TypedPlan | None:
    return plan_for(_compiled(text))


def read_file(path: str) -> bytes:
    """A log file's bytes: regular files only (a FIFO or device among the logs
    is a problem, never a hang), at most the inflated-size bound."""
    return read_regular(path, current_limits().max_inflated)


def _in_range(when: datetime | None, request: ScanRequest) -> bool:
    if when is None:
        return False
    if request.since is not None and when < request.since:
        return False
    return request.until is None or when <= request.until


@lru_cache(maxsize=16)
def _key_function(by: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
    from trailtui.counts.keys import GroupSpec  # here: trailtui.counts imports the sources package

    return GroupSpec.compile(list(by)).key_function()


def _count_matches(result: FileScan, records: list[dict[str, Any]], request: ScanRequest) -> FileScan:
    """Matches counted per key (the file's own small table) instead of returned:
    a count over millions of events never ships or decodes them twice."""
    matches = _compiled(request.filter_text).predicate()
    key_of = _key_function(request.group_by)
    groups: dict[Any, list[Any]] = {}
    unreadable = 0
    for raw in records:
        when = parse_event_time(raw.get("eventTime"))
        if when is None:  # skipped, as the plain scan skips it
            unreadable += 1
            continue
        if request.bounded and not _in_range(when, request):
            continue
        if not matches(raw):
            continue
        key = key_of(raw)
        entry = groups.get(key)
        if entry is None:
            groups[key] = [1, when, when]
            continue
        entry[0] += 1
        if when < entry[1]:
            entry[1] = when
        elif when > entry[2]:
            entry[2] = when
    result.groups = groups
    result.scanned = len(records) - unreadable
    if unreadable:
        line = f"{unreadable} record(s) skipped for an unreadable eventTime"
        result.problem = f"{result.problem}; {line}" if result.problem else line
    return result


def scan_plain(path: str, data: bytes, request: ScanRequest, floor: PageFloor | None = None,
               stamp: datetime = FAR_FUTURE) -> FileScan:
    """Decode every record and keep those in range that pass the filter.  A
    record whose `eventTime` cannot be read is skipped and counted in the
    file's problem line (the others are kept).  With a `floor`, matches the
    page cannot need are counted, not built (`stamp`: the file's delivery stamp)."""
    decoded = decode_log(data)
    if request.group_by:
        return _count_matches(FileScan(path, problem=decoded.problem), decoded.records, request)
    matches = _compiled(request.filter_text).predicate()
    since, until = request.since, request.until
    events: list[Event] = []
    beyond = 0
    bad_times: list[str] = []
    oversized: list[str] = []
    limits = current_limits()
    # The bounds walk costs about as much as decoding: only a file larger than the
    # record bound can hold a record beyond it (nesting deeper than the decoder
    # recurses is refused while decoding, record by record).
    check_bounds = decoded.size > limits.max_record
    for number, raw in enumerate(decoded.records, 1):
        when = parse_event_time(raw.get("eventTime"))
        if when is None:
            bad_times.append(f"{record_label(raw, number)}: {event_time_problem(raw.get('eventTime'))}")
            continue
        if (since is not None and when < since) or (until is not None and when > until):
            continue
        if matches(raw):
            too_big = record_bounds_problem(raw, limits) if check_bounds else None
            if too_big is not None:
                oversized.append(f"{record_label(raw, number)}: {too_big}")
                continue
            if floor is not None and not floor.needs(when, stamp):
                beyond += 1
                continue
            events.append(Event.from_raw(raw, path, when))
    problems = [decoded.problem] if decoded.problem else []
    if bad_times:
        problems.append(f"{len(bad_times)} record(s) skipped for an unreadable eventTime, first {bad_times[0]}")
    if oversized:
        problems.append(f"{len(oversized)} matching record(s) skipped (beyond the read limits), first {oversized[0]}")
    return FileScan(path, scanned=len(decoded.records) - len(bad_times) - len(oversized), events=events,
                    problem="; ".join(problems) or None, beyond=beyond)


def typed_no_match(plan: TypedPlan, text: bytes, request: ScanRequest) -> int | None:
    """The number of records when the typed pre-check proves that no record of
    this inflated file matches; None when the plain path must look at it (a
    possible match, or anything the typed decoder cannot judge exactly)."""
    records = decode_typed(plan, text)
    if records is None:
        return None
    try:
        return plan.verdict(records, request.bounded, lambda when: _in_range(when, request), parse_event_time)
    except (Undecidable, RecursionError):
        return None


def scan_bytes(path: str, data: bytes, request: ScanRequest, typed: bool = True, floor: PageFloor | None = None,
               stamp: datetime = FAR_FUTURE) -> FileScan:
    """Scan one file's bytes: typed pre-check first when it can help, else plain."""
    plan = _plan(request.filter_text) if typed and request.typed and (request.filter_text or request.bounded) else None
    if plan is None:
        return scan_plain(path, data, request, floor, stamp)
    try:
        text = maybe_gunzip(data)
    except DecodeError as exc:
        return FileScan(path, problem=str(exc))
    if text[:2] == GZIP_MAGIC:  # gzip inside gzip: let decode_log judge the original bytes
        return scan_plain(path, data, request, floor, stamp)
    count = typed_no_match(plan, text, request)
    if count is not None:
        return FileScan(path, scanned=count, groups={} if request.group_by else None)
    return scan_plain(path, text, request, floor, stamp)


def scan_path(path: str, request: ScanRequest, typed: bool = True, floor: PageFloor | None = None) -> FileScan:
    try:
        data = read_file(path)
    except OSError as exc:
        return FileScan(path, problem=f"cannot read file ({exc.strerror or exc})")
    if floor is None:
        return scan_bytes(path, data, request, typed)
    stamp = delivery_stamp(os.path.basename(path)) or FAR_FUTURE  # as the listing sorts it
    return scan_bytes(path, data, request, typed, floor, stamp)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Decoded events are trees of dicts and lists that live a little while (a
    batch): the cyclic collector would traverse them again and again, ~30% of
    the CPU when many events match, and JSON cannot make cycles.  Pausing it
    for a batch is safe; it runs as usual afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scan_paths(paths: Sequence[str], request: ScanRequest, stop: threading.Event | None = None) -> list[FileScan]:
    """Scan files in order.  When most files turn out to hold matches (a filter
    that keeps nearly everything), the typed pre-check only adds work, so the
    rest of the batch skips it; the results are the same either way.  `stop`
    (in-process scans) ends the batch early: nobody wants its results any more."""
    results: list[FileScan] = []
    typed, checked, passed = True, 0, 0
    floor = PageFloor(request.page) if request.page else None
    with _gc_paused():
        for path in paths:
            if stop is not None and stop.is_set():
                break
            scan = scan_path(path, request, typed, floor)
            results.append(scan)
            if typed:
                checked += 1
                passed += bool(scan.matched or scan.groups)
                typed = checked < 8 or passed * 2 <= checked
    return results


# Per file: path, records examined, matches, problem.  A match travels as its
# JSON bytes (pickling nested dicts costs far more) plus what `Event.from_raw`
# derives from it, so the parent only decodes it and does not derive again.
# Then the matches not built (`page`), and with `group_by`, a sixth item: the
# file's groups as (key, count, first us, last us).
Packed = list[tuple[Any, ...]]
_MICROSECOND = timedelta(microseconds=1)


def scan_paths_packed(paths: Sequence[str], request: ScanRequest) -> Packed:
    """Worker-process form of `scan_paths` (event times as exact microseconds)."""
    out: Packed = []
    for scan in scan_paths(paths, request):
        matches = [(dumps_record(e.raw), (e.time - EPOCH) // _MICROSECOND, e.principal, e.access_key)
                   for e in scan.events]
        if scan.groups is None:
            out.append((scan.path, scan.scanned, matches, scan.problem, scan.beyond))
            continue
        groups = [(key, count, (first - EPOCH) // _MICROSECOND, (last - EPOCH) // _MICROSECOND)
                  for key, (count, first, last) in scan.groups.items()]
        out.append((scan.path, scan.scanned, matches, scan.problem, scan.beyond, groups))
    return out


def _unpack(packed: Packed) -> list[FileScan]:
    results = []
    with _gc_paused():
        for path, scanned, matches, problem, beyond, *counted in packed:
            events = [Event(loads(blob), path, EPOCH + timedelta(microseconds=micros), principal, key)
                      for blob, micros, principal, key in matches]
            groups = None
            if counted:
                groups = {key: [count, EPOCH + timedelta(microseconds=first), EPOCH + timedelta(microseconds=last)]
                          for key, count, first, last in counted[0]}
            results.append(FileScan(path, scanned, events, problem, groups, beyond))
    return results


WORKER_NICENESS = 5


def _worker_start() -> None:
    """Workers yield the CPU to the process that started them: its event loop
    (the console answering a key, the CLI printing) must not queue behind a scan."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not permitted here: run at normal priority
        pass


def _worker_ready() -> int:
    """Run once per worker at start-up, so the pool counts as ready only once
    every worker has imported this module."""
    return os.getpid()


class WorkerPool:
    """Worker processes, booted on a background thread.

    Starting a forkserver and its workers takes 0.2-0.4 s, and the first
    `submit` blocks until the forkserver has imported its modules; doing that on
    the event loop would stall the first page.  `ready()` returns the executor
    once every worker has answered, else None; `close()` shuts it down (batches
    already running finish; the interpreter waits for them at exit)."""

    boot_grace = 3.0  # seconds `close()` waits for a boot in progress

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.failed = False
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._warm: list[Future[Any]] = []
        self._closed = False
        self._booted = threading.Event()
        threading.Thread(target=self._boot, name="trailtui-pool-boot", daemon=True).start()

    def _boot(self) -> None:
        import multiprocessing  # here, not at the top: a first page should not pay for importing it
        from concurrent.futures import ProcessPoolExecutor

        try:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["trailtui.sources.scan"])
            executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_worker_start)
            warm = [executor.submit(_worker_ready) for _ in range(self.workers)]
        except Exception:  # noqa: BLE001 - no processes here (sandbox, limits): one thread it is
            self.failed = True
            self._booted.set()
            return
        with self._lock:
            keep = not self._closed
            if keep:
                self._executor, self._warm = executor, warm
        if not keep:
            _stop(executor)
        self._booted.set()

    def ready(self) -> ProcessPoolExecutor | None:
        with self._lock:
            executor, warm = self._executor, self._warm
        if executor is None or not all(f.done() for f in warm):
            return None
        if any(f.cancelled() or f.exception() is not None for f in warm):
            self.failed = True
            self.close()
            return None
        return executor

    def close(self) -> None:
        """Stop the workers.  A boot still in progress is waited for (up to
        `boot_grace`) and then stopped: a worker left half-started when this
        process exits finds its queues gone and prints a traceback."""
        with self._lock:
            self._closed = True
            executor, self._executor, self._warm = self._executor, None, []
        if executor is not None:
            _stop(executor)
        self._booted.wait(self.boot_grace)


def _stop(executor: ProcessPoolExecutor) -> None:
    # No terminate(): a worker killed while sending a result leaves the pool's
    # manager thread blocked in recv() for ever, and the interpreter hangs at
    # exit joining it (reproduced by quitting the console mid-scan of a 2M-event
    # tree, ~4 runs in 10).  Running batches finish (a fraction of a second).
    # Waiting for them here, rather than at interpreter exit, lets the pool
    # release its queues in order: otherwise multiprocessing's resource tracker
    # now and then warns about "leaked semaphore objects" on stderr at exit.
    executor.shutdown(wait=True, cancel_futures=True)


class FileScanner:
    """Runs scans in batches, in order, keeping a bounded number in flight.

    Batches go to the scanning thread until the worker processes are up: they
    are booted in the background once a scan has run `pool_delay` seconds with
    at least `process_threshold` files left, so a small tree never pays for
    process start-up and the first page never waits for it."""

    first_batch = 16
    batch = 64
    in_flight = 6
    process_threshold = 96
    pool_delay = 0.6  # seconds: a first page never competes with (or waits at exit for) process start-up
    page_pool_pays = 1.0  # seconds a page still probably scans for, at least, before processes are started for it
    threads = 1  # measured: a second thread (isal inflates without the GIL) gained nothing over GIL contention

    def __init__(self, workers: int | None = None, typed: bool = True) -> None:
        self.workers = workers or min(2, os.cpu_count() or 1)
        self.typed = typed  # False: every file through the plain path (for comparisons)
        self._pool: WorkerPool | None = None
        self._thread: ThreadPoolExecutor | None = None
        self.used_pool = False
        self._stops: set[threading.Event] = set()  # one per running scan

    @property
    def _pool_failed(self) -> bool:
        return self._pool is not None and self._pool.failed

    def close(self) -> None:
        for stop in list(self._stops):
            stop.set()  # a batch running in the thread ends at its next file
        if self._pool is not None:
            self._pool.close()
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=True)
            self._thread = None

    def _thread_pool(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(self.threads, thread_name_prefix="trailtui-scan")
        return self._thread

    async def start_workers(self, timeout: float = 10.0) -> bool:
        """Boot the worker processes now and wait until they answer (for a caller
        that knows a long scan is coming); False when there are none."""
        if self.workers < 2:
            return False
        if self._pool is None:
            self._pool = WorkerPool(self.workers)
        deadline = asyncio.get_running_loop().time() + timeout
        while self._pool_ready() is None and not self._pool.failed:
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.01)
        return not self._pool.failed

    def _pool_ready(self) -> ProcessPoolExecutor | None:
        return None if self._pool is None else self._pool.ready()

    def _drop_pool(self) -> None:
        if self._pool is not None:
            self._pool.failed = True
            self._pool.close()

    async def scan(self, files: Sequence[tuple[datetime, str]] | FileCursor,
                   request: ScanRequest) -> AsyncGenerator[tuple[list[FileScan], datetime | None], None]:
        """Scan (delivery stamp, path) pairs, newest first (a sorted sequence or
        a cursor handing them out lazily) and yield (results, next stamp) batch
        by batch in file order; the next stamp is that of the first file not
        yet yielded (None when all are done).  Leaving the loop early stops the
        batch running in the thread at its next file."""
        stop = threading.Event()  # this scan's: close() sets it
        self._stops.add(stop)
        cursor = ListCursor(files) if isinstance(files, Sequence) else files
        try:
            async for batch in self._scan(cursor, request, stop):
                yield batch
        finally:
            stop.set()  # nobody wants the results of batches still running
            self._stops.discard(stop)

    async def _scan(self, files: FileCursor, request: ScanRequest,
                    stop: threading.Event) -> AsyncIterator[tuple[list[FileScan], datetime | None]]:
        loop = asyncio.get_running_loop()
        if not self.typed:
            request = replace(request, typed=False)
        may_pool = self.workers > 1 and files.left() >= self.process_threshold
        started = loop.time()
        progress = _PageProgress(request.page)
        # Per batch in flight: its future, its paths and the stamp of the file after it.
        queue: list[tuple[asyncio.Future[Any], list[str], datetime | None]] = []
        sizer = _BatchSizer(self.first_batch, self.batch)

        plain = replace(request, typed=False)

        def in_thread(paths: list[str]) -> asyncio.Future[Any]:
            return loop.run_in_executor(self._thread_pool(), scan_paths, paths,
                                        plain if sizer.dense else request, stop)

        def submit(paths: list[str]) -> asyncio.Future[Any]:
            pool = self._pool_ready()
            if pool is not None:
                try:
                    future = loop.run_in_executor(pool, scan_paths_packed, paths,
                                                  plain if sizer.dense else request)
                    self.used_pool = True
                    return future
                except BrokenExecutor:
                    self._drop_pool()
            return in_thread(paths)

        following = files.next_stamp()  # of the first file not yet submitted
        try:
            while following is not None or queue:
                if (may_pool and self._pool is None and following is not None
                        and loop.time() - started >= self.pool_delay
                        and files.left() >= self.process_threshold
                        and progress.seconds_to_go(loop.time() - started) >= self.page_pool_pays):
                    self._pool = WorkerPool(self.workers)
                while following is not None and len(queue) < self.in_flight:
                    paths = [path for _, path in files.take(sizer.next_size())]
                    following = files.next_stamp()
                    queue.append((submit(paths), paths, following))
                head, paths, after = queue.pop(0)
                try:
                    result = await head
                except BrokenExecutor:  # a worker died (killed, out of memory): finish in this process
                    self._drop_pool()
                    result = await in_thread(paths)
                if stop.is_set():  # closed meanwhile: a cut-short batch must not look complete
                    return
                batch = _unpack(result) if result and isinstance(result[0], tuple) else result
                sizer.observe(batch)
                progress.observe(batch)
                yield batch, after
        finally:
            for future, _, _ in queue:
                future.cancel()


class _PageProgress:
    """How long a newest-first page of `page` events probably still scans, at
    the rate matches came so far (unknown, so infinite, without a page or a
    match yet).  Starting processes takes a core for a few tenths of a
    second and closing waits for a start in progress: a page about to be
    complete is better finished by the one thread."""

    def __init__(self, page: int | None) -> None:
        self.page = page
        self.matched = 0

    def observe(self, batch: list[FileScan]) -> None:
        self.matched += sum(scan.matched for scan in batch)

    def seconds_to_go(self, elapsed: float) -> float:
        if self.page is None or self.matched == 0:
            return float("inf")
        return max(0, self.page - self.matched) * elapsed / self.matched


class _BatchSizer:
    """Files per batch: small first (the first page), then doubling up to
    `batch` (a newest-first page is often complete a few dozen files in, and
    its scan stops only at a batch's end), fewer when files hold many matches
    so that what is in flight stays about `target_events` events (memory
    stays flat however many events match).
    `dense` says most files hold matches: the typed pre-check would only add
    work, so the next batches skip it (results are the same either way)."""

    target_events = 500

    def __init__(self, first: int, batch: int) -> None:
        self.first, self.batch = first, batch
        self.ramp = first
        self.started = False
        self.per_file = 0.0
        self.dense = False

    def next_size(self) -> int:
        if not self.started:
            self.started = True
            return self.first
        size, self.ramp = min(self.batch, self.ramp), self.ramp * 2
        if self.per_file <= 0:
            return size
        return max(2, min(size, int(self.target_events / self.per_file)))

    def observe(self, batch: list[FileScan]) -> None:
        if batch:
            matched = sum(scan.matched for scan in batch)
            self.per_file = max(self.per_file * 0.5, matched / len(batch))
            self.dense = 2 * sum(1 for scan in batch if scan.matched or scan.groups) > len(batch)
