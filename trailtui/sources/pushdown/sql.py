"""JMESPath filter -> SQL WHERE clause (Trino: Athena and CloudTrail Lake).

The JMESPath filter stays the truth: the SQL only has to return a superset of
the matching rows, and every source re-applies the full filter to what comes
back.  Hence the rules:

* every emitted predicate is two-valued (never NULL), so `NOT` and `OR` keep
  JMESPath's meaning (`missing != 'x'` is true in JMESPath; `col <> 'x'` is NULL);
* each translation is *exact* or a *superset*; `NOT` needs an exact operand;
* in an `&&`, an operand that cannot be translated is dropped (TRUE), which
  keeps a superset; in an `||` every operand must translate;
* literals go through `sql_string` (quotes doubled) and identifiers come only
  from the dialect's whitelist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from trailtui.filters import EventFilter, is_truthy
from trailtui.sources.pushdown import functions as custom
from trailtui.sources.pushdown.dialects import Column, Dialect, Kind, text_hash
from trailtui.sources.pushdown.literals import Untranslatable, like_predicate, sql_string
from trailtui.sources.pushdown.tree import Node, field_path, path_and_literal

MAX_WHERE_CHARS = 4000  # Lake statements are limited to 10,000 characters in all
_ORDERING = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
# A string whose JSON text is itself in double quotes (no escapes in any encoder).
_PLAIN_JSON_STRING = re.compile(r"[A-Za-z0-9 _./:@=+,;!#$%&()*\-\[\]^{}|~<>?']*")
_LIKE_FUNCTIONS = {"starts_with": "prefix", "ends_with": "suffix", "contains": "infix"}
_CUSTOM: dict[str, Callable[[str, list[Node], Dialect], str]] = {
    "icontains": custom.caseless, "iequals": custom.caseless, "istarts_with": custom.caseless,
    "iends_with": custom.caseless,
    "regex_match": lambda _, children, dialect: custom.regex(children, dialect),
    "cidr_match": lambda _, children, dialect: custom.cidr(children, dialect),
}


@dataclass(frozen=True, slots=True)
class Sql:
    """A translated predicate; `exact` when it selects exactly what JMESPath does."""

    text: str
    exact: bool


@dataclass(frozen=True, slots=True)
class Translation:
    """The WHERE text to AND into a query (`TRUE` when nothing could be pushed)."""

    where: str
    exact: bool

    @property
    def pushed(self) -> bool:
        return self.where != "TRUE"


def newest_first_statement(head: str, predicates: Iterable[str], pushed: Translation, times_exact: bool,
                           limit: int | None) -> tuple[str, bool]:
    """`head` (`SELECT ... FROM ...`) with the time `predicates` and the pushed
    filter ANDed, newest first, and whether it selects exactly the matching
    rows (only then is the LIMIT pushed down)."""
    where = list(predicates)
    if pushed.pushed:
        where.append(pushed.where)
    exact = pushed.exact and times_exact
    sql = head
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY eventtime DESC"
    if exact and limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, exact


def to_sql(flt: EventFilter, dialect: Dialect) -> Translation:
    """Translate what can be translated of `flt` for `dialect`."""
    if flt.ast is None:
        return Translation("TRUE", exact=True)
    try:
        result = _Translator(dialect).node(flt.ast)
    except Untranslatable:
        return Translation("TRUE", exact=False)
    if len(result.text) > MAX_WHERE_CHARS:
        return Translation("TRUE", exact=False)
    return Translation(result.text, result.exact)


def _hashed_comparison(column: Column, value: Any, op: str) -> Sql:
    """`==` on a HASHED column: the rows with the literal's hash (a superset);
    `== null`: the rows without a string there (exact, odd rows aside)."""
    if op != "eq":
        raise Untranslatable("only equality on a hashed column")
    if value is None:
        return Sql(f"({column.sql} IS NULL)", True)
    if not isinstance(value, str):
        raise Untranslatable("literal type does not match the column")
    return Sql(f"({column.sql} IS NOT DISTINCT FROM {text_hash(value)})", False)


def _with_needle(compact_key: tuple[str, str], value: str, test: str) -> str:
    """`test` preceded by a substring test on the compact raw JSON: the value at
    a path ending in `key` can only equal `value` where `"key":"value"` appears
    as orjson writes it (a memchr-fast test that spares parsing most rows)."""
    raw, key = compact_key
    try:
        needle = orjson.dumps(key).decode() + ":" + orjson.dumps(value).decode()
        return f"(contains({raw}, {sql_string(needle)}) AND {test})"
    except (orjson.JSONEncodeError, Untranslatable):  # a lone surrogate, a NUL: no shortcut
        return test


class _Translator:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def node(self, node: Node) -> Sql:
        kind = node.get("type")
        if kind == "and_expression":
            return self._and(node)
        if kind == "or_expression":
            parts = [self.node(child) for child in node["children"]]
            return Sql(f"({parts[0].text} OR {parts[1].text})", all(p.exact for p in parts))
        if kind == "not_expression":
            inner = self.node(node["children"][0])
            if not inner.exact:
                raise Untranslatable("cannot negate a superset")
            return Sql(f"(NOT {inner.text})", True)
        if kind == "comparator":
            return self._comparator(node)
        if kind == "function_expression":
            return self._function(node)
        if kind == "literal":
            return Sql("TRUE" if is_truthy(node["value"]) else "FALSE", True)
        path = field_path(node)
        if path is not None:
            return self._truthy(self._column(path))
        raise Untranslatable(f"{kind} is evaluated client-side")

    def _and(self, node: Node) -> Sql:
        kept: list[Sql] = []
        dropped = False
        for child in node["children"]:
            try:
                kept.append(self.node(child))
            except Untranslatable:
                dropped = True
        if not kept:
            raise Untranslatable("no operand of && could be translated")
        if len(kept) == 1:
            return Sql(kept[0].text, kept[0].exact and not dropped)
        return Sql(f"({kept[0].text} AND {kept[1].text})", all(p.exact for p in kept) and not dropped)

    def _column(self, path: tuple[str, ...]) -> Column:
        column = self.dialect.column(path)
        if column is None:
            raise Untranslatable(f"{'.'.join(path)} has no column")
        return column

    def _truthy(self, column: Column) -> Sql:
        if column.kind is Kind.STRING:
            return Sql(f"({column.sql} IS NOT NULL AND {column.sql} <> '')", True)
        if column.kind is Kind.BOOL:
            return Sql(f"coalesce({column.sql}, FALSE)", True)
        if column.kind is Kind.BOOL_TEXT:
            return Sql(f"coalesce({column.sql} = 'true', FALSE)", True)
        typed = self._typed(column)
        if typed is not None:
            return Sql(f"coalesce({typed} NOT IN ('null', 'false', '\"\"', '[]', '{{}}'), FALSE)", True)
        raise Untranslatable("truthiness of JSON text")

    def _typed(self, column: Column) -> str | None:
        """The JSON text of a JSON field's value (NULL when missing or unreadable),
        where the dialect has typed JSON."""
        if not self.dialect.typed_json or column.json_source is None:
            return None
        source, path = column.json_source
        return f"try(json_format(json_extract({source}, {path})))"

    def _typed_comparison(self, column: Column, value: Any, op: str) -> Sql | None:
        """`==`/`!=` of a JSON field with null, a boolean or a plain string, on its JSON text: exact."""
        typed = self._typed(column)
        if typed is None or op not in ("eq", "ne"):
            return None
        if value is None:
            text = "null"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str) and _PLAIN_JSON_STRING.fullmatch(value):
            text = f'"{value}"'
        else:
            return None
        if op == "eq":
            return Sql(f"(coalesce({typed}, 'null') = {sql_string(text)})", True)
        return Sql(f"(coalesce({typed}, 'null') <> {sql_string(text)})", True)

    def _comparator(self, node: Node) -> Sql:
        found = path_and_literal(node)
        if found is None:
            typed = self._string_type_test(node)
            return typed if typed is not None else self._folded_comparison(node)
        path, value, op = found
        column = self._column(path)
        if column.kind is Kind.HASHED:
            return _hashed_comparison(column, value, op)
        approximate = column.kind is Kind.JSON_TEXT
        if approximate:
            typed = self._typed_comparison(column, value, op)
            if typed is not None:
                return typed
        if value is None:
            if op == "eq":
                return Sql(f"({column.sql} IS NULL)", not approximate)
            if op == "ne" and not approximate:
                return Sql(f"({column.sql} IS NOT NULL)", True)
            raise Untranslatable("null test")
        if isinstance(value, bool):
            return self._bool_comparison(column, value, op)
        if not isinstance(value, str) or column.kind in (Kind.BOOL, Kind.BOOL_TEXT):
            raise Untranslatable("literal type does not match the column")
        literal = sql_string(value)
        if op == "eq":
            text = f"({column.sql} IS NOT DISTINCT FROM {literal})"
            if column.compact_key is not None:
                text = _with_needle(column.compact_key, value, text)
            return Sql(text, not approximate)
        if op == "ne":
            if approximate:
                raise Untranslatable("!= on JSON text would drop rows")
            return Sql(f"({column.sql} IS DISTINCT FROM {literal})", True)
        return Sql(f"coalesce({column.sql} {_ORDERING[op]} {literal}, FALSE)", not approximate)

    def _string_type_test(self, node: Node) -> Sql | None:
        """`type(field) == 'string'` (or `!=`, either side) on a STRING column of
        a dialect whose string columns are NULL for any other type: exact."""
        if not self.dialect.strings_typed or node["value"] not in ("eq", "ne"):
            return None
        for call, literal in (node["children"], reversed(node["children"])):
            if (call.get("type") == "function_expression" and call.get("value") == "type"
                    and len(call["children"]) == 1 and literal.get("type") == "literal"
                    and literal.get("value") == "string"):
                path = field_path(call["children"][0])
                column = self.dialect.column(path) if path is not None else None
                if column is None or column.kind is not Kind.STRING:
                    return None
                test = "IS NOT NULL" if node["value"] == "eq" else "IS NULL"
                return Sql(f"({column.sql} {test})", True)
        return None

    def _folded_comparison(self, node: Node) -> Sql:
        """`lower(x) == 'literal'` (or upper, either side): a superset."""
        left, right = node["children"]
        if node["value"] != "eq":
            raise Untranslatable("comparison is not path vs literal")
        for subject, literal in ((left, right), (right, left)):
            if literal.get("type") == "literal" and subject.get("type") == "function_expression":
                return Sql(custom.folded_equality(subject, literal["value"], self.dialect), False)
        raise Untranslatable("comparison is not path vs literal")

    def _membership(self, values: Node, subject: Node) -> Sql:
        """`contains(['a', 'b'], path)`: the path's value is one of the strings."""
        if values.get("type") == "literal":
            items = values.get("value")
        else:
            found = values.get("children", [])
            items = [c.get("value") for c in found] if all(c.get("type") == "literal" for c in found) else None
        if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
            raise Untranslatable("contains() over something other than a list of strings")
        path = field_path(subject)
        if path is None:
            raise Untranslatable("contains() of something other than a path")
        column = self._column(path)
        if column.kind is Kind.HASHED:
            hashes = ", ".join(str(text_hash(v)) for v in dict.fromkeys(items))
            return Sql(f"coalesce({column.sql} IN ({hashes}), FALSE)", False)
        if column.kind not in (Kind.STRING, Kind.JSON_TEXT):
            raise Untranslatable("contains() on a column that may not hold a string")
        typed = self._typed(column)
        if typed is not None and all(_PLAIN_JSON_STRING.fullmatch(v) for v in items):
            listed = ", ".join(sql_string(f'"{v}"') for v in dict.fromkeys(items))
            return Sql(f"coalesce({typed} IN ({listed}), FALSE)", True)
        listed = ", ".join(sql_string(v) for v in dict.fromkeys(items))
        return Sql(f"coalesce({column.sql} IN ({listed}), FALSE)", column.kind is Kind.STRING)

    def _bool_comparison(self, column: Column, value: bool, op: str) -> Sql:
        if op not in ("eq", "ne"):
            raise Untranslatable("ordering on a boolean")
        if column.kind is Kind.BOOL:
            literal = "TRUE" if value else "FALSE"
        elif column.kind is Kind.BOOL_TEXT:
            literal = "'true'" if value else "'false'"
        else:
            raise Untranslatable("boolean literal on a non-boolean column")
        keyword = "IS NOT DISTINCT FROM" if op == "eq" else "IS DISTINCT FROM"
        return Sql(f"({column.sql} {keyword} {literal})", True)

    def _function(self, node: Node) -> Sql:
        name = node["value"]
        where = _LIKE_FUNCTIONS.get(name)
        children = node["children"]
        if name == "cidr_match":
            typed = custom.typed_cidr(children, self.dialect)
            if typed is not None:
                return Sql(typed, True)
        if name == "regex_match" and self.dialect.regex_ascii_exact:
            plain = custom.ascii_regex(children, self.dialect)
            if plain is not None:
                return Sql(plain, True)
        if name in _CUSTOM:
            return Sql(_CUSTOM[name](name, children, self.dialect), False)
        if where is not None and len(children) == 2 and children[0].get("type") == "function_expression":
            return Sql(custom.folded_like(name, children, self.dialect), False)
        if name == "contains" and len(children) == 2 and children[0].get("type") in ("literal", "multi_select_list"):
            return self._membership(children[0], children[1])
        if where is None or len(children) != 2 or children[1].get("type") != "literal":
            raise Untranslatable(f"{name}() is evaluated client-side")
        path = field_path(children[0])
        value: Any = children[1]["value"]
        if path is None or not isinstance(value, str):
            raise Untranslatable(f"{name}() arguments")
        column = self._column(path)
        # contains() also tests list membership, which JSON text cannot see.
        allowed = (Kind.STRING,) if name == "contains" else (Kind.STRING, Kind.JSON_TEXT)
        if column.kind not in allowed:
            raise Untranslatable(f"{name}() on a column that may not hold a string")
        return Sql(like_predicate(column.sql, value, where), column.kind is Kind.STRING)


def node_sql(node: Node, dialect: Dialect) -> Sql | None:
    """One sub-expression's translation, or None when it has none: for a
    dialect that combines the parts of a filter itself (the local store)."""
    try:
        return _Translator(dialect).node(node)
    except Untranslatable:
        return None
