"""What a group key is: the `--by` expressions evaluated on one event.

Each expression's value becomes one part of the key: a string, number, boolean
or null as itself (`null` is a value of its own), an object or a list as its
compact JSON text with keys sorted (so the same object always counts as the
same value).  Keys order null first, then booleans, numbers and strings (by
code point), part by part: the order SQL's `NULLS FIRST` gives for strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from trailtui.counts.fields import GroupField, resolve_field
from trailtui.filters import EventFilter, FilterError
from trailtui.filters.expression import function_table
from trailtui.filters.fastpath import EVALUATION_ERRORS, compile_dict_value
from trailtui.filters.literal import jmespath_literal

KeyPart = str | int | float | bool | None
Key = tuple[KeyPart, ...]
MAX_EXPRESSIONS = 8
MAX_EXPRESSION_CHARS = 2000


class JsonText(str):
    """A key part that is an object's or a list's JSON text (a string, so it
    sorts and prints as one); remembered so a filter built from it compares
    with the object, not with a string."""

    __slots__ = ()


class GroupByError(ValueError):
    """A `--by` expression that cannot be compiled, said in one line with its column."""


def key_part(value: Any) -> KeyPart:
    """One evaluated value as a key part."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    try:
        return JsonText(orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode())
    except (TypeError, orjson.JSONEncodeError):  # an integer beyond 64 bits, say
        return JsonText(json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str))


_RANK = {type(None): 0, bool: 1, int: 2, float: 2, str: 3}


def part_order(part: KeyPart) -> tuple[int, Any]:
    return (_RANK.get(type(part), 3), part if part is not None else 0)


def key_order(key: Key) -> tuple[tuple[int, Any], ...]:
    """Sort key for `key ascending`."""
    return tuple(part_order(part) for part in key)


def format_key_part(part: KeyPart) -> str:
    """A key part as text for tables and CSV: strings as they are, anything
    else as JSON (`null`, `true`, `3`).  JSON output keeps the types."""
    if isinstance(part, str):
        return part
    return json.dumps(part)


def _literal(part: KeyPart) -> str:
    if isinstance(part, JsonText):
        try:
            value: Any = json.loads(part)
        except ValueError:
            value = str(part)
    elif isinstance(part, str):
        return jmespath_literal(part)
    else:
        value = part
    return "`" + json.dumps(value, ensure_ascii=True).replace("`", "\\`") + "`"


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """The compiled `--by` expressions."""

    texts: tuple[str, ...]  # as given (short names stay short names)
    fields: tuple[GroupField, ...]
    getters: tuple[Callable[[dict[str, Any]], Any], ...] = field(repr=False, compare=False)
    asts: tuple[dict[str, Any], ...] = field(repr=False, compare=False)

    @classmethod
    def compile(cls, texts: Sequence[str]) -> GroupSpec:
        if not texts:
            raise GroupByError("give at least one --by expression")
        if len(texts) > MAX_EXPRESSIONS:
            raise GroupByError(f"at most {MAX_EXPRESSIONS} --by expressions")
        fields, getters, asts = [], [], []
        for text in texts:
            chosen = resolve_field(text)
            if not chosen.expression:
                raise GroupByError("empty --by expression")
            if len(chosen.expression) > MAX_EXPRESSION_CHARS:
                raise GroupByError(f"--by expression longer than {MAX_EXPRESSION_CHARS} characters")
            try:
                compiled = EventFilter.compile(chosen.expression)
            except FilterError as exc:
                where = f" at column {exc.column}" if exc.column is not None else ""
                raise GroupByError(f"bad --by expression {chosen.expression!r}{where}: {exc.reason}") from None
            if compiled.ast is None:
                raise GroupByError("empty --by expression")
            fields.append(chosen)
            asts.append(compiled.ast)
            getters.append(compile_dict_value(compiled.ast, function_table()))
        return cls(tuple(t.strip() for t in texts), tuple(fields), tuple(getters), tuple(asts))

    @property
    def expressions(self) -> list[str]:
        return [f.expression for f in self.fields]

    def key_function(self) -> Callable[[dict[str, Any]], Key]:
        """raw event -> key.  A value the expression cannot compute for this
        event (a function given the wrong type) counts as null."""
        getters = self.getters

        def safe(get: Callable[[dict[str, Any]], Any], raw: dict[str, Any]) -> KeyPart:
            try:
                value = get(raw)
            except EVALUATION_ERRORS:
                return None
            if value is None or type(value) is str:
                return value
            return key_part(value)

        if len(getters) == 1:
            only = getters[0]
            return lambda raw: (safe(only, raw),)
        return lambda raw: tuple(safe(get, raw) for get in getters)


def key_filter(spec: GroupSpec, key: Key) -> str:
    """A JMESPath filter selecting exactly the events with this key: each
    expression compared with its part as a literal that cannot be escaped out
    of (an object's or list's part compares with the object itself)."""
    pairs = zip(spec.expressions, key, strict=True)
    return " && ".join(f"({expression}) == {_literal(part)}" for expression, part in pairs)
