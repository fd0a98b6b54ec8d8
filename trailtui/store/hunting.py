"""Hunts answered by the store: DuckDB chooses the few rows a hunt run needs
(`trailtui.store.hunt_rows`), their events are read from the blocks,
re-checked against the catalogue's candidate filter and the time range as a
plain scan would check them, and fed, in the plain scan's order, to the same
`HuntEngine` a plain run uses.  The engine decides every hit, so the output
(hits, their order and details, the summary) is a plain run's.

A run read to its end leaves its findings beside the store
(`trailtui.store.findings`), and the same question over the same files is
answered from them.

Only when the store holds the whole range fresh, but for files it does not
hold for a problem of their own that have no event (not CloudTrail, corrupt:
read plainly, for their problem lines); otherwise, when the rows
chosen are more than `IndexedSource` lets the store re-check, when the first
candidate of a learned account is not among the rows chosen for it, or when
the engine fails, the caller runs the plain way (`StoreHunt.steps` is None,
with a notice for the last three).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from trailtui.chains.index import MAX_ISSUANCES, MAX_KEYS
from trailtui.chains.issuance import MAX_FIELD
from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.hunts.accounts import ORG_PATH, KnownAccounts
from trailtui.hunts.context import HuntContext
from trailtui.hunts.engine import Hit, HuntEngine
from trailtui.hunts.model import Hunt
from trailtui.hunts.runner import HuntProgress, candidate_filter
from trailtui.sources.base import EventSource, Problem, Query
from trailtui.sources.pushdown.timebounds import store_time
from trailtui.sources.scan import ScanRequest
from trailtui.store.blocks import BlockError
from trailtui.store.findings import Findings, FindingsKey, findings_kept, findings_key, load_findings, save_findings
from trailtui.store.hunt_rows import (
    EVERY_HUNT,
    HuntRows,
    distinct_uncertain,
    first_rows_statement,
    instance_chain_counts,
    learning_sql,
    plan_rows,
    rows_statement,
)
from trailtui.store.prepare import prepared_hunts
from trailtui.store.query import KEY_CHUNK, Keyed, TooManyRows, Wanted, fetch_events, whole_segments_scan
from trailtui.store.source import INDEXED, IndexedSource, Split, split, wanted_files
from trailtui.store.worth import candidate_bound
from trailtui.timerange import TimeRange

# Files the store does not hold for a problem of their own, read plainly before
# a run from the store (each must have nothing a plain run would read).
MAX_UNREADABLE_FILES = 64
# A run asking what the console's preparation (`trailtui.store.prepare`) is
# answering waits for it this long at most, rather than deciding it twice.
PREPARATION_WAIT = 120.0

_Row = tuple[Any, ...]  # file id, rank, seq, time, block at/len/line, odd (what `fetch_events` takes)


@dataclass(slots=True)
class StoreHunt:
    """The run from the store (`steps`), or None and why not (`notice`, '' when
    the store simply does not hold the range)."""

    steps: AsyncIterator[HuntProgress] | None = None
    notice: str = ""
    # The source a plain run reads when the store declined with a notice: the
    # range is held whole, so the store's own search would only decline again.
    plain: EventSource | None = None
    key: FindingsKey | None = None  # the key its findings are kept under (`trailtui.store.findings`), None if not kept


@dataclass(slots=True)
class _Chosen:
    rows: list[_Row] = field(default_factory=list)  # in the plain scan's order
    learning: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # (rank, seq) -> keys
    # (rank, seq) -> the indexes of the hunts the row was chosen for; absent: every hunt
    routes: dict[tuple[int, int], frozenset[int]] = field(default_factory=dict)


class _LearningMissed(Exception):
    """An account's or path's first candidate is not among its chosen rows."""


async def hunts_from_store(source: EventSource, hunts: Sequence[Hunt], window: TimeRange,
                           context: HuntContext | None = None) -> StoreHunt:
    """The run of `hunts` over `window` answered by the store, when it can be."""
    if not isinstance(source, IndexedSource) or not hunts:
        return StoreHunt()
    listing, manifest, notice = await source.state(window)
    parts = await asyncio.to_thread(split, listing, manifest)
    if notice or parts.stale or len(parts.plain) > MAX_UNREADABLE_FILES or not parts.fresh:
        return StoreHunt()
    key = findings_key(hunts, window, context, listing.files)
    if key is not None:
        if source.preparing and key == findings_key(prepared_hunts(), TimeRange(), None, listing.files):
            await source.prepared(PREPARATION_WAIT)  # the same question, already being answered
        kept = await asyncio.to_thread(load_findings, source.location.folder, key, hunts)
        if kept is not None:
            source.indexed = True
            return StoreHunt(_replay(kept, context, list(listing.problems)), key=key)
    unreadable = await _unreadable(source, parts) if parts.plain else []
    if unreadable is None:
        return StoreHunt()
    learns = any(h.outside is not None or h.chain is not None for h in hunts)
    query = Query(filter=candidate_filter(hunts), time_range=window)
    wanted = wanted_files(parts, source.location.folder,
                          candidate_bound(parts.fresh_events, source.max_store_share, source.min_rows_checked))
    try:
        chosen = await asyncio.to_thread(_choose, source.location.folder, parts, wanted, hunts, window,
                                         learns, context)
        if chosen.learning:
            await asyncio.to_thread(_check_learning, chosen, wanted, query)
    except TooManyRows as exc:
        return StoreHunt(notice=f"index: the hunts need {exc} from the store; plain scan", plain=source.plain)
    except _LearningMissed as exc:
        return StoreHunt(notice=f"index: {exc}; plain scan")
    except (_engine_error(), OSError, KeyError, BlockError) as exc:
        return StoreHunt(notice=f"index: store not used ({_first_line(exc)}); plain scan")
    source.indexed = True
    keep = None if key is None or manifest is None else partial(save_findings, source.location.folder, key, hunts,
                                                                covered_bytes=manifest.held_bytes())
    return StoreHunt(_steps(hunts, context, chosen, wanted, query, parts, list(listing.problems), unreadable, keep),
                     key=key)


async def _unreadable(source: IndexedSource, parts: Split) -> list[Problem] | None:
    """The problems of the files the store does not hold for a problem of
    their own (not CloudTrail, corrupt...), read plainly, newest first; None
    when one of them has a record a plain run would read: then the run is
    the plain one (the SQL that chooses the hunts' rows sees the store only)."""
    files = [log for _, log in parts.plain]
    rank = {log.location: position for position, log in parts.plain}
    found: list[tuple[int, Problem]] = []
    readable = False
    async for batch in source.scan_files(files, ScanRequest()):
        for result in batch:
            readable = readable or bool(result.scanned or result.events)
            if result.problem:
                found.append((rank.get(result.path, 0), Problem(result.path, result.problem)))
    if readable:
        return None
    return [problem for _, problem in sorted(found, key=lambda item: item[0])]


def _engine_error() -> type[Exception]:
    from trailtui.store.engine import engine

    error: type[Exception] = engine().Error
    return error


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _organisations(wanted: Wanted) -> tuple[list[int], list[str]]:
    """The files whose location names an organisation path, and that path."""
    ids: list[int] = []
    paths: list[str] = []
    for file_id, location in wanted.locations.items():
        if "AWSLogs" in location:
            match = ORG_PATH.search(location)
            if match is not None:
                ids.append(file_id)
                paths.append(f"{match.group(1)}/{match.group(2)}")
    return ids, paths


def _count_upto(con: Any, rows_of: str, where: str, params: dict[str, Any], limit: int) -> int:
    """The rows `where` selects, counted up to `limit` + 1 (a catalogue that
    needs most of the store gives way after reading part of it)."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {rows_of} WHERE {where} LIMIT {int(limit) + 1}) AS upto"  # noqa: S608
    found: int = con.execute(sql, params).fetchone()[0]
    return found


def _any(plans: Sequence[HuntRows]) -> str:
    """SQL selecting the rows of every plan (odd rows too)."""
    return " OR ".join(["s.odd", *(f"({p.where})" for p in plans), *(f"({p.then})" for p in plans if p.then)])


def _choose(folder: Path, parts: Split, wanted: Wanted, hunts: Sequence[Hunt], window: TimeRange,
            learns: bool, context: HuntContext | None) -> _Chosen:
    """The rows the run needs, in the plain scan's order.  Raises TooManyRows."""
    from trailtui.store.engine import connect

    segments = sorted(folder / name for name in parts.segments)
    rows_of = whole_segments_scan(segments)
    predicates = list(store_time(window).predicates)
    params: dict[str, Any] = {}
    if not parts.whole:
        predicates.append("s.file_id IN (SELECT unnest($ids))")
        params["ids"] = list(wanted.ranks)
    baseline = context.baseline if context is not None else None
    clean = [plan_rows(index, hunt, baseline is None, True) for index, hunt in enumerate(hunts)]
    con = connect(temp_directory=folder)  # the run's largest statement may spill, into the store's folder
    try:
        ranged = " AND ".join(predicates) or "TRUE"
        odd = _count_upto(con, rows_of, f"{ranged} AND s.odd", params, 0)
        plans = clean if odd == 0 else [plan_rows(i, hunt, baseline is None, False) for i, hunt in enumerate(hunts)]
        plans = [_checked_on_range(con, plan, rows_of, ranged, params) for plan in plans]
        limit = wanted.max_rows if wanted.max_rows is not None else 1 << 62
        direct = _count_upto(con, rows_of, f"{ranged} AND ({_any([p for p in plans if p.rule == 'all'])})", params,
                             limit)
        if direct > limit:
            raise TooManyRows(f"over {limit:,} rows")
        newest: dict[int, int] = {}
        for plan in plans:
            if plan.rule == "first-seen":
                latest = con.execute(f"SELECT max(coalesce(s.t, 0)) FROM {rows_of} "  # noqa: S608 - whitelisted
                                     f"WHERE {ranged} AND NOT s.odd AND ({plan.where})", params).fetchone()[0]
                if latest is not None:
                    newest[plan.index] = latest
        learning = learning_sql(hunts, plans) if learns else None
        organisation = False
        firsts: dict[str, int] = {}
        if learning is not None:
            ids, paths = _organisations(wanted)
            if ids:
                con.execute("CREATE TEMP TABLE orgs AS SELECT unnest($ids) AS file_id, unnest($paths) AS org",
                            {"ids": ids, "paths": paths})
                organisation = True
            firsts = dict(con.execute(first_rows_statement(rows_of, ranged, learning, organisation),
                                      params).fetchall())
        # On this connection itself: `orgs` is a temporary table of this connection.
        con.execute(rows_statement(rows_of, predicates, plans, newest, learning, firsts, organisation), params)
        found: list[_Row] = []
        while chunk := con.fetchmany(KEY_CHUNK * 8):
            found.extend(chunk)
            if wanted.max_rows is not None and len(found) > wanted.max_rows:
                raise TooManyRows(f"over {wanted.max_rows:,} rows")
    finally:
        con.close()
    ranks = wanted.ranks
    chosen = _Chosen()
    for file_id, seq, when, at, length, line, odd, lkeys, hps in found:
        rank = ranks[file_id]
        chosen.rows.append((file_id, rank, seq, when, at, length, line, odd))
        if lkeys:
            chosen.learning[(rank, seq)] = list(lkeys)
        if EVERY_HUNT not in hps:
            chosen.routes[(rank, seq)] = frozenset(hps)
    chosen.rows.sort(key=lambda row: (-row[3], row[1], row[2]))
    return chosen


def _checked_on_range(con: Any, plan: HuntRows, rows_of: str, ranged: str, params: dict[str, Any]) -> HuntRows:
    """An instance-chain plan, or the plan taking all its rows when the chain
    index would drop keys or issuances, or cut a key, on this range; a
    distinct-threshold plan, or all its rows when some value is not a string."""
    if plan.rule == "distinct":
        uncertain = con.execute(distinct_uncertain(plan, rows_of, ranged), params).fetchone()[0]
        return plan if uncertain == 0 else HuntRows(plan.index, plan.hunt, "all", plan.where)
    if plan.rule != "instance-chain":
        return plan
    keys, issuing, longest = con.execute(instance_chain_counts(plan, rows_of, ranged), params).fetchone()
    if keys < MAX_KEYS and issuing < MAX_ISSUANCES and longest <= MAX_FIELD:
        return plan
    return HuntRows(plan.index, plan.hunt, "all", plan.where)


def _check_learning(chosen: _Chosen, wanted: Wanted, query: Query) -> None:
    """Every account and path whose rows were chosen has a candidate among
    them (its first one in reading order, as they are its newest rows).
    Raises _LearningMissed."""
    rows = [row for row in chosen.rows if (row[1], row[2]) in chosen.learning]
    keys = {key for found in chosen.learning.values() for key in found}
    seen: set[str] = set()
    for start in range(0, len(rows), KEY_CHUNK):
        for (_, rank, seq), _ in fetch_events(rows[start:start + KEY_CHUNK], wanted, query):
            seen.update(chosen.learning[(rank, seq)])
    missed = keys - seen
    if missed:
        raise _LearningMissed(f"no candidate among the newest rows of {len(missed)} account(s) or path(s)")


class _Learner:
    """Known accounts learned as a plain run learns them, from every candidate
    event in reading order; the candidate filter (thousands of characters) is
    tested only on an event that could teach something new: an account not yet
    known, or a file not yet learned from."""

    def __init__(self, known: KnownAccounts, candidates: EventFilter) -> None:
        self.known = known
        self.matches = candidates.predicate()
        self.locations: set[str] = set()

    def observe(self, event: Event) -> None:
        raw = event.raw
        recipient = raw.get("recipientAccountId")
        new = (isinstance(recipient, str) and recipient not in self.known.recipients) \
            or event.location not in self.locations
        if new and self.matches(raw):
            self.known.observe(raw, event.location)
            self.locations.add(event.location)


def _hits(engine: HuntEngine, learner: _Learner | None, keyed: list[Keyed],
          routes: dict[tuple[int, int], frozenset[int]]) -> list[Hit]:
    """Each event fed to the hunts it was chosen for: every hunt's chosen rows
    alone give its plain hits, and a hunt offered fewer rows does less work."""
    hits: list[Hit] = []
    for (_, rank, seq), event in keyed:
        if learner is not None:
            learner.observe(event)
        hits.extend(engine.feed(event, routes.get((rank, seq))))
    return hits


async def _steps(hunts: Sequence[Hunt], context: HuntContext | None, chosen: _Chosen, wanted: Wanted,
                 query: Query, parts: Split, problems: list[Problem], unreadable: list[Problem],
                 keep: Callable[[Findings], object] | None = None) -> AsyncIterator[HuntProgress]:
    """The chosen events fed to the engine.  Every tracker tests its own hunt's
    filter, so events outside the candidate filter change nothing but what
    is learned: the engine learns through `_Learner`, and the events are
    re-checked against the time range only.  A run read to its end is handed
    to `keep` (the findings kept for the next run with the same inputs)."""
    engine = HuntEngine(hunts, context, learn=False)
    learner = _Learner(engine.context.known_accounts, query.filter) if engine.learns_accounts else None
    ranged = Query(time_range=query.time_range)
    scanned = parts.fresh_events
    fed = 0
    problems = problems + unreadable
    rows = chosen.rows
    found: list[Hit] = []
    for start in range(0, len(rows), KEY_CHUNK):
        keyed = await asyncio.to_thread(fetch_events, rows[start:start + KEY_CHUNK], wanted, ranged)
        fed += len(keyed)
        hits = _hits(engine, learner, keyed, chosen.routes)
        found.extend(hits)
        yield HuntProgress(hits, scanned, fed, problems, None, INDEXED)
        problems = []
    final = engine.finish()
    if keep is not None:
        await asyncio.to_thread(keep, Findings(found, final, scanned, fed, engine.context.known_accounts,
                                               unreadable))
    yield HuntProgress(final, scanned, fed, problems, 1.0, INDEXED)


async def _replay(kept: Findings, context: HuntContext | None,
                  problems: list[Problem]) -> AsyncIterator[HuntProgress]:
    """A kept run given back as the run yielded it, the accounts it learned
    learned again (the run's context is its own, as in every run)."""
    if context is not None:
        known, learned = context.known_accounts, kept.known
        known.organisation.update(learned.organisation)
        known.organisation_ids.update(learned.organisation_ids)
        known.recipients.update(learned.recipients)
    yield HuntProgress(kept.hits, kept.scanned, kept.fed, problems + kept.problems, None, INDEXED)
    yield HuntProgress(kept.final, kept.scanned, kept.fed, [], 1.0, INDEXED)


async def keep_findings(source: EventSource, hunts: Sequence[Hunt], window: TimeRange,
                        context: HuntContext | None = None) -> int | None:
    """Run `hunts` over `window` from the store and keep the findings, so the
    next run with the same inputs is answered at once (`trailtui index` does
    this for the built-in catalogue).  The hits found, or None when the store
    cannot answer the run or its findings were not kept (nothing is read
    plainly here)."""
    stored = await hunts_from_store(source, hunts, window, context)
    if stored.steps is None:
        return None
    hits = 0
    async for step in stored.steps:
        hits += len(step.hits)
    if stored.key is None or not isinstance(source, IndexedSource) \
            or not findings_kept(source.location.folder, stored.key):
        return None
    return hits
