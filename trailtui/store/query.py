"""Answering a query from the store's segments.

Two steps, so that events nobody asked for are never decompressed: first the
keys of the matching rows, newest first (the time range and the pushed-down
filter on the columns; rows flagged `odd` always pass), then, a page of keys at
a time, their blocks (`trailtui.store.blocks`), from which each event is rebuilt.  Every event is
re-checked against the time range and the whole JMESPath filter
(`trailtui.sources.recheck.accept`), so the SQL only has to select a superset.

Ties in event time are ordered as a plain scan orders them: by the rank of the
file in the plain scan's reading order (handed in with the file ids), then by
the record's position in its file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trailtui.events import Event
from trailtui.sources.base import Query
from trailtui.sources.pushdown.literals import sql_string
from trailtui.sources.pushdown.timebounds import store_time
from trailtui.sources.recheck import accept
from trailtui.store.blocks import BlockError, block_line, event, read_blocks
from trailtui.store.dialect import store_branches, store_where
from trailtui.store.segments import events_path

KEY_CHUNK = 2048

# The segments' rows joined with the files the query may read (parameters `ids`, `ranks`).
_JOINED = "{rows} s JOIN (SELECT unnest($ids) AS file_id, unnest($ranks) AS rank) w ON s.file_id = w.file_id"


@dataclass(frozen=True, slots=True)
class Wanted:
    """The held files a query may read: id -> (rank in reading order, location)."""

    ranks: Mapping[int, int]
    locations: Mapping[int, str]
    newest: int | None = None  # microseconds: no held event is newer (the newest file's delivery stamp)
    max_rows: int | None = None  # more candidate rows than this: `TooManyRows` before any is read
    dictionary: str = ""  # the path of the blocks' compression dictionary ("" for none)
    whole: bool = False  # every row of the segments is of a wanted file: no need to pick rows by file
    # id -> the path of the segment holding the file's rows (a column of file
    # names in the scan would cost more than the whole selection)
    segments: Mapping[int, str] = field(default_factory=dict)


class TooManyRows(Exception):
    """The SQL selects so much of the store that re-checking each row's raw
    JSON here would cost more than a plain scan (which checks in parallel,
    on typed fields): the caller scans plainly instead."""


def _parquet(segments: Sequence[Path], extra: str = "") -> str:
    return "read_parquet([" + ", ".join(sql_string(str(p)) for p in segments) + f"]{extra})"


def row_reference(rank: str = "w.rank", odd: str = "s.odd") -> str:
    """The columns `fetch_events` takes for each row (the rows `s`; `rank`
    the SQL of the file's rank in reading order; `odd` the flag's SQL, a
    constant where the WHERE already decided it: a column read for rows the
    scan selected costs the decompression of its whole page)."""
    return (f"s.file_id, {rank} AS rank, s.seq, coalesce(s.t, 0) AS t, s.block_at, s.block_len, s.block_line, "
            f"{odd} AS odd")


def keys_statement(segments: Sequence[Path], query: Query, newer_than: int | None = None,
                   counted: bool = False, joined: bool = True) -> tuple[str, bool]:
    """The first step's SQL (parameters `ids`, `ranks`) and whether the SQL
    selects exactly the matching rows (then a LIMIT may be pushed down);
    `newer_than` (microseconds) keeps only events at or after it; `counted`
    adds the number of rows selected to every row.  `joined=False`: every row
    is of a wanted file, so no rows are picked by file (no parameters) and
    none are ordered (the caller orders them, with each file's rank).

    Rows flagged odd are selected apart (`UNION ALL`; the writer never leaves
    the flag NULL), and a top-level `||` becomes one `UNION` branch per operand
    (`store_branches`; a row is one event, so the UNION drops only a row
    selected twice): DuckDB pushes a plain comparison or AND into its scan,
    never an OR, and `odd OR ...` made every filter one."""
    pushed = store_where(query.filter)
    where = list(store_time(query.time_range).predicates)
    if newer_than is not None:
        where.append(f"t >= {int(newer_than)}")
    branches = store_branches(query.filter) if pushed.pushed else None
    exact = pushed.exact if branches is None else all(branch.exact for branch in branches)
    filters = [branch.text for branch in branches] if branches else [pushed.where] if pushed.pushed else []
    rows = _parquet(segments) + " s" if not joined else _JOINED.format(rows=_parquet(segments))
    rank = "0" if not joined else "w.rank"

    def select(conditions: list[str], odd: str = "s.odd") -> str:
        return (f"SELECT {row_reference(rank, odd)} FROM {rows} WHERE "  # noqa: S608 - our literals
                + " AND ".join(conditions or ["TRUE"]))

    if filters:
        chosen = " UNION ".join(select(["NOT s.odd", *where, text], "false") for text in filters)
        sql = f"{chosen} UNION ALL {select(['s.odd', *where], 'true')}"
    else:
        sql = select(where)
    if not joined:
        return sql, exact
    head = "SELECT *, count(*) OVER () AS selected" if counted else "SELECT *"
    return f"{head} FROM ({sql}) ORDER BY t DESC, rank, seq", exact


SortKey = tuple[int, int, int]  # (-time in microseconds, file rank, record position): newest first
Keyed = tuple[SortKey, Event]
_Key = tuple[Any, ...]  # file id, rank, seq, t, block at/len/line, odd (and the rows selected)
_SELECTED = 8


def segment_scan(segments: Sequence[Path], wanted: Wanted) -> tuple[str, dict[str, list[int]]]:
    """`FROM` text for the rows of the wanted files (`s` the rows, `w` their
    rank) and its parameters; for features that query the store themselves."""
    ids = list(wanted.ranks)
    return _JOINED.format(rows=_parquet(segments)), {"ids": ids, "ranks": [wanted.ranks[i] for i in ids]}


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
    if query.limit is None and wanted.whole:
        yield from _unjoined_pass(con, segments, wanted, query)
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


def unjoined_keys(con: Any, segments: Sequence[Path], query: Query, max_rows: int | None) -> tuple[list[_Key], bool]:
    """Every matching row of `segments`, unordered, without a join by file
    (every row is of a wanted file), and whether the SQL selected exactly the
    matching rows.  Raises TooManyRows past `max_rows`.  The caller may run
    this on the connection's thread while it checks the files."""
    sql, exact = keys_statement(segments, query, joined=False)
    keys = con.cursor()
    rows: list[_Key] = []
    try:
        keys.execute(sql)
        while chunk := keys.fetchmany(KEY_CHUNK * 8):
            rows.extend(chunk)
            if max_rows is not None and len(rows) > max_rows:
                raise TooManyRows(f"over {max_rows:,} candidate rows")
    finally:
        keys.close()
    return rows, exact


def ranked_events(rows: list[_Key], exact: bool, wanted: Wanted, query: Query) -> Iterator[list[Keyed]]:
    """`unjoined_keys`' rows put in reading order here, with each file's rank
    (a join of millions of rows with the file list cost more than the
    selection itself), their events fetched a chunk at a time."""
    ranks = wanted.ranks
    ranked = [(file_id, ranks[file_id], seq, when, *block) for file_id, _, seq, when, *block in rows]
    ranked.sort(key=lambda row: (-row[3], row[1], row[2]))
    for start in range(0, len(ranked), KEY_CHUNK):
        yield fetch_events(ranked[start:start + KEY_CHUNK], wanted, query, exact)


def _unjoined_pass(con: Any, segments: Sequence[Path], wanted: Wanted, query: Query) -> Iterator[list[Keyed]]:
    rows, exact = unjoined_keys(con, segments, query, wanted.max_rows)
    yield from ranked_events(rows, exact, wanted, query)


def _pass(con: Any, segments: Sequence[Path], wanted: Wanted, query: Query,
          newer_than: int | None) -> Iterator[list[Keyed]]:
    counted = wanted.max_rows is not None and query.limit is None
    sql, exact = keys_statement(segments, query, newer_than, counted)
    _, params = segment_scan(segments, wanted)
    limited = query.limit is not None and exact
    emitted = offset = 0
    keys = con.cursor()
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
                if rows == 0 and offset == 0 and counted and chunk[0][_SELECTED] > (wanted.max_rows or 0):
                    raise TooManyRows(f"{chunk[0][_SELECTED]:,} candidate rows")
                rows += len(chunk)
                events = fetch_events(chunk, wanted, query, exact)
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


def fetch_events(keys: list[_Key], wanted: Wanted, query: Query, exact: bool = False) -> list[Keyed]:
    """The second step: each key's event read from its block, re-checked, in
    key order.  `exact`: the SQL selected exactly the matching rows, so only
    rows flagged odd need the JMESPath filter again (the time range is always
    checked, as it is where an unreadable time is found).  Raises BlockError."""
    spans: dict[str, set[tuple[int, int]]] = {}
    segment_of = wanted.segments
    for file_id, _, _, _, at, length, *_ in keys:
        spans.setdefault(segment_of[file_id], set()).add((at, length))
    texts = {segment: read_blocks(events_path(Path(segment)), found, wanted.dictionary)
             for segment, found in spans.items()}
    out: list[Keyed] = []
    locations = wanted.locations
    for file_id, rank, seq, when, at, _, line, odd, *_ in keys:
        segment = segment_of[file_id]
        try:
            text = block_line(texts[segment][at], line)
        except BlockError:
            raise BlockError(f"{Path(segment).name}: a row points past its block") from None
        found = accept(query, event(text), locations[file_id], matched=exact and not odd)
        if found is not None:
            out.append(((-when, rank, seq), found))
    return out
