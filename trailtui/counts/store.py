"""Counts from the local investigation store (`trailtui.store`): one GROUP BY
inside DuckDB over the store's Parquet segments.

It answers only when that is exactly what a plain count would say: the source
reads through a store that holds the query's whole range fresh, every `--by`
is a string column of the store (or an `a || b` chain of them) and the filter
pushes down exactly.  Rows the store flags `odd` (some field of another type
than its column's) are counted from their raw JSON with the JMESPath
expressions, as a plain count would.  Groups come back in chunks and go
through the same bounded `GroupCounter` as a streamed count, so an answer
with millions of groups stays in bounded memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import orjson

from trailtui.counts.counter import DEFAULT_CAPACITY, GroupCounter
from trailtui.counts.keys import GroupSpec
from trailtui.counts.result import CountResult
from trailtui.counts.sql import key_sql
from trailtui.events import EPOCH
from trailtui.sources.base import Query
from trailtui.sources.pushdown import to_sql
from trailtui.sources.pushdown.timebounds import store_time
from trailtui.sources.recheck import accept

FETCH_ROWS = 10_000


async def store_count(source: object, spec: GroupSpec, query: Query, top: int,
                      capacity: int = DEFAULT_CAPACITY) -> CountResult | None:
    """The store's answer, or None when it cannot give an exact one."""
    try:
        from trailtui.sources.pushdown import STORE
        from trailtui.store.query import Wanted, segment_scan, whole_segments_scan
        from trailtui.store.segments import warm_engine
        from trailtui.store.source import IndexedSource, split
    except ImportError:  # a build without the store
        return None
    if not isinstance(source, IndexedSource):
        return None
    keys = [key_sql(ast, STORE) for ast in spec.asts]
    pushed = to_sql(query.filter, STORE)
    if any(key is None for key in keys) or not pushed.exact:
        return None
    warm_engine()
    listing, (manifest, notice) = await asyncio.gather(source.listing(query.time_range),
                                                       asyncio.to_thread(source.manifest))
    parts = split(listing, manifest)
    if notice or parts.plain or not parts.fresh:
        return None
    wanted = Wanted({fid: rank for rank, _, fid in parts.fresh}, {fid: log.location for _, log, fid in parts.fresh})
    segments = sorted(source.location.folder / s for s in parts.segments)
    rows_of, params = segment_scan(segments, wanted)
    if parts.whole:
        rows_of, params = whole_segments_scan(segments), {}
    counter = GroupCounter(spec.texts, capacity)
    where = [*store_time(query.time_range).predicates, *([pushed.where] if pushed.pushed else [])]
    done = await asyncio.to_thread(_count, counter, spec, query, rows_of, params, [str(k) for k in keys], where,
                                   wanted.locations)
    if not done:
        return None
    answer = counter.result(top)
    return CountResult(by=answer.by, events=answer.events, distinct=answer.distinct, groups=answer.groups,
                       approximate=answer.approximate, error_bound=answer.error_bound, method="store")


def _count(counter: GroupCounter, spec: GroupSpec, query: Query, rows_of: str, params: dict[str, Any],
           keys: list[str], where: list[str], locations: Mapping[int, str]) -> bool:
    import duckdb

    from trailtui.store.segments import connect

    times = list(store_time(query.time_range).predicates)
    names = ", ".join(f"{key} AS k{index}" for index, key in enumerate(keys))
    grouped = (f"SELECT {names}, count(*), min(s.t), max(s.t) FROM {rows_of} "  # noqa: S608 - whitelisted columns
               f"WHERE NOT s.odd{''.join(' AND ' + w for w in where)} GROUP BY {', '.join(keys)}")
    odd = f"SELECT s.raw, s.file_id FROM {rows_of} WHERE s.odd{''.join(' AND ' + w for w in times)}"  # noqa: S608
    width = len(keys)
    con = connect()
    try:
        cursor = con.execute(grouped, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            counter.add_counts({tuple(row[:width]): [row[width], _when(row[width + 1]), _when(row[width + 2])]
                                for row in rows})
        key_of = spec.key_function()
        extra: dict[Any, list[Any]] = {}
        cursor = con.execute(odd, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            for raw, file_id in rows:
                event = accept(query, orjson.loads(raw), locations.get(file_id, ""))
                if event is None:
                    continue
                entry = extra.setdefault(key_of(event.raw), [0, event.time, event.time])
                entry[0] += 1
                entry[1], entry[2] = min(entry[1], event.time), max(entry[2], event.time)
        if extra:
            counter.add_counts(extra)
    except duckdb.Error:
        return False
    finally:
        con.close()
    return True


def _when(micros: int | None) -> Any:
    return EPOCH if micros is None else EPOCH + timedelta(microseconds=micros)

