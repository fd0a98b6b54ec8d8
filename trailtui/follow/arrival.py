"""What one poll brings, and the memory of which events were already shown."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from trailtui.events import Event
from trailtui.sources.base import Problem

# Event ids remembered to drop duplicates: far more than arrive between two
# polls of any trail, and about 20 MB at most.
MAX_REMEMBERED = 200_000


@dataclass(slots=True)
class Arrival:
    """New events of one poll, oldest first, and what could not be read."""

    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    polled_at: datetime | None = None
    scanned_bytes: int | None = None  # what the poll's query read (Athena bills it), None when not a query


class SeenEvents:
    """Event ids already shown, oldest forgotten first past `limit`: an event is
    never shown twice while it can still arrive again (a re-read file, an
    overlapping re-query)."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self.limit = limit
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, event: Event) -> bool:
        """True when the event is new (and remember it)."""
        return self.add_raw(event.raw)

    def add_raw(self, raw: dict[str, Any]) -> bool:
        """`add` for a record read back from where it was shown."""
        key = record_identity(raw)
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self.limit:
            self._ids.popitem(last=False)
        return True

    def fresh(self, events: list[Event]) -> list[Event]:
        """The events not seen before, oldest first."""
        new = [event for event in events if self.add(event)]
        new.sort(key=lambda e: e.time)
        return new


def record_identity(raw: dict[str, Any]) -> str:
    """The eventID, or the whole record when it has none."""
    event_id = raw.get("eventID")
    if isinstance(event_id, str) and event_id:
        return event_id
    return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS, default=str).decode()
