"""What a command would ask a SQL source, without asking it (`--explain`).

An explanation is the exact SQL the source would be sent (the same text, so a
test can compare it with what a server received) and, for Athena, the
partitions the time range touches when the table's partition projection can
be read from the Glue catalogue (GetTable: read-only, never a query).  Sources
that are not SQL (local trees, S3, Event history) have nothing to explain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from trailtui.sources.base import Query
from trailtui.sources.projection import projected_partitions
from trailtui.sources.pushdown import Dialect


@runtime_checkable
class SqlSearch(Protocol):
    """A source whose searches are SQL statements (Athena, CloudTrail Lake)."""

    url: str
    dialect: Dialect

    def search_statement(self, query: Query) -> str:
        ...


@dataclass(frozen=True, slots=True)
class Explanation:
    url: str
    engine: str
    statements: tuple[str, ...]
    partitions: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        """`-- ` comment lines around one line per statement (ending in `;`)."""
        out = [f"-- {self.url}: {len(self.statements)} {self.engine} statement(s); nothing was started"]
        out += [f"-- {note}" for note in self.notes]
        out += [statement + ";" for statement in self.statements]
        if self.partitions:
            out.append(f"-- partitions: {self.partitions}")
        return out


def statements_of(lines: Sequence[str]) -> list[str]:
    """The statements in an explanation's output (the inverse of `lines`)."""
    return [line[:-1] for line in lines if line and not line.startswith("--") and line.endswith(";")]


async def explain(source: object, statements: Sequence[str], query: Query,
                  notes: Sequence[str] = ()) -> Explanation | None:
    """The explanation of `statements` for `source`, or None when it is not a SQL source."""
    if not isinstance(source, SqlSearch):
        return None
    partitions = ""
    reader = getattr(source, "table_parameters", None)
    if reader is not None:
        parameters = await reader()
        if isinstance(parameters, str):
            partitions = f"unknown (table parameters unreadable: {parameters})"
        else:
            found = projected_partitions(parameters, query.time_range)
            partitions = found.describe() if found is not None else "the table has no partition projection"
    elif source.dialect.name == "lake":
        partitions = "none (CloudTrail Lake prunes by eventtime itself)"
    return Explanation(url=source.url, engine=source.dialect.name, statements=tuple(statements),
                       partitions=partitions, notes=tuple(notes))
