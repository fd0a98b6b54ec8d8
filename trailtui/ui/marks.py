"""Marks: events the analyst flagged as findings, with a note.

Kept in memory for the session (they are few) and written, when the user asks,
as JSONL `{"event", "note", "marked_at"}` through `trailtui.export.marks`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson


@dataclass(slots=True)
class MarkEntry:
    event: dict[str, Any]
    note: str = ""
    marked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def key(self) -> str:
        return mark_key(self.event)


def mark_key(raw: dict[str, Any]) -> str:
    """eventID when recorded (it is unique per event), else a digest of the JSON."""
    ident = raw.get("eventID")
    if isinstance(ident, str) and ident:
        return ident
    return "sha256:" + hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()


class MarkBook:
    def __init__(self) -> None:
        self._entries: dict[str, MarkEntry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def entries(self) -> list[MarkEntry]:
        """Oldest event first, as a timeline reads."""
        return sorted(self._entries.values(), key=lambda m: str(m.event.get("eventTime", "")))

    def keys(self) -> set[str]:
        return set(self._entries)

    def mark(self, raw: dict[str, Any], note: str = "") -> MarkEntry:
        key = mark_key(raw)
        entry = self._entries.get(key)
        if entry is None:
            entry = MarkEntry(raw, note)
            self._entries[key] = entry
        else:
            entry.note = note
        return entry

    def unmark(self, key: str) -> None:
        self._entries.pop(key, None)

    def get(self, key: str) -> MarkEntry | None:
        return self._entries.get(key)

    def as_export_marks(self) -> list[Any]:
        """The marks as `trailtui.export.marks.Mark` objects (for the export
        screen and the JSONL file); imported here, not at console start-up."""
        from trailtui.export.marks import Mark

        return [Mark(event=e.event, note=e.note, marked_at=e.marked_at) for e in self.entries()]

    def save(self, path: Path) -> Path:
        """Write the marks as JSONL (mode 0600, atomic, never over an existing file)."""
        from trailtui.export.marks import write_marks

        return write_marks(path, self.as_export_marks())
