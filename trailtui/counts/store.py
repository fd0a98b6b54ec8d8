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

`count_unchanged` is the same count for a CLI process, without an event loop,
when the store holds an unchanged local tree whole (`trailtui.store.direct`):
the GROUP BY runs on the connection's thread while the files are checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from trailtui.counts.counter import DEFAULT_CAPACITY, GroupCounter
from trailtui.counts.keys import GroupSpec
from trailtui.counts.result import CountResult, Group
from trailtui.counts.spark import SparkFrame, bars
from trailtui.counts.sql import key_sql
from trailtui.events import EPOCH
from trailtui.sources.base import Query
from trailtui.sources.pushdown import to_sql
from trailtui.sources.pushdown.timebounds import store_time

if TYPE_CHECKING:
    from trailtui.store.engine import OpeningConnection, ThreadJob
    from trailtui.store.query import Wanted
    from trailtui.store.source import IndexedSource
    from trailtui.store.speculative import SpeculativeSql
    from trailtui.store.unchanged import ManifestRows

FETCH_ROWS = 10_000


async def store_count(source: object, spec: GroupSpec, query: Query, top: int,
                      capacity: int = DEFAULT_CAPACITY, spark_bars: int = 0) -> CountResult | None:
    """The store's answer, or None when it cannot give an exact one.
    `spark_bars`: each listed group also gets its events over the whole span
    in that many bars (the console's spark), as a streamed `GroupCounter(spark=True)`
    would draw them; only for one `--by`."""
    try:
        from trailtui.sources.pushdown import STORE
        from trailtui.store.engine import OpeningConnection
        from trailtui.store.source import IndexedSource
    except ImportError:  # a build without the store
        return None
    if not isinstance(source, IndexedSource):
        return None
    keys = [key_sql(ast, STORE) for ast in spec.asts]
    pushed = to_sql(query.filter, STORE)
    if any(key is None for key in keys) or not pushed.exact:
        return None
    connecting = OpeningConnection()  # overlaps the listing
    try:
        return await _store_answer(source, spec, query, top, capacity, spark_bars, keys, pushed.where if pushed.pushed
                                   else None, connecting)
    finally:
        connecting.release()


async def _store_answer(source: IndexedSource, spec: GroupSpec, query: Query, top: int, capacity: int,
                        spark_bars: int, keys: list[Any], pushed: str | None,
                        connecting: OpeningConnection) -> CountResult | None:
    import asyncio

    from trailtui.store.query import segment_scan, whole_segments_scan
    from trailtui.store.source import split, wanted_files

    listing, manifest, notice = await source.state(query.time_range)
    parts = await asyncio.to_thread(split, listing, manifest)
    if notice or parts.plain or not parts.fresh:
        return None
    wanted = wanted_files(parts, source.location.folder)
    segments = sorted(source.location.folder / s for s in parts.segments)
    rows_of, params = segment_scan(segments, wanted)
    if parts.whole:
        rows_of, params = whole_segments_scan(segments), {}
    counter = GroupCounter(spec.texts, capacity)
    where = [*store_time(query.time_range).predicates, *([pushed] if pushed is not None else [])]
    if spark_bars and len(keys) != 1:
        return None
    span = await asyncio.to_thread(_count, counter, spec, query, rows_of, params, [str(k) for k in keys], where,
                                   wanted, connecting)
    if span is None:
        return None
    answer = counter.result(top)
    groups = answer.groups
    if spark_bars and groups and span.lo is not None:
        found = await asyncio.to_thread(_sparks, groups, span, spark_bars, rows_of, params, str(keys[0]), where)
        if found is None:
            return None
        groups = found
    return _result(answer, groups, span)


def _result(answer: CountResult, groups: tuple[Group, ...], span: _Span) -> CountResult:
    return CountResult(by=answer.by, events=answer.events, distinct=answer.distinct, groups=groups,
                       approximate=answer.approximate, error_bound=answer.error_bound, method="store",
                       first=_when(span.lo) if span.lo is not None else None,
                       last=_when(span.hi) if span.hi is not None else None)


def count_unchanged(url: str, spec: GroupSpec, query: Query, top: int, connecting: OpeningConnection | None = None,
                    capacity: int = DEFAULT_CAPACITY) -> CountResult | None:
    """The store's count of an unchanged local tree (see the module's
    docstring), or None when this path cannot answer exactly as
    `store_count` would; nothing is printed before.  `connecting`: the engine,
    already opening (`trailtui.commands.early_engine`), taken when used."""
    try:
        from trailtui.sources.pushdown import STORE
        from trailtui.store.direct import local_store
        from trailtui.store.engine import OpeningConnection
        from trailtui.store.query import whole_segments_scan
        from trailtui.store.speculative import SpeculativeSql
        from trailtui.store.unchanged import ManifestRows
    except ImportError:  # a build without the store
        return None
    keys = [key_sql(ast, STORE) for ast in spec.asts]
    pushed = to_sql(query.filter, STORE)
    if any(key is None for key in keys) or not pushed.exact or not query.time_range.unbounded:
        return None
    found = local_store(url)
    if found is None or not found[0].manifest.is_file():
        return None
    connecting = connecting or OpeningConnection()  # the engine loads while the manifest is read
    texts, where = [str(key) for key in keys], [pushed.where] if pushed.pushed else []
    # the GROUP BY starts on the folder's segments while the manifest is read and the files checked
    early = SpeculativeSql(connecting, found[0].folder,
                           lambda con, segments: con.execute(_grouped_sql(whole_segments_scan(segments), texts, where)))
    rows = ManifestRows.read(*found)
    if rows is None:
        early.abandon()
        connecting.close()
        return None
    return _count_rows(rows, spec, query, top, capacity, texts, where, connecting, early)


def _count_rows(rows: ManifestRows, spec: GroupSpec, query: Query, top: int, capacity: int, keys: list[str],
                where: list[str], connecting: OpeningConnection, early: SpeculativeSql) -> CountResult | None:
    from trailtui.store.engine import engine
    from trailtui.store.query import whole_segments_scan

    segments = rows.segments
    rows_of = whole_segments_scan(segments)
    grouping: SpeculativeSql | ThreadJob = early
    if not early.ran_on(segments):
        early.abandon()
        grouping = connecting.run(lambda con: con.execute(_grouped_sql(rows_of, keys, where)))
    tree = rows.unchanged()
    try:
        grouped = grouping.wait()
    except engine().Error:
        grouped = None
    if tree is None or grouped is None or tree.segments != segments:
        connecting.close()
        return None
    counter = GroupCounter(spec.texts, capacity)
    span = _count(counter, spec, query, rows_of, {}, keys, where, tree.wanted, connecting, grouped)
    if span is None:
        return None
    answer = counter.result(top)
    return _result(answer, answer.groups, span)


@dataclass(slots=True)
class _Span:
    """The times (microseconds) of everything counted, and the odd rows' own
    spark slots per key (counted in Python)."""

    lo: int | None = None
    hi: int | None = None
    odd_times: dict[Any, list[int]] = field(default_factory=dict)

    def cover(self, micros: int) -> None:
        self.lo = micros if self.lo is None else min(self.lo, micros)
        self.hi = micros if self.hi is None else max(self.hi, micros)


def _sparks(groups: tuple[Group, ...], span: _Span, width: int, rows_of: str, params: dict[str, Any], key: str,
            where: list[str]) -> tuple[Group, ...] | None:
    """The listed groups with their bars: events per slot of the frame a
    streamed count would end with (the span's), from one GROUP BY key, slot."""
    from trailtui.store.engine import connect, engine

    frame = SparkFrame()
    assert span.lo is not None and span.hi is not None  # noqa: S101 - the caller checked
    frame.cover(_second(span.lo))
    frame.cover(_second(span.hi))
    values = [group.key[0] for group in groups]
    listed = [value for value in values if isinstance(value, str)]
    chosen = f"(list_contains($listed, {key}){f' OR {key} IS NULL' if None in values else ''})"
    slot = f"(CAST(floor(coalesce(s.t, 0) / 1000000.0) AS BIGINT) >> {int(frame.exponent)})"
    sql = (f"SELECT {key} AS k0, {slot} AS slot, count(*) FROM {rows_of} "  # noqa: S608 - whitelisted columns
           f"WHERE NOT s.odd{''.join(' AND ' + w for w in where)} AND {chosen} GROUP BY ALL")
    bins: dict[Any, dict[int, int]] = {value: {} for value in values}
    con = connect()
    try:
        for value, slot_number, count in con.execute(sql, {**params, "listed": listed}).fetchall():
            if value in bins:
                bins[value][slot_number] = bins[value].get(slot_number, 0) + count
    except engine().Error:
        return None
    finally:
        con.close()
    for (value,), times in span.odd_times.items():
        if value in bins:
            for micros in times:
                slot_number = _second(micros) >> frame.exponent
                bins[value][slot_number] = bins[value].get(slot_number, 0) + 1
    return tuple(replace(group, bins=bars(bins[group.key[0]], frame, width)) for group in groups)


def _second(micros: int) -> int:
    return micros // 1_000_000


def _grouped_sql(rows_of: str, keys: list[str], where: list[str]) -> str:
    names = ", ".join(f"{key} AS k{index}" for index, key in enumerate(keys))
    return (f"SELECT {names}, count(*), min(coalesce(s.t, 0)), max(coalesce(s.t, 0)) FROM {rows_of} "  # noqa: S608 - whitelisted columns
            f"WHERE NOT s.odd{''.join(' AND ' + w for w in where)} GROUP BY {', '.join(keys)}")


def _count(counter: GroupCounter, spec: GroupSpec, query: Query, rows_of: str, params: dict[str, Any],
           keys: list[str], where: list[str], wanted: Wanted, connecting: OpeningConnection,
           grouped: Any = None) -> _Span | None:
    """`grouped`: the GROUP BY already executed (its cursor), else it is run here."""
    from trailtui.store.blocks import BlockError
    from trailtui.store.engine import engine
    from trailtui.store.query import fetch_events, row_reference

    times = list(store_time(query.time_range).predicates)
    odd = f"SELECT {row_reference('0', 'true')} FROM {rows_of} WHERE s.odd{''.join(' AND ' + w for w in times)}"  # noqa: S608
    width = len(keys)
    try:
        con = connecting.take()
    except engine().Error:
        return None
    try:
        span = _Span()
        cursor = grouped if grouped is not None else con.execute(_grouped_sql(rows_of, keys, where), params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            counter.add_counts({tuple(row[:width]): [row[width], _when(row[width + 1]), _when(row[width + 2])]
                                for row in rows})
            span.cover(min(row[width + 1] for row in rows))
            span.cover(max(row[width + 2] for row in rows))
        key_of = spec.key_function()
        extra: dict[Any, list[Any]] = {}
        cursor = con.execute(odd, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            for _, event in fetch_events(rows, wanted, query):
                key = key_of(event.raw)
                entry = extra.setdefault(key, [0, event.time, event.time])
                entry[0] += 1
                entry[1], entry[2] = min(entry[1], event.time), max(entry[2], event.time)
                micros = _micros(event.time)
                span.cover(micros)
                span.odd_times.setdefault(key, []).append(micros)
        if extra:
            counter.add_counts(extra)
    except (engine().Error, BlockError):
        return None
    finally:
        con.close()
    return span


def _micros(when: datetime) -> int:
    delta = when - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _when(micros: int | None) -> Any:
    return EPOCH if micros is None else EPOCH + timedelta(microseconds=micros)

