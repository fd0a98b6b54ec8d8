"""Answering a query from the store's segments.

Two steps, so that the raw JSON of events nobody asked for is never
decompressed: first the keys of the matching rows, newest first (the time
range and the pushed-down filter on the typed columns; rows flagged `odd`
always pass), then the raw JSON of one page of keys at a time.  Every event is
re-checked against the time range and the whole JMESPath filter
(`trailtui.sources.recheck.accept`), so the SQL only has to select a superset.

Ties in event time are ordered as a plain scan orders them: by the rank of the
file in the plain scan's reading order (handed in with the file ids), then by
the record's position in its file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trailtui.events import Event
from trailtui.sources.base import Query
from trailtui.sources.pushdown.literals import sql_string
from trailtui.sources.pushdown.timebounds import store_time
from trailtui.sources.recheck import accept
from trailtui.store.dialect import store_where

KEY_CHUNK = 2048
_ROW_IDS = ", filename = true, file_row_number = true"
# The segments' rows joined with the files the query may read (parameters `ids`, `ranks`).
_JOINED = "{rows} s JOIN (SELECT unnest($ids) AS file_id, unnest($ranks) AS rank) w ON s.file_id = w.file_id"


@dataclass(frozen=True, slots=True)
class Wanted:
    """The held files a query may read: id -> (rank in reading order, location)."""

    ranks: Mapping[int, int]
    locations: Mapping[int, str]
    newest: int | None = None  # microseconds: no held event is newer (the newest file's delivery stamp)
    max_rows: int | None = None  # more candidate rows than this: `TooManyRows` before any is read


class TooManyRows(Exception):
    """The SQL selects so much of the store that re-checking each row's raw
    JSON here would cost more than a plain scan (which checks in parallel,
    on typed fields): the caller scans plainly instead."""


def _parquet(segments: Sequence[Path], extra: str = "") -> str:
    return "read_parquet([" + ", ".join(sql_string(str(p)) for p in segments) + f"]{extra})"


def keys_statement(segments: Sequence[Path], query: Query, newer_than: int | None = None,
                   counted: bool = False) -> tuple[str, bool]:
    """The first step's SQL (parameters `ids`, `ranks`) and whether the SQL
    selects exactly the matching rows (then a LIMIT may be pushed down);
    `newer_than` (microseconds) keeps only events at or after it; `counted`
    adds the number of rows selected to every row."""
    pushed = store_where(query.filter)
    times = store_time(query.time_range)
    where = list(times.predicates)
    if newer_than is not None:
        where.append(f"t >= {int(newer_than)}")
    if pushed.pushed:
        where.append(f"(s.odd OR {pushed.where})")
    columns = "s.filename, s.file_row_number, s.file_id, w.rank, s.seq, coalesce(s.t, 0) AS t"
    if counted:
        columns += ", count(*) OVER () AS selected"
    sql = f"SELECT {columns} FROM {_JOINED}".format(rows=_parquet(segments, _ROW_IDS))  # noqa: S608 - our literals
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY coalesce(s.t, 0) DESC, w.rank, s.seq"
    return sql, pushed.exact


SortKey = tuple[int, int, int]  # (-time in microseconds, file rank, record position): newest first
Keyed = tuple[SortKey, Event]
_Key = tuple[Any, ...]  # segment, row number, file id, rank, seq, t (and the rows selected)


def segment_scan(segments: Sequence[Path], wanted: Wanted) -> tuple[str, dict[str, list[int]]]:
    """`FROM` text for the rows of the wanted files (`s` the rows, `w` their
    rank) and its parameters; for features that query the store themselves."""
    ids = list(wanted.ranks)
    return _JOINED.format(rows=_parquet(segments, _ROW_IDS)), {"ids": ids, "ranks": [wanted.ranks[i] for i in ids]}


def whole_segments_scan(segments: Sequence[Path]) -> str:
    """`FROM` text for every row of `segments` (`s` the rows): when every row
    is of a wanted file, counting skips the join that picks rows by file."""
    return _parquet(segments) + " s"


# How far back from the newest event a LIMIT query looks first (hours), widening
# until it holds enough: rows are stored newest first, so a time bound skips
# most row groups, and every event newer than the bound is in the answer's order.
WINDOWS_HOURS = (1, 6, 24, 24 * 7, 24 * 31)
_HOUR = 3_600_000_000


def matching_events(con: Any, segments: Sequence[Path], wanted: Wanted, query: Query) -> Iterator[list[Keyed]]:
    """Matching events with their sort keys, newest first, in lists of up to
    KEY_CHUNK (before the re-check), until the query's limit is met."""
    if not wanted.ranks or not segments:
        return
    if query.limit is None or wanted.newest is None:
        yield from _pass(con, segments, wanted, query, None)
        return
    for hours in (*WINDOWS_HOURS, None):
        bound = None if hours is None else wanted.newest - hours * _HOUR
        found = [keyed for chunk in _pass(con, segments, wanted, query, bound) for keyed in chunk]
        if len(found) >= query.limit or bound is None:
            yield found[:query.limit]
            return


def _pass(con: Any, segments: Sequence[Path], wanted: Wanted, query: Query,
          newer_than: int | None) -> Iterator[list[Keyed]]:
    counted = wanted.max_rows is not None and query.limit is None
    sql, exact = keys_statement(segments, query, newer_than, counted)
    _, params = segment_scan(segments, wanted)
    limited = query.limit is not None and exact
    emitted = offset = 0
    keys = con.cursor()
    fetch = con.cursor()
    try:
        while True:
            # A LIMIT also counts rows flagged odd, which the re-check may drop:
            # when it cut the SQL short of a page, read on past what was read.
            page = sql + (f" LIMIT {int(query.limit or 0)} OFFSET {offset}" if limited else "")
            keys.execute(page, params)
            rows = 0
            while True:
                chunk = keys.fetchmany(KEY_CHUNK)
                if not chunk:
                    break
                if rows == 0 and offset == 0 and counted and chunk[0][6] > (wanted.max_rows or 0):
                    raise TooManyRows(f"{chunk[0][6]:,} candidate rows")
                rows += len(chunk)
                events = _fetch(fetch, chunk, wanted, query)
                if query.limit is not None:
                    events = events[: max(0, query.limit - emitted)]  # Query.cap, for keyed events
                emitted += len(events)
                yield events
                if query.limit is not None and emitted >= query.limit:
                    return
            if not limited or rows < (query.limit or 0):
                return
            offset += rows
    finally:
        keys.close()
        fetch.close()


def _fetch(con: Any, keys: list[_Key], wanted: Wanted, query: Query) -> list[Keyed]:
    """The second step: raw JSON for `keys`, re-checked, in key order."""
    by_segment: dict[str, list[int]] = {}
    for segment, row, *_ in keys:
        by_segment.setdefault(segment, []).append(row)
    raws: dict[tuple[str, int], str] = {}
    for segment, rows in by_segment.items():
        numbers = ", ".join(str(int(r)) for r in rows)
        rows_of = _parquet([Path(segment)], ", file_row_number = true")
        sql = f"SELECT file_row_number, raw FROM {rows_of} WHERE file_row_number IN ({numbers})"  # noqa: S608 - ints
        found = con.execute(sql).fetchall()
        for row, raw in found:
            raws[(segment, row)] = raw
    out: list[Keyed] = []
    for segment, row, file_id, rank, seq, when, *_ in keys:
        event = accept(query, orjson.loads(raws[(segment, row)]), wanted.locations[file_id])
        if event is not None:
            out.append(((-when, rank, seq), event))
    return out
