"""A hunt catalogue as one SELECT: every row the server returns is tagged with
the hunts it is a hit of (and `c` when a client-run hunt needs it), so only
hits and client candidates come back.

Layers, innermost first (each `SELECT *, ...` over the previous one):

1. the table within the time range: each hunt's match flag `h_m<i>` (and a
   sequence's second step `h_t<i>`), the event time in seconds `h_ts`, and
   the identity fields the group keys read;
2. rows some flag selects, with the derived identity parts;
3. the group keys used (`h_g_principal`, ...);
4. per threshold, `h_c<i>`: its matches in [t, t + window] of the same group;
   per sequence, `h_f<i>`: an A with a later B (or a B with an earlier A)
   within the window, the row itself excluded;
5. per threshold, `h_f<i>`: a match within the window after some match whose
   own count reached the threshold (so every event of a firing burst, as the
   client engine reports them);
6. the tags, and only tagged rows, newest first.

Windows are RANGE frames over `h_ts` (seconds), PARTITION BY the group key:
Trino and DuckDB both evaluate them.
"""

from __future__ import annotations

from collections.abc import Sequence

from trailtui.hunts.sql.keys import derived_columns, group_sql, key_columns, time_sql
from trailtui.hunts.sql.plan import SERVER, HuntSql
from trailtui.sources.pushdown import Dialect

TAG_COLUMN = "trailtui_hunts"
CLIENT_TAG = "c"


def _flag(name: str) -> str:
    return f"CASE WHEN {name} THEN 1 ELSE 0 END"


def _window(key: str, frame: str) -> str:
    return f"OVER (PARTITION BY h_g_{key} ORDER BY h_ts RANGE BETWEEN {frame})"


def _seconds(plan: HuntSql) -> int:
    rule = plan.hunt.threshold or plan.hunt.sequence
    assert rule is not None  # noqa: S101 - only grouped plans get here
    return int(rule.window.total_seconds())


def _layer(inner: str, columns: Sequence[tuple[str, str]], where: str = "") -> str:
    listed = "".join(f", {sql} AS {alias}" for alias, sql in columns)
    return f"SELECT *{listed} FROM ({inner}) AS h{len(columns)}{where}"  # noqa: S608 - aliases are fixed; values are escaped by to_sql


def _sequence_hit(plan: HuntSql) -> str:
    i, key, span = plan.index, plan.key or "", _seconds(plan)
    later = f"sum({_flag(f'h_t{i}')}) {_window(key, f'CURRENT ROW AND {span} FOLLOWING')} - {_flag(f'h_t{i}')}"
    earlier = f"sum({_flag(f'h_m{i}')}) {_window(key, f'{span} PRECEDING AND CURRENT ROW')} - {_flag(f'h_m{i}')}"
    return f"((h_m{i} AND {later} > 0) OR (h_t{i} AND {earlier} > 0))"


def hunt_statement(select_list: str, table: str, time_predicates: Sequence[str], plans: Sequence[HuntSql],
                   dialect: Dialect) -> str:
    """The statement for `plans` over `table` (`select_list` as the source's
    own searches select), tagged in column `trailtui_hunts`."""
    server = [p for p in plans if p.runs_on == SERVER]
    grouped = [p for p in server if p.key is not None]
    flags = [(f"h_m{p.index}", p.match) for p in plans]
    flags += [(f"h_t{p.index}", p.then) for p in server if p.then is not None]
    first = [("h_ts", time_sql(dialect)), *flags, *(key_columns(dialect) if grouped else [])]
    where = " AND ".join(time_predicates)
    scan = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "")  # noqa: S608 - the source's validated table name
    sql = _layer(scan, first)
    selected = " OR ".join(name for name, _ in flags) or "FALSE"
    sql = _layer(sql, derived_columns() if grouped else [], f" WHERE h_ts IS NOT NULL AND ({selected})")
    keys = sorted({p.key for p in grouped if p.key is not None})
    sql = _layer(sql, [(f"h_g_{key}", group_sql(key) or "''") for key in keys])
    counts = [(f"h_c{p.index}", f"sum({_flag(f'h_m{p.index}')}) "
               f"{_window(p.key or '', f'CURRENT ROW AND {_seconds(p)} FOLLOWING')}")
              for p in grouped if p.hunt.threshold is not None]
    counts += [(f"h_f{p.index}", _sequence_hit(p)) for p in grouped if p.hunt.sequence is not None]
    sql = _layer(sql, counts)
    fired = [(f"h_f{p.index}", f"(h_m{p.index} AND max(CASE WHEN h_m{p.index} AND h_c{p.index} >= "
              f"{p.hunt.threshold.count} THEN 1 ELSE 0 END) "
              f"{_window(p.key or '', f'{_seconds(p)} PRECEDING AND CURRENT ROW')} = 1)")
             for p in grouped if p.hunt.threshold is not None]
    sql = _layer(sql, fired)
    tags = [f"CASE WHEN {'h_f' if p.key is not None else 'h_m'}{p.index} THEN '{p.index},' ELSE '' END"
            for p in server]
    client = [f"h_m{p.index}" for p in plans if p.runs_on != SERVER]
    if client:
        tags.append(f"CASE WHEN {' OR '.join(client)} THEN '{CLIENT_TAG},' ELSE '' END")
    sql = _layer(sql, [("h_tags", " || ".join(tags) or "''")])
    return (f"SELECT {select_list}, h_tags AS {TAG_COLUMN} FROM ({sql}) AS hunted "  # noqa: S608 - identifiers are fixed; literals are escaped by to_sql
            f"WHERE h_tags <> '' ORDER BY h_ts DESC")


def learning_statement(table: str, time_predicates: Sequence[str], selected: str, dialect: Dialect) -> str:
    """Each `recipientAccountId` of the rows `selected` picks, with the newest
    time it appears (the client engine learns an account when it first sees
    it, newest first)."""
    where = " AND ".join([*time_predicates, f"({selected})"])
    return (f"SELECT recipientaccountid AS account, max(h_ts) AS newest FROM (SELECT recipientaccountid, "  # noqa: S608 - identifiers are fixed; literals are escaped by to_sql
            f"{time_sql(dialect)} AS h_ts FROM {table} WHERE {where}) AS learned "
            f"WHERE h_ts IS NOT NULL AND recipientaccountid IS NOT NULL GROUP BY recipientaccountid")
