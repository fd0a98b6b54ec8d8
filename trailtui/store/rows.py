"""One decoded CloudTrail record -> one line of the store's hand-over to DuckDB.

The typed columns are the store dialect's (`trailtui.sources.pushdown.STORE`):
each holds the raw value when it has the column's type (a string; a boolean for
`readOnly`) and NULL when the value is missing or null.  A value of any other
type (a number, an object, a string the hand-over cannot carry) makes the
column NULL and flags the row `odd`: the store's SQL always lets odd rows
through, so the JMESPath re-check, not the column, decides about them.  The
JSON columns hold their field as compact JSON text (orjson) whatever its type.
The hashed columns hold `text_hash` of a string value (NULL otherwise).  The
whole record goes to the row's block (`trailtui.store.blocks`); the last
three fields of a line say where that block is.

The hand-over is unquoted delimited text: fields are separated by US (0x1f) and
rows end with a newline.  orjson never writes a control character unescaped,
so `raw` needs no quoting; a column value holding a control character that
would break the line is NULLed and its row flagged odd.  (Quoting with the csv
module cost ~10x more than the whole join.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from trailtui.events import EPOCH, parse_event_time, principal_label
from trailtui.sources.pushdown.dialects import (
    STORE,
    STORE_CONTEXT_FIELDS,
    STORE_HASHED_FIELDS,
    STORE_IDENTITY_FIELDS,
    STORE_ISSUER_FIELDS,
    STORE_JSON_COLUMNS,
    STORE_TOP_FIELDS,
    text_hash,
)

NULL_TEXT = "\\N"
DELIMITER = "\x1f"
_BREAKERS = ("\x1f", "\n", "\r", "\x00")


@dataclass(frozen=True, slots=True)
class StoreColumn:
    name: str
    sql_type: str


_IDENTITY = STORE_IDENTITY_FIELDS
_ISSUER = STORE_ISSUER_FIELDS
_CONTEXT = STORE_CONTEXT_FIELDS
# The order in which row_fields reads the typed columns; checked against the dialect below.
_PATHS = ([(f,) for f in STORE_TOP_FIELDS] + [("userIdentity", f) for f in _IDENTITY]
          + [("userIdentity", "sessionContext", "sessionIssuer", f) for f in _ISSUER]
          + [("userIdentity", "sessionContext", f) for f in _CONTEXT] + [("readOnly",)])
_HELD = len(_PATHS) + len(STORE_HASHED_FIELDS)
if set(map(tuple, _PATHS)) | {(f,) for f in STORE_HASHED_FIELDS} != set(STORE.columns) \
        or _HELD != len(STORE.columns):  # pragma: no cover
    raise RuntimeError("store rows and the STORE dialect name different columns")

COLUMNS: tuple[StoreColumn, ...] = (
    # file_id/seq say where a row came from (and order ties as a plain scan does);
    # t is the event time in microseconds since the epoch (NULL when unreadable).
    StoreColumn("file_id", "INTEGER"), StoreColumn("seq", "INTEGER"), StoreColumn("t", "BIGINT"),
    *(StoreColumn(STORE.columns[tuple(p)].sql, "BOOLEAN" if p == ("readOnly",) else "VARCHAR") for p in _PATHS),
    StoreColumn("principal", "VARCHAR"), StoreColumn("odd", "BOOLEAN"),
    *(StoreColumn(STORE.columns[(name,)].sql, "UINTEGER") for name in STORE_HASHED_FIELDS),
    *(StoreColumn(column, "VARCHAR") for column in STORE_JSON_COLUMNS.values()),
    # The row's block in the segment's events file: offset, length, line.
    StoreColumn("block_at", "BIGINT"), StoreColumn("block_len", "INTEGER"), StoreColumn("block_line", "SMALLINT"),
)

COLUMN_NAMES = tuple(c.name for c in COLUMNS)


def _micros(value: Any) -> str:
    when = parse_event_time(value)
    if when is None:
        return NULL_TEXT
    delta = when - EPOCH
    return str((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def _carried(value: Any) -> str | None:
    """The field for one value, or None when it cannot be carried (odd)."""
    if value is None:
        return NULL_TEXT
    if type(value) is str and value != NULL_TEXT and not any(c in value for c in _BREAKERS):
        return value
    return None


def _strings(values: list[Any]) -> tuple[str, bool]:
    """The values as delimited fields, and whether one could not be carried.
    The common case (strings and None, nothing to escape) is checked on the
    joined text at C speed; only a line that fails it is looked at per value."""
    if NULL_TEXT not in values:
        try:
            text = DELIMITER.join([NULL_TEXT if v is None else v for v in values])
        except TypeError:  # a number, an object...: per value below
            text = ""
        if (text and text.count(DELIMITER) == len(values) - 1
                and "\n" not in text and "\r" not in text and "\x00" not in text):
            return text, False
    fields = [_carried(v) for v in values]
    return DELIMITER.join(NULL_TEXT if f is None else f for f in fields), None in fields


def time_unreadable(columns: str) -> bool:
    """True when the row's eventTime could not be read (`row_fields` wrote NULL)."""
    return columns.split(DELIMITER, 3)[2] == NULL_TEXT


def row_fields(raw: dict[str, Any], file_id: int, seq: int) -> tuple[str, bytes]:
    """One record as the hand-over fields before its block's (`COLUMNS` order,
    no line end) and the line its block keeps.  Raises orjson.JSONEncodeError
    for a value JSON cannot carry (the file is then read plainly)."""
    get = raw.get
    identity = get("userIdentity")
    if type(identity) is not dict:
        identity_values: list[Any] = [None] * (len(_IDENTITY) + len(_ISSUER) + len(_CONTEXT))
    else:
        context = identity.get("sessionContext")
        issuer = context.get("sessionIssuer") if type(context) is dict else None
        identity_values = [identity.get(k) for k in _IDENTITY]
        identity_values += [issuer.get(k) for k in _ISSUER] if type(issuer) is dict else [None] * len(_ISSUER)
        identity_values += [context.get(k) for k in _CONTEXT] if type(context) is dict else [None] * len(_CONTEXT)
    strings, odd = _strings([get(k) for k in STORE_TOP_FIELDS] + identity_values)
    read_only = get("readOnly")
    if type(read_only) is bool:
        flag = "true" if read_only else "false"
    else:
        flag = NULL_TEXT
        odd = odd or read_only is not None
    label, bad = _strings([principal_label(identity)])
    extra = []
    for name in STORE_HASHED_FIELDS:
        value = get(name)
        extra.append(str(text_hash(value)) if type(value) is str else NULL_TEXT)
        odd = odd or (value is not None and type(value) is not str)
    for name in STORE_JSON_COLUMNS:
        value = get(name)  # orjson escapes every control character: the text never breaks a line
        extra.append(NULL_TEXT if value is None else orjson.dumps(value).decode())
    return DELIMITER.join((str(file_id), str(seq), _micros(get("eventTime")), strings, flag, label,
                           "true" if odd or bad else "false", *extra)), orjson.dumps(raw)
