"""Who an event is attributed to when a hunt counts or chains events, and which
values a threshold counts as distinct."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jmespath.exceptions import JMESPathError

from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.record_fields import text_at
from trailtui.record_json import dumps_record

GroupKey = Callable[[Event], str]


def _account(event: Event) -> str:
    return text_at(event.raw, "userIdentity", "accountId") or text_at(event.raw, "recipientAccountId")


_BUILT_IN: dict[str, GroupKey] = {
    "principal": lambda e: e.principal,
    "access_key": lambda e: e.access_key or e.principal,
    "source_ip": lambda e: e.source_ip,
    "account": _account,
}


def group_key(by: str) -> GroupKey:
    """A function giving the group an event belongs to.  Built-in names first;
    anything else is a JMESPath expression whose value (as text) is the group.
    A missing value groups with the other missing ones under ''."""
    built_in = _BUILT_IN.get(by)
    if built_in is not None:
        return built_in
    expression = EventFilter.compile(by)

    def by_expression(event: Event) -> str:
        try:
            value = expression.evaluate(event.raw)
        except JMESPathError:
            return ""
        return _as_text(value)

    return by_expression


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return dumps_record(value, sort_keys=True).decode()


def distinct_values(expression: EventFilter, raw: dict[str, Any]) -> list[str]:
    """The values an event contributes to a distinct count: a list counts each
    element (GetParameters names, SendCommand instance ids), null counts none."""
    try:
        value = expression.evaluate(raw)
    except JMESPathError:
        return []
    if value is None or value == "" or value == [] or value == {}:
        return []
    items = value if isinstance(value, list) else [value]
    return [_as_text(item) for item in items if item is not None and item != ""]
