"""The client-side check every remote source applies to what a server sent.

Pushdown makes servers return a superset; this is what makes every source
return exactly the rows the local source would: the time range and the full
JMESPath filter, on the raw event."""

from __future__ import annotations

from typing import Any

import orjson

from trailtui.events import Event, parse_event_time
from trailtui.sources.base import Query


def parse_json(text: str | None) -> Any:
    """The JSON value in a text column sent by a server; None when the text is
    missing or not JSON."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def accept(query: Query, raw: Any, location: str) -> Event | None:
    """The event if it is in the query's time range and matches its filter."""
    if not isinstance(raw, dict):
        return None
    window = query.time_range
    if not window.unbounded:
        when = parse_event_time(raw.get("eventTime"))
        if when is None or not window.contains(when):
            return None
    if not query.filter.matches(raw):
        return None
    return Event.from_raw(raw, location)
