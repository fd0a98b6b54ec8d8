"""The client-side check every remote source applies to what a server sent.

Pushdown makes servers return a superset; this is what makes every source
return exactly the rows the local source would: the time range and the full
JMESPath filter, on the raw event."""

from __future__ import annotations

from typing import Any

import orjson

from trailtui.events import Event, event_time_problem, parse_event_time, record_label
from trailtui.sources.base import Problem, Query


def parse_json(text: str | None) -> Any:
    """The JSON value in a text column sent by a server; None when the text is
    missing or not JSON."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def accept(query: Query, raw: Any, location: str, problems: list[Problem] | None = None,
           matched: bool = False) -> Event | None:
    """The event if it is in the query's time range and matches its filter
    (`matched`: the caller's SQL already decided the filter exactly).
    A record whose `eventTime` cannot be read (outside the years trailtui holds,
    a leap second, not a time) is skipped, with one line in `problems`."""
    if not isinstance(raw, dict):
        return None
    when = parse_event_time(raw.get("eventTime"))
    if when is None:
        if problems is not None:
            problems.append(Problem(location, f"{record_label(raw)} skipped: "
                                              f"{event_time_problem(raw.get('eventTime'))}"))
        return None
    if not query.time_range.contains(when):
        return None
    if not matched and not query.filter.matches(raw):
        return None
    return Event.from_raw(raw, location, when)
