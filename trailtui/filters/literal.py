"""Turning a value back into a JMESPath literal, for filters built from data
(pivots, quick filters, hunt pre-selection)."""

from __future__ import annotations

import json


def jmespath_literal(value: str) -> str:
    """A JMESPath literal equal to `value`, whatever characters it holds.

    Raw strings (`'...'`) cannot hold every value exactly (the lexer keeps a
    backslash before any character but a quote), so anything with a quote,
    backslash or control character becomes a JSON literal in backticks, whose
    own backticks are escaped."""
    if value.isprintable() and "'" not in value and "\\" not in value and "`" not in value:
        return f"'{value}'"
    return "`" + json.dumps(value, ensure_ascii=True).replace("`", "\\`") + "`"
