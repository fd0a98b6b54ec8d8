"""Hunts run where the data lives: the selected catalogue compiled to SQL
(`plan`, `statement`), run by Athena or CloudTrail Lake, the rows turned back
into the same `Hit`s the client engine makes.

Server hunts' hits come back tagged; each is re-checked against its hunt's
predicate (the JMESPath filter stays the truth).  Hunts that cannot be
compiled exactly run in a client `HuntEngine` fed every returned row, newest
first, so they see every candidate their own superset SQL selected.  CloudTrail
Lake takes statements of at most 10,000 characters: the catalogue is split
into as few statements as fit, the client hunts all in the first.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.hunts.context import HuntContext
from trailtui.hunts.engine import Hit, HuntEngine
from trailtui.hunts.model import Hunt
from trailtui.hunts.outcome import is_attempt
from trailtui.hunts.runner import HuntProgress, candidate_filter
from trailtui.hunts.sql.plan import SERVER, HuntSql, compact_superset, learning_sql, plan_hunt
from trailtui.hunts.sql.statement import CLIENT_TAG, TAG_COLUMN, hunt_statement, learning_statement
from trailtui.sources.base import Problem, Query
from trailtui.sources.pushdown import Dialect
from trailtui.sources.pushdown.timebounds import TimeSql
from trailtui.sources.recheck import accept
from trailtui.sources.tagged import TaggedRows
from trailtui.timerange import TimeRange

LAKE_MAX_CHARS = 10_000
ATHENA_MAX_CHARS = 250_000  # Athena's limit is 262,144 bytes


@runtime_checkable
class SqlHunting(Protocol):
    """A source that can run a statement selecting whole events plus a tag."""

    dialect: Dialect

    def from_clause(self) -> str:
        ...

    def time_sql(self, window: TimeRange, partitions: bool = True) -> TimeSql:
        ...

    def tagged_rows(self, statement: Callable[[bool], str], tag: str) -> AsyncIterator[TaggedRows]:
        ...

    async def select_rows(self, statement: Callable[[bool], str]) -> list[list[str | None]]:
        ...


@dataclass(frozen=True, slots=True)
class HuntStatements:
    """The statements for a catalogue over a source, and where each hunt runs."""

    plans: tuple[HuntSql, ...]
    statements: tuple[tuple[HuntSql, ...], ...]  # the plans each statement holds; the first has the client ones
    learning: str | None = None  # SQL of the rows known accounts are learned from (outside/chain hunts on the client)

    @property
    def ran(self) -> dict[str, list[str]]:
        return {"server": [p.hunt.id for p in self.plans if p.runs_on == SERVER],
                "client": [p.hunt.id for p in self.plans if p.runs_on != SERVER]}


def _select_list(source: SqlHunting) -> str:
    if source.dialect.name == "lake":
        return "eventjson AS eventjson"
    from trailtui.sources.athena_rows import SELECT_LIST

    return SELECT_LIST


def statement_text(source: SqlHunting, window: TimeRange, plans: Sequence[HuntSql], partitions: bool = True) -> str:
    times = source.time_sql(window, partitions)
    return hunt_statement(_select_list(source), source.from_clause(), times.predicates, plans, source.dialect)


def _limit(source: SqlHunting) -> int:
    return LAKE_MAX_CHARS if source.dialect.name == "lake" else ATHENA_MAX_CHARS


def _fits(source: SqlHunting, window: TimeRange, plans: Sequence[HuntSql]) -> bool:
    return len(statement_text(source, window, plans)) <= _limit(source)


def _split(source: SqlHunting, window: TimeRange, plans: list[HuntSql]) -> list[list[HuntSql]]:
    """Consecutive groups of server plans that each fit in one statement."""
    groups: list[list[HuntSql]] = []
    for plan in plans:
        if groups and _fits(source, window, [*groups[-1], plan]):
            groups[-1].append(plan)
        else:
            groups.append([plan])
    return groups


def plan_statements(source: SqlHunting, hunts: Sequence[Hunt], window: TimeRange) -> HuntStatements:
    """Where each hunt runs, and the fewest statements that hold them."""
    exact = source.time_sql(window).exact
    plans = [plan_hunt(index, hunt, source.dialect, exact) for index, hunt in enumerate(hunts)]
    for position, plan in enumerate(plans):  # a server hunt too long for any statement runs on the client
        if plan.runs_on == SERVER and not _fits(source, window, [plan]):
            plans[position] = HuntSql(plan.index, plan.hunt, "client", "its SQL is too long for one statement",
                                      "TRUE")
    client = [p for p in plans if p.runs_on != SERVER]
    if client and not _fits(source, window, client):  # Lake: the eventName gates alone, else every row
        client = [HuntSql(p.index, p.hunt, p.runs_on, p.reason, compact_superset(p.hunt, source.dialect))
                  for p in client]
        if not _fits(source, window, client):
            client = [HuntSql(p.index, p.hunt, p.runs_on, p.reason, "TRUE") for p in client]
        plans = [next((c for c in client if c.index == p.index), p) for p in plans]
    server = [p for p in plans if p.runs_on == SERVER]
    first = list(client)
    rest: list[HuntSql] = []
    for plan in server:
        if not rest and _fits(source, window, [*first, plan]):
            first.append(plan)
        else:
            rest.append(plan)
    groups = ([first] if first else []) + _split(source, window, rest)
    learning = None
    if any(p.hunt.outside is not None or p.hunt.chain is not None for p in client):
        learning = learning_sql(list(hunts), plans, source.dialect)
    return HuntStatements(tuple(plans), tuple(tuple(g) for g in groups), learning)


def learning_text(source: SqlHunting, window: TimeRange, selected: str, partitions: bool = True) -> str:
    times = source.time_sql(window, partitions)
    return learning_statement(source.from_clause(), times.predicates, selected, source.dialect)


def explained_statements(source: SqlHunting, hunts: Sequence[Hunt], window: TimeRange) -> list[str]:
    """Every statement a run sends, in order (what `--explain` prints)."""
    planned = plan_statements(source, hunts, window)
    out = [learning_text(source, window, planned.learning)] if planned.learning else []
    return out + [statement_text(source, window, plans) for plans in planned.statements]


def _tags(text: str) -> tuple[list[int], bool]:
    indices: list[int] = []
    client = False
    for part in text.split(","):
        part = part.strip()
        if part == CLIENT_TAG:
            client = True
        elif part.isdigit():
            indices.append(int(part))
    return indices, client


def _confirmed(hunt: Hunt, raw: dict[str, Any]) -> bool:
    """The JMESPath re-check of a server hit: its predicate (or a sequence's
    second step) matches the record."""
    if hunt.filter.matches(raw):
        return True
    return hunt.sequence is not None and hunt.sequence.then.matches(raw)


class _Collector:
    """Turns tagged rows into hits, feeding the client engine and, when it
    judges outside access, the known accounts in the order it would have
    learned them: accounts the learning statement found, each before the
    first row no newer than it, and the rows that match the catalogue's
    candidate filter."""

    def __init__(self, hunts: Sequence[Hunt], engine: HuntEngine | None, window: TimeRange,
                 learned: list[tuple[str, float]]) -> None:
        self.hunts = hunts
        self.engine = engine
        self.window = Query(filter=EventFilter.compile(""), time_range=window)
        self.learned = sorted(learned, key=lambda pair: pair[1])  # oldest first: pop() gives the newest
        self.learns = engine is not None and engine.learns_accounts
        self.candidates = candidate_filter(hunts) if self.learns else None

    def _learn(self, event: Event) -> None:
        if self.engine is None or not self.learns:
            return
        known = self.engine.context.known_accounts
        now = event.time.timestamp()
        while self.learned and self.learned[-1][1] > now:
            known.observe({"recipientAccountId": self.learned.pop()[0]}, "")
        if self.candidates is not None and self.candidates.matches(event.raw):
            known.observe(event.raw, event.location)

    def drain(self) -> None:
        """Accounts newer than no row at all (or all of them, with no rows)."""
        if self.engine is not None and self.learns:
            while self.learned:
                self.engine.context.known_accounts.observe({"recipientAccountId": self.learned.pop()[0]}, "")

    def rows(self, part: TaggedRows, feeds_engine: bool) -> tuple[list[Hit], list[Problem], int]:
        hits: list[Hit] = []
        problems = list(part.problems)
        accepted = 0
        for raw, tag in part.rows:
            if raw is None:
                problems.append(Problem(part.location, "a result row without a readable event"))
                continue
            event = accept(self.window, raw, part.location, problems)
            if event is None:
                continue
            accepted += 1
            indices, _ = _tags(tag)
            hits.extend(self._server_hits(event, indices))
            if feeds_engine and self.engine is not None:
                self._learn(event)
                hits.extend(self.engine.feed(event))
        return hits, problems, accepted

    def _server_hits(self, event: Event, indices: list[int]) -> list[Hit]:
        out = []
        for index in indices:
            if 0 <= index < len(self.hunts) and _confirmed(self.hunts[index], event.raw):
                out.append(Hit(self.hunts[index], event, attempt=is_attempt(event.raw)))
        return out


async def run_hunts_in_sql(source: SqlHunting, hunts: Sequence[Hunt], window: TimeRange,
                           context: HuntContext | None = None) -> AsyncGenerator[HuntProgress]:
    """Like `run_hunts`, with the server running every hunt it can exactly.
    The last step names where each hunt ran and the bytes scanned."""
    planned = plan_statements(source, hunts, window)
    client_hunts = [hunts[p.index] for p in planned.plans if p.runs_on != SERVER]
    engine = HuntEngine(client_hunts, context, learn=False) if client_hunts else None
    learned: list[tuple[str, float]] = []
    if planned.learning is not None and engine is not None and engine.learns_accounts:
        selected = planned.learning

        def learning(partitions: bool) -> str:
            return learning_text(source, window, selected, partitions)

        for account, newest in await source.select_rows(learning):
            if account and newest:
                learned.append((account, float(newest)))
    collector = _Collector(hunts, engine, window, learned)
    scanned = candidates = 0
    scanned_bytes: int | None = None
    for number, plans in enumerate(planned.statements):
        def build(partitions: bool, chosen: tuple[HuntSql, ...] = plans) -> str:
            return statement_text(source, window, chosen, partitions)

        async for part in source.tagged_rows(build, TAG_COLUMN):
            hits, problems, accepted = collector.rows(part, feeds_engine=number == 0)
            scanned += len(part.rows)
            candidates += accepted
            if part.scanned_bytes is not None:
                scanned_bytes = (scanned_bytes or 0) + part.scanned_bytes
            yield HuntProgress(hits, scanned, candidates, problems, None, part.status)
    collector.drain()
    final = engine.finish() if engine is not None else []
    yield HuntProgress(final, scanned, candidates, [], 1.0, "", ran=planned.ran, scanned_bytes=scanned_bytes,
                       engine=source.dialect.name)
