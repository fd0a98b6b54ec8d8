"""Reading fields of a record that anyone may have written.

A CloudTrail record is attacker-written JSON: any field may hold any JSON type
(`userIdentity.sessionContext` a string or a list, `eventName` a number, an
object where text is expected).  Every reader of a record goes through these
accessors, which never raise and say in their return type what they give back,
instead of chaining `.get()` calls that assume a shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_EMPTY: Mapping[str, Any] = {}


def value_at(record: Any, *path: str) -> Any:
    """The value at `path` (object keys, outermost first), or None as soon as a
    step is missing or is not an object."""
    value = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def mapping_at(record: Any, *path: str) -> Mapping[str, Any]:
    """The object at `path`, or an empty mapping when it is absent or anything else."""
    value = value_at(record, *path)
    return value if isinstance(value, dict) else _EMPTY


def text_at(record: Any, *path: str) -> str:
    """The string at `path`; a number or boolean as its text; '' for null, a
    missing field, an object or a list (never their Python repr)."""
    return as_text(value_at(record, *path))


def as_text(value: Any) -> str:
    """`value` when it is a string; a number or boolean as its JSON text; else ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return ""


def string_at(record: Any, *path: str) -> str | None:
    """The value at `path` only when it is a non-empty string, else None."""
    value = value_at(record, *path)
    return value if isinstance(value, str) and value else None
