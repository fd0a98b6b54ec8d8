"""Counts from the store: `GROUP BY` inside DuckDB for a feature that tallies
events by a field (`trailtui stats`, the console's counts).

`group_counts(source, query, path)` answers only when it can answer exactly,
else returns None and the caller counts the plain way (streaming the
source's events):

* `source` reads through a store (`IndexedSource`) that holds the query's
  whole range fresh;
* the filter pushes down exactly (`to_sql(...).exact`): then SQL selects
  exactly the matching rows, except rows flagged `odd`, which are counted
  from their raw JSON with the JMESPath filter;
* `path` is a field with a typed string column (`STORE.columns`), so each
  group's value is the field's exact string (None for missing or not a string).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

import jmespath

from trailtui.sources.base import EventSource, Query
from trailtui.sources.pushdown import STORE, to_sql
from trailtui.sources.pushdown.dialects import Kind
from trailtui.sources.pushdown.timebounds import store_time
from trailtui.store.blocks import BlockError
from trailtui.store.query import Wanted, fetch_events, row_reference, segment_scan
from trailtui.store.source import IndexedSource, split, wanted_files


@dataclass(frozen=True, slots=True)
class GroupCount:
    value: str | None
    count: int


async def group_counts(source: EventSource, query: Query, path: tuple[str, ...],
                       top: int | None = None) -> list[GroupCount] | None:
    """Events matching `query` counted by the value at `path`, most first
    (ties by value), or None when the store cannot answer exactly."""
    if not isinstance(source, IndexedSource):
        return None
    column = STORE.columns.get(path)
    pushed = to_sql(query.filter, STORE)
    if column is None or column.kind is not Kind.STRING or not pushed.exact:
        return None
    listing, manifest, notice = await source.state(query.time_range)
    parts = split(listing, manifest)
    if notice or parts.plain or not parts.fresh:
        return None
    wanted = wanted_files(parts, source.location.folder)
    segments = sorted(source.location.folder / s for s in parts.segments)
    return await asyncio.to_thread(_count, segments, wanted, query, column.sql, pushed.where, path, top)


def _count(segments: list[Any], wanted: Wanted, query: Query, column: str, where: str,
           path: tuple[str, ...], top: int | None) -> list[GroupCount] | None:
    from trailtui.store.segments import connect, engine

    predicates = [*store_time(query.time_range).predicates, where]
    rows_of, params = segment_scan(segments, wanted)
    condition = " AND ".join(predicates)
    counted = f"SELECT s.{column}, count(*) FROM {rows_of} WHERE NOT s.odd AND {condition} GROUP BY 1"  # noqa: S608
    odd = f"SELECT {row_reference()} FROM {rows_of} WHERE s.odd AND {' AND '.join(predicates[:-1]) or 'TRUE'}"  # noqa: S608
    con = connect()
    try:
        tally: Counter[str | None] = Counter(dict(con.execute(counted, params).fetchall()))
        field = jmespath.compile(".".join(path))
        for _, event in fetch_events(con.execute(odd, params).fetchall(), wanted, query):
            value = field.search(event.raw)
            tally[value if isinstance(value, str) else None] += 1
    except (engine().Error, BlockError):
        return None
    finally:
        con.close()
    ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0] is None, item[0] or ""))
    return [GroupCount(value, count) for value, count in ranked[:top] if count]
