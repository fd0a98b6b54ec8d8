"""`json`: one JSON document holding the events with their provenance, for a
ticket or an evidence locker that wants a single file: where they came from
(source, filter, time range, scope), the integrity verdict of that source
(the console's `v` in the same session, the case's, or `--verify-result`),
the marked findings' notes, then the events as recorded.

JSON Lines stays the raw events alone (one per line, for `jq` and SIEMs);
this format is its documented envelope:

    {"trailtui_export": 1, "generated": "2024-05-01T12:00:00Z", "version": "…",
     "source": "…", "scope": "query results" | "marked findings", "filter": "…",
     "time_range": "…", "integrity": {…} | null,
     "marks": [{"event_id", "event_time", "note", "marked_at"}],
     "events": [<raw event>, …], "count": N}

Streamed: the header is written first, each event as it arrives, the count
last, so memory does not grow with the number of events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from trailtui import __version__
from trailtui.events import Event
from trailtui.export.integrity import IntegrityStatus
from trailtui.export.marks import Mark
from trailtui.record_json import dumps_record

DOCUMENT_VERSION = 1


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def integrity_json(status: IntegrityStatus | None) -> dict[str, Any] | None:
    """The verdict as JSON: what the report's Integrity section says."""
    if status is None:
        return None
    return {
        "verdict": status.verdict,
        "ok": status.ok,
        "statuses": status.statuses,
        "digests": status.digests,
        "logs": status.logs,
        "window": status.window,
        "problems": [{"status": s, "location": loc, "detail": d} for s, loc, d in status.problems],
        "problem_count": status.problem_count,
        "origin": status.origin,
    }


@dataclass(slots=True)
class DocumentContext:
    source: str
    scope: str = "query results"
    filter_text: str = ""
    time_range: str = "all time"
    integrity: IntegrityStatus | None = None
    marks: Sequence[Mark] = ()
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))


class JsonDocumentWriter:
    def __init__(self, stream: IO[str], context: DocumentContext) -> None:
        self._stream = stream
        self._context = context
        self._count = 0
        self._started = False

    def _header(self) -> str:
        ctx = self._context
        head = {
            "trailtui_export": DOCUMENT_VERSION,
            "generated": _stamp(ctx.generated),
            "version": __version__,
            "source": ctx.source,
            "scope": ctx.scope,
            "filter": ctx.filter_text,
            "time_range": ctx.time_range,
            "integrity": integrity_json(ctx.integrity),
            "marks": [{"event_id": str(m.event.get("eventID", "")), "event_time": str(m.event.get("eventTime", "")),
                       "note": m.note, "marked_at": _stamp(m.marked_at)} for m in ctx.marks],
        }
        text = dumps_record(head, indent=True).decode()
        return text[:-2] + ',\n  "events": ['  # reopen the object: the events follow

    def write(self, events: Iterable[Event]) -> None:
        if not self._started:
            self._stream.write(self._header())
            self._started = True
        parts = []
        for event in events:
            parts.append(("," if self._count else "") + "\n    " + dumps_record(event.raw).decode())
            self._count += 1
        self._stream.write("".join(parts))

    def close(self) -> None:
        self.write(())
        self._stream.write(("\n  " if self._count else "") + f'],\n  "count": {self._count}\n}}\n')
        self._stream.flush()
