"""Counting as SQL: one GROUP BY statement for Athena, CloudTrail Lake (and any
table shaped like theirs).

It is used only when the answer is exactly the streamed one: every `--by`
expression maps to a string column (or an `a || b` chain of them, which is
`coalesce(nullif(a, ''), b)`), the filter translates exactly and the time range
does too.  Identifiers come only from the dialect's whitelist and literals
through `sql_string`.  A null key and an empty string differ: each key is
selected as `'=' || value` (NULL when the value is), then `''` for NULL, so
even a server that renders NULL as an empty string (Lake) tells them apart.
The statement returns the top N groups plus, on every row, the number of
groups and of events (window functions over the grouped rows), so the
answer's size is bounded by N however many groups there are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trailtui.counts.keys import GroupSpec, Key, KeyPart
from trailtui.counts.result import CountResult, Group, ordered
from trailtui.events import parse_event_time
from trailtui.filters import EventFilter
from trailtui.sources.pushdown import Dialect, to_sql
from trailtui.sources.pushdown.dialects import Kind
from trailtui.sources.pushdown.timebounds import TimeSql
from trailtui.sources.pushdown.tree import field_path

MAX_TOP = 10_000  # rows a server answer may hold


def key_sql(node: dict[str, Any], dialect: Dialect) -> str | None:
    """The SQL value of a key expression, or None when it has no exact one."""
    path = field_path(node)
    if path is not None:
        column = dialect.column(path)
        return column.sql if column is not None and column.kind is Kind.STRING else None
    if node.get("type") == "or_expression":
        left, right = (key_sql(child, dialect) for child in node["children"])
        if left is None or right is None:
            return None
        return f"coalesce(nullif({left}, ''), {right})"
    return None


def group_statement(table: str, dialect: Dialect, spec: GroupSpec, flt: EventFilter, times: TimeSql,
                    top: int) -> str | None:
    """The GROUP BY statement over `table`, or None when SQL cannot answer exactly."""
    pushed = to_sql(flt, dialect)
    if not (pushed.exact and times.exact) or not 0 <= top <= MAX_TOP:
        return None
    values = [key_sql(ast, dialect) for ast in spec.asts]
    if any(value is None for value in values):
        return None
    encoded = [f"coalesce('=' || ({value}), '')" for value in values]
    names = [f"k{index}" for index in range(len(encoded))]
    where = list(times.predicates) + ([pushed.where] if pushed.pushed else [])
    keys = ", ".join(f"{e} AS {n}" for e, n in zip(encoded, names, strict=True))
    inner = " ".join([
        "SELECT", keys + ", count(*) AS n, min(eventtime) AS first_seen, max(eventtime) AS last_seen",
        "FROM", table,
        *(["WHERE", " AND ".join(where)] if where else []),
        "GROUP BY", ", ".join(encoded),
    ])
    order = ", ".join(f"{name} ASC" for name in names)
    return " ".join([
        "SELECT", ", ".join(names) + ", n, first_seen, last_seen,",
        "count(*) OVER () AS group_count, sum(n) OVER () AS event_count",
        "FROM (" + inner + ") AS grouped",
        "ORDER BY n DESC,", order, "LIMIT", str(max(top, 1)),
    ])


def _part(cell: str | None) -> KeyPart:
    return None if not cell else cell[1:]


def _time(cell: str | None) -> datetime | None:
    return parse_event_time(cell) if cell else None


def rows_result(rows: list[list[str | None]], spec: GroupSpec, top: int, method: str) -> CountResult:
    """The statement's rows (every cell as text, NULL as None) as a result."""
    width = len(spec.asts)
    groups: list[Group] = []
    events = distinct = 0
    for row in rows:
        key: Key = tuple(_part(cell) for cell in row[:width])
        count, first, last, group_count, event_count = row[width:width + 5]
        groups.append(Group(key, int(count or 0), _time(first), _time(last)))
        distinct, events = int(group_count or 0), int(event_count or 0)
    return CountResult(by=spec.texts, events=events, distinct=distinct,
                       groups=tuple(ordered(groups)[:top]), method=method)
