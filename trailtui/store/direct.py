"""Searches a CLI process answers from the store without an event loop.

A `trailtui query` whose whole answer the store holds spends most of its time
getting ready: the interpreter, imports, the engine, the manifest, a stat per
log file.  This path imports neither asyncio nor the sources' machinery,
opens the engine on a thread while the manifest is read, and runs the SQL on
the segments while the files are checked (the engine releases the GIL while
it scans).  Whatever it cannot answer exactly as the general path would (a
time range, a tree that changed, a store it cannot read, more candidate rows
than the store is worth, an engine error before the first event) it declines
with None, before anything is printed; the command then takes the general
path (`IndexedSource`), which answers or says why the store was not used.
The events and their order are the general path's: the same `Wanted`
(`trailtui.store.unchanged`) and the same key and fetch steps
(`trailtui.store.query`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trailtui.events import Event
from trailtui.sources.base import Query, SourceError
from trailtui.sources.local_path import local_path
from trailtui.sources.registry import scheme_of
from trailtui.store.blocks import BlockError
from trailtui.store.engine import OpeningConnection, ThreadJob, engine
from trailtui.store.location import StoreLocation, locate
from trailtui.store.query import (
    Keyed,
    TooManyRows,
    matching_events,
    ranked_events,
    unjoined_keys,
    whole_segments_scan,
)
from trailtui.store.speculative import SpeculativeSql
from trailtui.store.unchanged import ManifestRows, UnchangedTree
from trailtui.store.worth import candidate_bound, store_pays


def local_store(url: str) -> tuple[StoreLocation, str] | None:
    """The store location and root of a local tree's URL; None for any other source."""
    if scheme_of(url) != "file":
        return None
    location = locate(url)
    if location is None:
        return None
    return location, local_path(url)


def _failures() -> tuple[type[BaseException], ...]:
    return engine().Error, OSError, KeyError, BlockError, TooManyRows


def search_unchanged(url: str, query: Query,
                     connecting: OpeningConnection | None = None) -> Iterator[list[Event]] | None:
    """The matching events, newest first, in lists; None when this path
    cannot answer exactly (see the module's docstring).  `connecting`: the
    engine, already opening (`trailtui.commands.early_engine`); taken when used,
    else left to its opener to release."""
    if not query.time_range.unbounded or not store_pays(query):
        return None
    found = local_store(url)
    if found is None or not found[0].manifest.is_file():
        return None
    connecting = connecting or OpeningConnection()  # the engine loads while the manifest is read
    # every match: the SQL starts on the folder's segments while the manifest is read and the files checked
    early = (SpeculativeSql(connecting, found[0].folder, lambda con, segments: _bounded_keys(con, segments, query))
             if query.limit is None else None)
    try:
        rows = ManifestRows.read(*found)
        if rows is not None:
            return _search(rows, query, connecting, early)
    except _failures():
        pass
    if early is not None:
        early.abandon()
    connecting.close()
    return None


def _bounded_keys(con: Any, segments: list[Path], query: Query) -> tuple[int, tuple[list[Any], bool]]:
    """The rows `segments` hold, and every matching row (`unjoined_keys`)
    bounded by the rows the store may re-check (`candidate_bound`)."""
    total = con.execute(f"SELECT count(*) FROM {whole_segments_scan(segments)}").fetchone()[0]  # noqa: S608
    return total, unjoined_keys(con, segments, query, candidate_bound(total))


def _search(rows: ManifestRows, query: Query, connecting: OpeningConnection,
            early: SpeculativeSql | None) -> Iterator[list[Event]] | None:
    max_rows = candidate_bound(rows.events) if query.limit is None else None
    segments = rows.segments
    job: SpeculativeSql | ThreadJob | None = None
    if early is not None and early.ran_on(segments):
        job = early
    elif query.limit is None:
        if early is not None:
            early.abandon()
        job = connecting.run(lambda con: _bounded_keys(con, segments, query))
    tree = rows.unchanged(max_rows)
    counted = job.wait() if job is not None else None  # raises what the SQL raised
    con = connecting.take()
    if tree is None or (counted is not None and counted[0] != rows.events):
        con.close()  # changed files, or segments holding other rows than the manifest says
        return None
    keys = counted[1] if counted is not None else None
    chunks = _chunks(con, tree, query, keys if tree.segments == segments else None)
    first = next(chunks, [])
    return _stream(first, chunks, con)


def _chunks(con: Any, tree: UnchangedTree, query: Query, keys: tuple[list[Any], bool] | None) -> Iterator[list[Keyed]]:
    """From the rows the early SQL selected, else by the general key step (a
    LIMIT, or a segment the early SQL read that no file is held in)."""
    if keys is not None:
        rows, exact = keys  # only the files of the rows selected are looked up and ranked
        return ranked_events(rows, exact, tree.wanted_for(row[0] for row in rows), query)
    return matching_events(con, tree.segments, tree.wanted, query)


def _stream(first: list[Keyed], rest: Iterator[list[Keyed]], con: Any) -> Iterator[list[Event]]:
    try:
        yield [event for _, event in first]
        try:
            for chunk in rest:
                yield [event for _, event in chunk]
        except _failures() as exc:
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise SourceError(f"index: the store failed mid-answer ({reason}); run with --no-index") from None
    finally:
        con.close()
