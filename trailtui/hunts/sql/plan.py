"""Which hunts the server can run exactly, and the SQL of each.

A hunt runs on the server only when SQL selects exactly what the client engine
would report: its predicate (and a sequence's second step) translate exactly
(`to_sql(...).exact`), its group key is a built-in one (`keys.group_sql`), a
threshold counts events rather than distinct values, and the time range is
exact in SQL.  Every other hunt runs on the client, over the rows its own
superset SQL (its filter's pushdown ANDed with its eventName gate) selects;
`reason` says why, for the output.
"""

from __future__ import annotations

from dataclasses import dataclass

from trailtui.filters import EventFilter
from trailtui.hunts.engine import hunt_gate
from trailtui.hunts.model import Hunt
from trailtui.hunts.runner import candidate_filter
from trailtui.hunts.sql.keys import SQL_GROUP_KEYS
from trailtui.sources.pushdown import Dialect, to_sql

SERVER = "server"
CLIENT = "client"


@dataclass(frozen=True, slots=True)
class HuntSql:
    """One hunt's part of a statement.  `match` is exact when it runs on the
    server, a superset when on the client; `then` is a server sequence's
    second step; `key` the built-in group a server threshold or sequence uses."""

    index: int
    hunt: Hunt
    runs_on: str
    reason: str
    match: str
    then: str | None = None
    key: str | None = None


def _exact(flt: EventFilter, dialect: Dialect) -> str | None:
    found = to_sql(flt, dialect)
    return found.where if found.exact else None


def _superset(hunt: Hunt, dialect: Dialect) -> str:
    """The rows this hunt could use, as SQL ('TRUE' when nothing narrows them)."""
    parts = [to_sql(hunt.filter, dialect).where]
    if hunt.sequence is not None:
        then = to_sql(hunt.sequence.then, dialect).where
        parts = [f"({parts[0]} OR {then})" if "TRUE" not in (parts[0], then) else "TRUE"]
    if hunt_gate(hunt) is not None:
        parts.append(to_sql(candidate_filter([hunt]), dialect).where)
    kept = [p for p in parts if p != "TRUE"]
    return " AND ".join(f"({p})" for p in kept) if kept else "TRUE"


def learning_sql(hunts: list[Hunt], plans: list[HuntSql], dialect: Dialect) -> str | None:
    """SQL selecting exactly the events the client engine would learn known
    accounts from (those `candidate_filter(hunts)` matches) that the client
    hunts' rows may not bring back: the eventName gates (exact SQL) and the
    server-run ungated hunts' filters.  None when that SQL would not be exact."""
    gated = [h for h in hunts if hunt_gate(h) is not None]
    parts = []
    if gated:
        gate = to_sql(candidate_filter(gated), dialect)
        if not gate.exact:
            return None
        parts.append(gate.where)
    parts += [p.match for p in plans if p.runs_on == SERVER and hunt_gate(p.hunt) is None]
    return " OR ".join(f"({p})" for p in parts) if parts else None


def compact_superset(hunt: Hunt, dialect: Dialect) -> str:
    """A shorter superset: the eventName gate alone when the hunt has one."""
    if hunt_gate(hunt) is None:
        return _superset(hunt, dialect)
    return to_sql(candidate_filter([hunt]), dialect).where


def _client(index: int, hunt: Hunt, dialect: Dialect, reason: str) -> HuntSql:
    return HuntSql(index, hunt, CLIENT, reason, _superset(hunt, dialect))


def plan_hunt(index: int, hunt: Hunt, dialect: Dialect, times_exact: bool) -> HuntSql:
    """Where `hunt` runs and with which SQL."""
    if not times_exact:
        return _client(index, hunt, dialect, "the time range is finer than SQL's")
    if hunt.kind not in ("predicate", "threshold", "sequence"):
        return _client(index, hunt, dialect, f"{hunt.kind} hunts need the whole range on the client")
    match = _exact(hunt.filter, dialect)
    if match is None:
        return _client(index, hunt, dialect, "its filter has no exact SQL")
    if hunt.threshold is not None:
        if hunt.threshold.distinct is not None:
            return _client(index, hunt, dialect, "distinct counts run on the client")
        if hunt.threshold.by not in SQL_GROUP_KEYS:
            return _client(index, hunt, dialect, "its group key is a JMESPath expression")
        return HuntSql(index, hunt, SERVER, "", match, key=hunt.threshold.by)
    if hunt.sequence is not None:
        then = _exact(hunt.sequence.then, dialect)
        if then is None:
            return _client(index, hunt, dialect, "its second step has no exact SQL")
        if hunt.sequence.by not in SQL_GROUP_KEYS:
            return _client(index, hunt, dialect, "its group key is a JMESPath expression")
        return HuntSql(index, hunt, SERVER, "", match, then=then, key=hunt.sequence.by)
    return HuntSql(index, hunt, SERVER, "", match)
