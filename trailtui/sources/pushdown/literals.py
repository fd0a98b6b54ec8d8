"""SQL literals built from user text.  The only way a filter's values reach SQL.

Trino (Athena, CloudTrail Lake) and DuckDB read standard SQL string literals:
a single quote is doubled and a backslash is an ordinary character.  LIKE
patterns get their own escape character so `%`, `_` and `\\` in a value match
themselves.  A value that cannot be written safely (NUL) is refused, and the
caller then leaves that part of the filter to the client-side evaluator.
"""

from __future__ import annotations

import re


class Untranslatable(ValueError):
    """This part of a filter is not pushed down; it is still applied client-side."""


LIKE_ESCAPE = "\\"
_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def sql_string(value: str) -> str:
    """A single-quoted SQL string literal holding exactly `value`."""
    if not isinstance(value, str):
        raise Untranslatable("not a string")
    if "\x00" in value:
        raise Untranslatable("NUL in a literal")
    return "'" + value.replace("'", "''") + "'"


def like_escape(value: str) -> str:
    """`value` as LIKE pattern text that matches itself (escape char `\\`)."""
    return value.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def like_predicate(column: str, value: str, where: str) -> str:
    """A two-valued LIKE test: `where` is `prefix`, `suffix` or `infix`."""
    body = like_escape(value)
    pattern = {"prefix": body + "%", "suffix": "%" + body, "infix": "%" + body + "%"}[where]
    return f"coalesce({column} LIKE {sql_string(pattern)} ESCAPE {sql_string(LIKE_ESCAPE)}, FALSE)"


def json_path(keys: tuple[str, ...]) -> str:
    """A JSONPath literal (`'$.a.b'`) for keys that are plain identifiers.
    Anything else is refused rather than quoted: keys come from user text."""
    if not keys or not all(_SIMPLE_KEY.fullmatch(k) for k in keys):
        raise Untranslatable("JSON key is not a plain identifier")
    return sql_string("$." + ".".join(keys))
