"""Marks: events the analyst flagged as findings, with a note.

Kept in memory for the session and, when the book has a case store, written
to the source's case file on every change (see `trailtui.case`), so they are
back when the same source is opened again.  `unmark` keeps what it removed so
`u` can put it back.  `save` writes them as JSONL `{"event", "note",
"marked_at"}` through `trailtui.export.marks`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trailtui.case.store import CaseStore
from trailtui.export.marks import Mark
from trailtui.record_json import dumps_record

UNDO_DEPTH = 50


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
    return "sha256:" + hashlib.sha256(dumps_record(raw, sort_keys=True)).hexdigest()


class MarkBook:
    def __init__(self, store: CaseStore | None = None) -> None:
        self._entries: dict[str, MarkEntry] = {}
        self._removed: list[MarkEntry] = []
        self.store = store
        self.integrity: dict[str, Any] | None = None
        self.problems: list[str] = []
        if store is not None:
            case = store.load()
            self.problems = list(case.problems)
            self.integrity = case.integrity
            for mark in case.marks:
                entry = MarkEntry(mark.event, mark.note, mark.marked_at)
                self._entries[entry.key] = entry

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
        self._persist()
        return entry

    def unmark(self, key: str) -> MarkEntry | None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._removed = (self._removed + [entry])[-UNDO_DEPTH:]
            self._persist()
        return entry

    def undo(self) -> MarkEntry | None:
        """Put back the last unmarked entry (note and time included), or None."""
        if not self._removed:
            return None
        entry = self._removed.pop()
        self._entries[entry.key] = entry
        self._persist()
        return entry

    def get(self, key: str) -> MarkEntry | None:
        return self._entries.get(key)

    def set_integrity(self, document: dict[str, Any]) -> None:
        """Remember the console's verification result with the case."""
        self.integrity = document
        self._persist()

    def _persist(self) -> None:
        if self.store is not None:
            self.store.save(self.as_export_marks(), self.integrity)

    @property
    def save_problem(self) -> str | None:
        return self.store.problem if self.store is not None else None

    def as_export_marks(self) -> list[Mark]:
        return [Mark(event=e.event, note=e.note, marked_at=e.marked_at) for e in self.entries()]

    def save(self, path: Path) -> Path:
        """Write the marks as JSONL (mode 0600, atomic, never over an existing file)."""
        from trailtui.export.marks import write_marks

        return write_marks(path, self.as_export_marks())
