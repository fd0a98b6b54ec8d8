"""The store's own widening of the STORE pushdown: a SQL superset for filters
the shared translator gives up on as a whole.

The hunts' candidate filter is the typical one: an eventName gate written as
`contains(`["AssumeRole", ...]`, eventName)` (and the same over
`casefold(eventName)`), OR'd with dozens of hunt filters, several thousand
characters long.  Here each operand of an `||` is translated on its own, a gate
becomes `eventname IN (...)`, an `&&` keeps the operands that translate, and
the statement may be as long as DuckDB takes (the Athena/Lake length bound is
theirs).  Every row is still re-checked with the whole JMESPath filter, so a
superset is all this has to be; rows flagged `odd` pass whatever it says.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from trailtui.filters import EventFilter
from trailtui.sources.pushdown import STORE, Translation, sql_string, to_sql
from trailtui.sources.pushdown.dialects import Kind
from trailtui.sources.pushdown.sql import Sql, node_sql
from trailtui.sources.pushdown.tree import Node, field_path

MAX_STORE_WHERE_CHARS = 400_000  # far above any hunt catalogue; bounded all the same


def store_where(flt: EventFilter) -> Translation:
    """The WHERE text for the store: the shared translation when it pushes
    anything, else the operand-by-operand superset (TRUE when none).  One
    search asks for it several times (is the store worth it, the key SQL, the
    CLI before importing the store), and a long filter costs tens of
    milliseconds a translation: remembered by its text."""
    return _store_where(_ByText(flt))


class _ByText:
    """A filter as a cache key: equal filters have equal text (the compiled
    filter itself is not hashable, and compiling its text again costs more
    than translating it)."""

    __slots__ = ("flt",)

    def __init__(self, flt: EventFilter) -> None:
        self.flt = flt

    def __hash__(self) -> int:
        return hash(self.flt.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByText) and other.flt.text == self.flt.text


@lru_cache(maxsize=16)
def _store_where(key: _ByText) -> Translation:
    flt = key.flt
    shared = to_sql(flt, STORE)
    if shared.pushed or flt.ast is None:
        return shared
    found = _superset(flt.ast)
    if found is None or found.text == "TRUE" or len(found.text) > MAX_STORE_WHERE_CHARS:
        return Translation("TRUE", exact=False)
    return Translation(found.text, found.exact)


MAX_BRANCHES = 4  # more: one scan per branch costs more than one scan evaluating the OR per row


def store_branches(flt: EventFilter) -> list[Sql] | None:
    """The operands of a filter's top-level `||` chain, each translated on its
    own, when there are 2 to MAX_BRANCHES and every one translates; else None.
    DuckDB pushes a comparison or an AND of them into its Parquet scan (row
    groups and pages skipped, other columns decoded only for the rows that
    pass), but not an OR across columns: a UNION of one scan per operand
    selected the same rows several times faster on the 2M demo."""
    if flt.ast is None or flt.ast.get("type") != "or_expression":
        return None
    operands: list[Node] = []
    pending = [flt.ast]
    while pending and len(operands) <= MAX_BRANCHES:
        node = pending.pop()
        if node.get("type") == "or_expression":
            pending.extend(reversed(node["children"]))
        else:
            operands.append(node)
    if pending or len(operands) > MAX_BRANCHES:
        return None
    found = [_superset(node) for node in operands]
    if any(part is None or part.text == "TRUE" for part in found):
        return None
    return [part for part in found if part is not None]


def _superset(node: Node) -> Sql | None:
    kind = node.get("type")
    if kind == "or_expression":
        parts = [_superset(child) for child in node["children"]]
        if parts[0] is None or parts[1] is None:
            return None
        return Sql(f"({parts[0].text} OR {parts[1].text})", parts[0].exact and parts[1].exact)
    if kind == "and_expression":
        found = [_superset(child) for child in node["children"]]
        kept = [part for part in found if part is not None]
        if not kept:
            return None
        return Sql("(" + " AND ".join(part.text for part in kept) + ")",
                   len(kept) == len(found) and all(part.exact for part in kept))
    return _membership(node) or node_sql(node, STORE)


def _string_column(node: Node) -> str | None:
    path = field_path(node)
    column = STORE.column(path) if path is not None else None
    return column.sql if column is not None and column.kind is Kind.STRING else None


def _membership(node: Node) -> Sql | None:
    """`contains(`[...]`, field)` as `field IN (...)` (exact: the column is the
    field's string or NULL), and `contains(`[...]`, casefold(field))` as the
    same over lower() for ASCII values plus every non-ASCII value (casefold
    and lower differ only beyond ASCII: a superset)."""
    if node.get("type") != "function_expression" or node.get("value") != "contains":
        return None
    children = node["children"]
    if len(children) != 2 or children[0].get("type") != "literal":
        return None
    values: Any = children[0]["value"]
    if not isinstance(values, list):
        return None
    strings = [value for value in values if isinstance(value, str)]
    subject = children[1]
    folded = (subject.get("type") == "function_expression" and subject.get("value") == "casefold"
              and len(subject["children"]) == 1)
    column = _string_column(subject["children"][0] if folded else subject)
    if column is None:
        return None
    missing = f" OR {column} IS NULL" if None in values else ""  # a missing field is null, and null is listed
    if not strings:
        return Sql(f"({column} IS NULL)" if missing else "FALSE", True)
    listed = ", ".join(sql_string(value) for value in strings)
    if not folded:
        return Sql(f"(coalesce({column} IN ({listed}), FALSE){missing})", True)
    return Sql(f"(coalesce(lower({column}) IN ({listed}) OR strlen({column}) <> length({column}), FALSE){missing})",
               False)
