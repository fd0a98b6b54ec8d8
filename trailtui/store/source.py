"""A local source answered from its store wherever the store is fresh.

`IndexedSource.search` lists the files of the range (what a plain scan would
read, in its order), answers the files the store holds fresh from the store,
scans the others plainly, and merges both newest first, so every answer equals
a plain scan's.  When the store holds nothing of the range, or too little of
it to pay off, the plain scan answers alone.  Files found stale can be handed
to a background build (the console does; `trailtui index` builds explicitly).

Whatever goes wrong with the store (corrupt, unreadable, another version, an
engine error) makes that search a plain scan with one notice; it never fails
the search.
"""

from __future__ import annotations

import asyncio
import heapq
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trailtui.events import EPOCH, Event
from trailtui.sources.base import Capabilities, EventSource, Page, Problem, Query, SourceError
from trailtui.sources.layout import FAR_FUTURE
from trailtui.sources.pushdown.timebounds import micros
from trailtui.sources.scan import FileScan, FileScanner, ScanRequest
from trailtui.store.blocks import BlockError
from trailtui.store.engine import OpeningConnection, connect, engine
from trailtui.store.listing import Listing, LogIdentity, local_listing
from trailtui.store.location import StoreLocation
from trailtui.store.manifest import Manifest, StoreInvalid, load
from trailtui.store.prepare import FindingsPreparation
from trailtui.store.query import Keyed, SortKey, TooManyRows, Wanted, matching_events
from trailtui.store.unchanged import ManifestRows, UnchangedTree
from trailtui.store.worth import MAX_STORE_SHARE, MIN_ROWS_CHECKED, candidate_bound, store_pays
from trailtui.timerange import TimeRange

INDEXED = "indexed"


@dataclass(slots=True)
class BuildState:
    """The background build, as the status line shows it."""

    running: bool = False
    done: int = 0
    total: int = 0
    notice: str = ""

    def word(self) -> str:
        if self.running:
            share = self.done / self.total if self.total else 0.0
            return f"indexing {share:.0%}"
        return ""


@dataclass(slots=True)
class Split:
    """A range's files: held fresh by the store, and read plainly."""

    fresh: list[tuple[int, LogIdentity, int]] = field(default_factory=list)  # (rank, file, file id)
    plain: list[tuple[int, LogIdentity]] = field(default_factory=list)       # (rank, file)
    fresh_events: int = 0
    stale: list[LogIdentity] = field(default_factory=list)                   # to (re)build
    whole: bool = False  # every row of those segments is of a fresh file: no need to pick rows by file
    dictionary: str = ""  # the name of the blocks' compression dictionary ("" for none)
    segment_of: dict[int, str] = field(default_factory=dict)                 # fresh file id -> its segment

    @property
    def segments(self) -> set[str]:
        """The segments holding the fresh files."""
        return set(self.segment_of.values())


def split(listing: Listing, manifest: Manifest | None) -> Split:
    """The listing's files divided into those the store holds fresh and those
    read plainly (tens of thousands before every answer: one pass, locals)."""
    files = manifest.files if manifest is not None else {}
    fresh: list[tuple[int, LogIdentity, int]] = []
    plain: list[tuple[int, LogIdentity]] = []
    stale: list[LogIdentity] = []
    held: dict[str, int] = {}
    segment_of: dict[int, str] = {}
    events = 0
    get = files.get
    for rank, log in enumerate(listing.files):
        entry = get(log.location)
        if entry is None or not log.same_as(entry):
            plain.append((rank, log))
            stale.append(log)
        elif entry.segment:
            fresh.append((rank, log, entry.id))
            segment_of[entry.id] = entry.segment
            events += entry.events
            held[entry.segment] = held.get(entry.segment, 0) + entry.events
        else:  # known, unchanged, not held (it has a problem): read plainly, nothing to build
            plain.append((rank, log))
    rows = manifest.segments if manifest is not None else {}
    return Split(fresh, plain, events, stale,
                 bool(held) and all(rows.get(segment) == count for segment, count in held.items()),
                 manifest.dictionary if manifest is not None else "", segment_of)


def wanted_files(parts: Split, folder: Path, max_rows: int | None = None) -> Wanted:
    """The held files a search reads, with their reading order and where a
    LIMIT query starts looking back from: the newest delivery stamp (only a
    starting point: every event at or after a bound is found, whatever its file)."""
    stamps = [log.stamp for _, log, _ in parts.fresh]
    newest = max(stamps) if stamps else None
    paths = {name: str(folder / name) for name in parts.segments}  # one Path per segment, not per file
    return Wanted({file_id: rank for rank, _, file_id in parts.fresh},
                  {file_id: log.location for _, log, file_id in parts.fresh},
                  None if newest is None or newest >= FAR_FUTURE else micros(newest), max_rows,
                  str(folder / parts.dictionary) if parts.dictionary else "", parts.whole,
                  {file_id: paths[name] for file_id, name in parts.segment_of.items()})


def _key(event: Event, rank: int, seq: int) -> SortKey:
    return (-(micros(event.time) if event.time is not EPOCH else 0), rank, seq)


class IndexedSource:
    """A local tree (or file) read through its store."""

    capabilities = Capabilities(sql_pushdown=True, server_time_pruning=True, raw_json=True, server_cancel=False)
    max_plain_share = 0.25  # more of the range stale than this: the plain scan answers alone
    max_store_share = MAX_STORE_SHARE  # see `candidate_bound`
    min_rows_checked = MIN_ROWS_CHECKED

    def __init__(self, plain: EventSource, root: str, location: StoreLocation, background_build: bool = False,
                 scanner: FileScanner | None = None) -> None:
        self.plain = plain
        self.url = plain.url
        self.root = root
        self.location = location
        self.background_build = background_build
        self.build = BuildState()
        self._scanner = scanner or FileScanner()
        self._build_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.on_build_change: Callable[[BuildState], None] | None = None
        self.indexed = False  # the last search's range was held whole (or a build since completed it)
        # After a complete background build, keep the built-in hunts' findings in
        # a child process (the console sets this when it runs that catalogue).
        self.prepare_hunts = False
        self._preparation: FindingsPreparation | None = None
        self._preparing = threading.Lock()  # the build thread and the search's loop both may start it

    def index_word(self) -> str:
        """For the status line: `indexing 42%` while building, `indexed` when
        the last range searched is held whole, else ""."""
        return self.build.word() or (INDEXED if self.indexed else "")

    async def close(self) -> None:
        self._stop.set()
        self._scanner.close()
        await self.plain.close()
        thread = self._build_thread
        if thread is not None:
            await asyncio.to_thread(thread.join, 30)
        if self._preparation is not None:
            await asyncio.to_thread(self._preparation.stop)

    def worth_it(self, query: Query) -> bool:
        """False when a plain scan answers faster (`store_pays`).  The S3 store
        always pays (no downloads)."""
        return store_pays(query)

    async def listing(self, window: TimeRange, known: Manifest | None = None) -> Listing:
        """The source's files for `window`, newest first (what a plain scan reads);
        from `known` while its folder marks hold."""
        return await asyncio.to_thread(local_listing, self.root, window.since, window.until, known)

    async def state(self, window: TimeRange) -> tuple[Listing, Manifest | None, str]:
        """The source's files for `window`, the store's manifest, and a notice
        when the store was refused."""
        manifest, notice = await asyncio.to_thread(self.manifest)
        return await self.listing(window, manifest), manifest, notice

    async def scan_files(self, files: list[LogIdentity], request: ScanRequest) -> AsyncIterator[list[FileScan]]:
        """Read `files` plainly (filtered), in batches; FileScan.path is each file's location."""
        async for batch, _ in self._scanner.scan([(log.stamp, log.location) for log in files], request):
            yield batch

    def manifest(self) -> tuple[Manifest | None, str]:
        """The store's manifest (None: no usable store) and a notice when it was refused."""
        try:
            return load(self.location.manifest, self.location.source), ""
        except StoreInvalid as exc:
            return None, f"index: store at {self.location.folder} not used ({exc}); it will be rebuilt"

    async def search(self, query: Query) -> AsyncIterator[Page]:
        worth_it = self.worth_it(query)
        if not worth_it and not self.background_build:  # nothing to learn from listing the store's files
            async for page in self._plain(query, ""):
                yield page
            return
        connecting = OpeningConnection() if worth_it else None  # overlaps the listing
        try:
            async for page in self._answer(query, worth_it, connecting):
                yield page
        finally:
            if connecting is not None:
                connecting.release()

    async def _answer(self, query: Query, worth_it: bool,
                      connecting: OpeningConnection | None) -> AsyncIterator[Page]:
        tree = await asyncio.to_thread(self._unchanged, query) if worth_it else None
        notice = ""
        if tree is not None:  # no listing, no split: the store holds the tree as it is
            self.indexed = True
            if self._preparation is None:
                self._prepare_findings()
            stored = self._stored(query, Split(fresh_events=tree.events, whole=True), tree.wanted, tree.segments, [],
                                  connecting)
        else:
            listing, manifest, notice = await self.state(query.time_range)
            parts = await asyncio.to_thread(split, listing, manifest)
            self.indexed = not parts.plain
            if self.indexed and query.time_range.unbounded and self._preparation is None:
                self._prepare_findings()
            if parts.stale and self.background_build:
                self._start_build(listing.files if query.time_range.unbounded else parts.stale,
                                  complete=query.time_range.unbounded, folders=listing.folders)
            if (notice or not parts.fresh or len(parts.plain) > max(16, self.max_plain_share * len(listing.files))
                    or not worth_it):
                async for page in self._plain(query, notice):
                    yield page
                return
            stored = self._merged(query, listing, parts, connecting)
        yielded = False
        try:
            async for page in stored:
                yielded = True
                yield page
        except TooManyRows:
            async for page in self._plain(query, notice):
                yield page
        except _StoreFailed as exc:
            if yielded:
                raise SourceError(f"index: the store failed mid-answer ({exc}); run with --no-index") from None
            async for page in self._plain(query, f"index: store not used ({exc}); plain scan"):
                yield page

    def _unchanged(self, query: Query) -> UnchangedTree | None:
        """The whole tree when nothing changed since its whole build
        (`trailtui.store.unchanged`), else None (then it is listed and split)."""
        if not query.time_range.unbounded:
            return None
        rows = ManifestRows.read(self.location, self.root)
        if rows is None:
            return None
        max_rows = None
        if query.limit is None:
            max_rows = candidate_bound(rows.events, self.max_store_share, self.min_rows_checked)
        return rows.unchanged(max_rows)

    async def _plain(self, query: Query, notice: str) -> AsyncIterator[Page]:
        first = True
        async for page in self.plain.search(query):
            if first and notice:
                page.notices.append(notice)
            first = False
            page.status = page.status or self.build.word()
            yield page

    async def _merged(self, query: Query, listing: Listing, parts: Split,
                      connecting: OpeningConnection | None = None) -> AsyncIterator[Page]:
        scanned, problems, plain_events = await self._scan_plain(query, parts)
        max_rows = None
        if query.limit is None:
            max_rows = candidate_bound(parts.fresh_events, self.max_store_share, self.min_rows_checked)
        wanted = wanted_files(parts, self.location.folder, max_rows)
        segments = sorted(self.location.folder / segment for segment in parts.segments)
        async for page in self._stored(query, parts, wanted, segments, list(listing.problems) + problems, connecting,
                                       scanned, plain_events):
            yield page

    async def _stored(self, query: Query, parts: Split, wanted: Wanted, segments: list[Path], problems: list[Problem],
                      connecting: OpeningConnection | None, scanned: int = 0,
                      plain_events: list[Keyed] | None = None) -> AsyncIterator[Page]:
        """Pages of the store's matches merged with `plain_events` (the plain
        scan of the files it does not hold fresh), newest first."""
        stored = _StoreStream(segments, wanted, query, connecting)
        merged = heapq.merge(plain_events or [], stored.keyed(), key=_sort_key)
        emitted = 0
        first = Page(scanned=scanned + parts.fresh_events, problems=problems)
        iterator = iter(merged)
        try:
            while True:
                batch = await asyncio.to_thread(_take, iterator, query.page_size)
                batch = query.cap(batch, emitted)
                emitted += len(batch)
                done = len(batch) < query.page_size or (query.limit is not None and emitted >= query.limit)
                status = self.build.word() or (INDEXED if not parts.plain else "")
                yield Page(events=batch, scanned=first.scanned, problems=first.problems,
                           progress=1.0 if done else None, status=status)
                first = Page()
                if done:
                    return
        finally:
            stored.close()

    async def _scan_plain(self, query: Query, parts: Split) -> tuple[int, list[Problem], list[Keyed]]:
        """The files the store does not hold fresh, scanned as a plain scan would."""
        if not parts.plain:
            return 0, [], []
        ranks = {log.location: rank for rank, log in parts.plain}
        request = ScanRequest(query.filter.text, query.time_range.since, query.time_range.until)
        scanned = 0
        problems: list[Problem] = []
        keyed: list[Keyed] = []
        async for batch in self.scan_files([log for _, log in parts.plain], request):
            for result in batch:
                scanned += result.scanned
                if result.problem:
                    problems.append(Problem(result.path, result.problem))
                rank = ranks[result.path]
                keyed.extend((_key(event, rank, seq), event) for seq, event in enumerate(result.events))
        keyed.sort(key=lambda item: item[0])
        return scanned, problems, keyed

    # -- background build ---------------------------------------------------------
    def _start_build(self, files: list[LogIdentity], complete: bool, folders: dict[str, int] | None = None) -> None:
        if self._build_thread is not None and self._build_thread.is_alive():
            return
        self.build = BuildState(running=True, total=len(files))
        thread = threading.Thread(target=self._run_build, args=(files, complete, folders), name="trailtui-index",
                                  daemon=True)
        self._build_thread = thread
        thread.start()

    def _run_build(self, files: list[LogIdentity], complete: bool, folders: dict[str, int] | None) -> None:
        state = self.build

        def progress(done: int, total: int) -> None:
            state.done, state.total = done, total
            self._changed()

        from trailtui.store.build import StoreBuilder, lower_priority  # processes and locks: only when building

        lower_priority(threading.get_native_id())  # this thread and the engine threads it starts
        try:
            builder = StoreBuilder(self.location, background=True)
            report = builder.build(files, complete=complete, progress=progress, stop=self._stop, folders=folders)
            state.notice = "index: another trailtui is building this store" if report.busy else ""
            self.indexed = not report.busy and not report.stopped
            if complete and self.indexed:
                self._prepare_findings()
        except Exception as exc:  # noqa: BLE001 - disk full, unwritable cache, engine error: plain scans go on
            state.notice = f"index: cannot write the store at {self.location.folder} ({_reason(exc)}); plain scans"
        finally:
            state.running = False
            self._changed()

    @property
    def preparing(self) -> bool:
        """A child process is keeping the built-in hunts' findings."""
        return self._preparation is not None and self._preparation.running

    async def prepared(self, timeout: float) -> None:
        """Wait for the preparation to end (at most `timeout` seconds; at once
        when none runs or the source is closed)."""
        preparation = self._preparation
        if preparation is not None:
            await asyncio.to_thread(preparation.wait, timeout)

    def _prepare_findings(self) -> None:
        """The built-in hunts' findings kept in a child process, when asked for
        (`prepare_hunts`), the store holds the whole source, and none runs:
        once the store is seen whole, and again after each complete build.
        The child answers from findings already kept in a fraction of a second."""
        with self._preparing:
            if not self.prepare_hunts or self._stop.is_set() or (
                    self._preparation is not None and self._preparation.running):
                return
            preparation = FindingsPreparation(self.root)
            try:
                preparation.start()
            except OSError:  # no process to spare: the hunts are decided when asked
                return
            self._preparation = preparation

    def _changed(self) -> None:
        if self.on_build_change is not None:
            self.on_build_change(self.build)

    def __repr__(self) -> str:
        return f"IndexedSource({self.root!r})"


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return str(text)[:200]


class _StoreFailed(Exception):
    """The store could not answer (engine error, segment gone): plain scan instead."""


def _sort_key(item: Keyed) -> SortKey:
    return item[0]


def _take(iterator: Iterator[Keyed], count: int) -> list[Event]:
    out: list[Event] = []
    for _, event in iterator:
        out.append(event)
        if len(out) >= count:
            break
    return out


class _StoreStream:
    """The store's matching events with their sort keys, read lazily (on the
    thread that takes from the merge)."""

    def __init__(self, segments: list[Path], wanted: Wanted, query: Query,
                 connecting: OpeningConnection | None = None) -> None:
        self.segments = segments
        self.wanted = wanted
        self.query = query
        self._connecting = connecting
        self._con: Any = None

    def keyed(self) -> Iterator[Keyed]:
        try:
            self._con = self._take_connection()
            for chunk in matching_events(self._con, self.segments, self.wanted, self.query):
                yield from chunk
        except (engine().Error, OSError, KeyError, BlockError) as exc:
            raise _StoreFailed(str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__) from None

    def _take_connection(self) -> Any:
        connecting, self._connecting = self._connecting, None
        return connecting.take() if connecting is not None else connect()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
