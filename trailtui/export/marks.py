"""Marked findings on disk: JSON Lines of
`{"event": <raw event>, "note": "...", "marked_at": "2024-05-01T12:00:00Z"}`.

The console writes this file when the analyst saves marks; `trailtui export
--marked FILE` reads it.  A bad line is reported with its number and skipped:
one hand-edited note must not lose the other findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trailtui.events import Event, parse_event_time
from trailtui.export.output import atomic_text_file
from trailtui.record_json import JSON_ERRORS, dumps_record, loads_record


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Mark:
    """One finding: the raw event as recorded, the analyst's note, and when it
    was marked (UTC)."""

    event: dict[str, Any]
    note: str = ""
    marked_at: datetime = field(default_factory=_now)

    def to_json(self) -> bytes:
        stamp = self.marked_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return dumps_record({"event": self.event, "note": self.note, "marked_at": stamp})

    def as_event(self) -> Event:
        return Event.from_raw(self.event, "marks")


@dataclass(frozen=True, slots=True)
class MarkProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class MarksFile:
    marks: list[Mark]
    problems: list[MarkProblem]


def parse_mark(line: bytes) -> Mark:
    """One JSONL line -> Mark; ValueError says what is wrong."""
    try:
        data = loads_record(line)
    except JSON_ERRORS as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    event = data.get("event")
    if not isinstance(event, dict):
        raise ValueError("'event' must be the raw CloudTrail event object")
    note = data.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise ValueError("'note' must be a string")
    stamp = data.get("marked_at")
    when = parse_event_time(stamp) if stamp is not None else None
    if stamp is not None and when is None:
        raise ValueError(f"'marked_at' {str(stamp)[:40]!r} is not an ISO 8601 time")
    return Mark(event=event, note=note, marked_at=when or _now())


def read_marks(path: str | Path) -> MarksFile:
    """Read a marks file.  OSError (missing, unreadable) propagates for the
    caller to report; bad lines become problems."""
    marks: list[Mark] = []
    problems: list[MarkProblem] = []
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                marks.append(parse_mark(line))
            except ValueError as exc:
                problems.append(MarkProblem(number, str(exc)))
    return MarksFile(marks, problems)


def write_marks(path: str | Path, marks: Iterable[Mark], force: bool = False) -> Path:
    """Write marks as JSONL: mode 0600, atomic, never over an existing file
    unless `force` (raises FileExistsError, an OSError)."""
    target = Path(path)
    with atomic_text_file(target, force=force) as handle:
        for mark in marks:
            handle.write(mark.to_json().decode() + "\n")
    return target
