"""Which sources can count with SQL, and asking them.

A source counts server-side when it offers `SqlCounting`: its table's dialect,
the FROM clause, the time range as SQL, and a way to run one small SELECT and
get its rows as text.  Athena and CloudTrail Lake do; a local columnar store
can offer the same four members and be used here unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from trailtui.counts.keys import GroupSpec
from trailtui.counts.result import CountResult
from trailtui.counts.sql import group_statement, rows_result
from trailtui.sources.base import Query
from trailtui.sources.pushdown import Dialect
from trailtui.sources.pushdown.timebounds import TimeSql
from trailtui.timerange import TimeRange


@runtime_checkable
class SqlCounting(Protocol):
    dialect: Dialect

    def from_clause(self) -> str:
        ...

    def time_sql(self, window: TimeRange, partitions: bool = True) -> TimeSql:
        ...

    async def select_rows(self, statement: Callable[[bool], str]) -> list[list[str | None]]:
        """Run `statement(partitions)` (retried with False when the table has
        no partition column) and return every row, each cell as text or None."""
        ...


def server_statement(source: SqlCounting, spec: GroupSpec, query: Query, top: int,
                     partitions: bool = True) -> str | None:
    return group_statement(source.from_clause(), source.dialect, spec, query.filter,
                           source.time_sql(query.time_range, partitions), top)


async def server_count(source: object, spec: GroupSpec, query: Query, top: int) -> CountResult | None:
    """The source's own GROUP BY answer, or None when it cannot give an exact one."""
    if not isinstance(source, SqlCounting) or server_statement(source, spec, query, top) is None:
        return None

    def build(partitions: bool) -> str:
        statement = server_statement(source, spec, query, top, partitions)
        if statement is None:  # cannot happen: partition predicates never change exactness
            raise ValueError("no GROUP BY statement without partitions")
        return statement

    rows = await source.select_rows(build)
    return rows_result(rows, spec, top, method=source.dialect.name)
