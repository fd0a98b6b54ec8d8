"""The hot path: read, inflate, decode and filter log files, on both cores.

`scan_paths` is a plain function over file paths so it can run in a worker
process; `FileScanner` feeds it batches in delivery order and hands results back
in the same order.  The first batch runs in a thread so the first page does not
wait for worker processes to start.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, AsyncIterator, Sequence

import orjson

from trailtui.events import Event, parse_event_time
from trailtui.filters import EventFilter
from trailtui.sources.records import decode_log

if TYPE_CHECKING:
    from trailtui.sources.local import LogFile


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What a worker needs to filter a file; plain values so it pickles cheaply."""

    filter_text: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(slots=True)
class FileScan:
    path: str
    scanned: int = 0
    events: list[Event] = field(default_factory=list)
    problem: str | None = None


@lru_cache(maxsize=16)
def _compiled(text: str) -> EventFilter:
    return EventFilter.compile(text)


def read_file(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def scan_bytes(path: str, data: bytes, request: ScanRequest) -> FileScan:
    """Decode one file's bytes and keep the events that pass time range and filter."""
    decoded = decode_log(data)
    result = FileScan(path, scanned=len(decoded.records), problem=decoded.problem)
    flt = _compiled(request.filter_text)
    since, until = request.since, request.until
    bounded = since is not None or until is not None
    for raw in decoded.records:
        if bounded:
            when = parse_event_time(raw.get("eventTime"))
            if when is None or (since is not None and when < since) or (until is not None and when > until):
                continue
        if flt.matches(raw):
            result.events.append(Event.from_raw(raw, path))
    return result


def scan_path(path: str, request: ScanRequest) -> FileScan:
    try:
        data = read_file(path)
    except OSError as exc:
        return FileScan(path, problem=f"cannot read file ({exc.strerror or exc})")
    return scan_bytes(path, data, request)


def scan_paths(paths: Sequence[str], request: ScanRequest) -> list[FileScan]:
    return [scan_path(p, request) for p in paths]


def scan_paths_packed(paths: Sequence[str], request: ScanRequest) -> list[tuple[str, int, list[bytes], str | None]]:
    """Worker-process form: matches travel back as JSON bytes, which pickle far
    cheaper than nested dicts."""
    out = []
    for scan in scan_paths(paths, request):
        out.append((scan.path, scan.scanned, [orjson.dumps(e.raw) for e in scan.events], scan.problem))
    return out


def _unpack(packed: list[tuple[str, int, list[bytes], str | None]]) -> list[FileScan]:
    results = []
    for path, scanned, blobs, problem in packed:
        events = [Event.from_raw(orjson.loads(b), path) for b in blobs]
        results.append(FileScan(path, scanned, events, problem))
    return results


class FileScanner:
    """Runs scans in batches, in order, keeping a bounded number in flight."""

    first_batch = 16
    batch = 48
    in_flight = 4
    process_threshold = 96  # fewer files than this: a thread is faster than starting workers

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or min(2, os.cpu_count() or 1)
        self._pool: Executor | None = None
        self.next_stamp: datetime | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _process_pool(self) -> Executor:
        if self._pool is None:
            import multiprocessing

            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    async def scan(self, files: Sequence["LogFile"], request: ScanRequest) -> AsyncIterator[list[FileScan]]:
        """Yield results batch by batch in file order; `next_stamp` is the stamp of
        the first file not yet yielded (None when all are done)."""
        loop = asyncio.get_running_loop()
        paths = [f.path for f in files]
        bounds = self._batches(len(paths))
        use_pool = len(paths) >= self.process_threshold and self.workers > 1
        queue: list[asyncio.Future] = []
        index = 0

        def submit(lo: int, hi: int) -> asyncio.Future:
            chunk = paths[lo:hi]
            if use_pool and lo > 0:
                return loop.run_in_executor(self._process_pool(), scan_paths_packed, chunk, request)
            return loop.run_in_executor(None, scan_paths, chunk, request)

        try:
            while index < len(bounds) or queue:
                while index < len(bounds) and len(queue) < self.in_flight:
                    queue.append(submit(*bounds[index]))
                    index += 1
                head = queue.pop(0)
                result = await head
                done_hi = bounds[index - len(queue) - 1][1]
                self.next_stamp = files[done_hi].stamp if done_hi < len(files) else None
                yield _unpack(result) if result and isinstance(result[0], tuple) else result
        finally:
            for future in queue:
                future.cancel()

    def _batches(self, count: int) -> list[tuple[int, int]]:
        bounds = []
        lo = 0
        size = self.first_batch
        while lo < count:
            hi = min(count, lo + size)
            bounds.append((lo, hi))
            lo = hi
            size = self.batch
        return bounds
