"""Records to and from JSON text, whatever they hold.

orjson is the fast path, but it refuses integers beyond 64 bits (which
CloudTrail records may carry, and which trailtui decodes exactly) and strings
with lone surrogates (which a server response may carry).  The stdlib encoder
writes both exactly (non-ASCII as `\\u` escapes), so no record is ever
unprintable or rewritten.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import orjson

# What decoding bad JSON raises: malformed or out-of-range values (msgspec's
# DecodeError and ValidationError are ValueErrors), nesting deeper than it recurses.
JSON_ERRORS = (RecursionError, ValueError)


@cache
def _decoder() -> Any:
    """msgspec's decoder, imported on first use: a command that only prints
    stored records (`dumps_record`) need not pay its ~14 ms of imports."""
    import msgspec

    return msgspec.json.Decoder()


def loads_record(text: bytes | str) -> Any:
    """One JSON value with integers kept exact (orjson would turn those beyond
    64 bits into floats).  Raises one of JSON_ERRORS."""
    return _decoder().decode(text)


def dumps_record(value: Any, indent: bool = False, sort_keys: bool = False) -> bytes:
    """Compact JSON (or indented by 2) for a decoded record or any JSON value."""
    option = (orjson.OPT_INDENT_2 if indent else 0) | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        return orjson.dumps(value, option=option)
    except TypeError:  # an integer beyond 64 bits, a lone surrogate, nesting beyond orjson's limit
        return json.dumps(value, ensure_ascii=True, sort_keys=sort_keys, indent=2 if indent else None,
                          separators=(",", ": ") if indent else (",", ":")).encode("ascii")
