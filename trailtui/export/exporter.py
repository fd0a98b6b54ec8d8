"""One export job: events from a source query (or the marked findings) through
a format writer into a file or stream, with progress for the console.

Streaming end to end: pages go straight to the writer; only the Markdown
report keeps aggregates.  Files are created 0600 and appear atomically (see
`output.py`); a cancelled or failed export leaves no file behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from trailtui.aws.config import AwsConfig
from trailtui.events import Event
from trailtui.export.csvrows import CsvWriter
from trailtui.export.integrity import IntegrityStatus
from trailtui.export.jsonl import JsonlWriter
from trailtui.export.marks import Mark
from trailtui.export.ocsf import OcsfWriter
from trailtui.export.output import atomic_text_file, check_target
from trailtui.sources.base import EventSource, Problem, Query
from trailtui.sources.registry import open_source

FORMATS = ("jsonl", "csv", "markdown", "ocsf")
EXTENSIONS = {"jsonl": "jsonl", "csv": "csv", "markdown": "md", "ocsf": "ocsf.jsonl"}


class EventWriter(Protocol):
    def write(self, events: Sequence[Event]) -> None: ...

    def close(self) -> None: ...


@dataclass(slots=True)
class ExportRequest:
    """What to export.  `marked_only` exports `marks` instead of querying the
    source; with `markdown` the marks are also listed in the report."""

    source_url: str
    format: str
    query: Query = field(default_factory=Query)
    aws: AwsConfig = field(default_factory=AwsConfig)
    output: Path | None = None
    force: bool = False
    marks: Sequence[Mark] = ()
    marked_only: bool = False
    integrity: IntegrityStatus | None = None
    index: bool = False  # read through the local store (`trailtui.store`)


@dataclass(slots=True)
class ExportProgress:
    written: int = 0
    scanned: int = 0
    fraction: float | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class ExportResult:
    written: int
    scanned: int
    problems: int
    path: Path | None


ProgressCallback = Callable[[ExportProgress], None]


def make_writer(request: ExportRequest, stream: IO[str]) -> EventWriter:
    if request.format == "jsonl":
        return JsonlWriter(stream)
    if request.format == "csv":
        return CsvWriter(stream)
    if request.format == "ocsf":
        return OcsfWriter(stream)
    if request.format == "markdown":
        # the report runs the hunt catalogue: loaded only for this format
        from trailtui.export.report import ReportContext, ReportWriter
        from trailtui.hunts import load_catalogue

        context = ReportContext(
            source=request.source_url,
            time_range=request.query.time_range,
            filter_text=request.query.filter.text,
            scope="marked findings" if request.marked_only else "query results",
            integrity=request.integrity,
            marks=list(request.marks),
        )
        return ReportWriter(stream, context, load_catalogue().hunts)
    raise ValueError(f"unknown format {request.format!r}: use {', '.join(FORMATS)}")


async def _pump(request: ExportRequest, writer: EventWriter, on_progress: ProgressCallback | None,
                source: EventSource | None) -> ExportResult:
    written = scanned = problems = 0
    if request.marked_only:
        events = sorted((m.as_event() for m in request.marks), key=lambda e: e.time, reverse=True)
        writer.write(events)
        written = scanned = len(events)
        if on_progress:
            on_progress(ExportProgress(written, scanned, 1.0))
    else:
        owned = source is None
        if source is None:
            source = open_source(request.source_url, request.aws, index=request.index)
        try:
            async for page in source.search(request.query):
                scanned += page.scanned
                problems += len(page.problems)
                if page.events:
                    writer.write(page.events)
                    written += len(page.events)
                if on_progress:
                    on_progress(ExportProgress(written, scanned, page.progress, list(page.problems)))
        finally:
            if owned:
                await source.close()
        if request.format == "markdown":
            writer.scanned = scanned  # type: ignore[attr-defined]  # the report renders it in close()
    writer.close()
    return ExportResult(written, scanned, problems, request.output)


async def run_export(request: ExportRequest, stream: IO[str] | None = None,
                     on_progress: ProgressCallback | None = None, source: EventSource | None = None) -> ExportResult:
    """Run the export into `request.output` (atomically, 0600) or, when it is
    None, into `stream`.  Raises OutputExists before any work when the file is
    there and `force` is off, SourceError for fatal source errors.  `source`
    (the console's, already open) is searched instead of opening
    `request.source_url`, and stays open."""
    if request.format not in FORMATS:
        raise ValueError(f"unknown format {request.format!r}: use {', '.join(FORMATS)}")
    if request.output is None:
        if stream is None:
            raise ValueError("no output: give a path or a stream")
        return await _pump(request, make_writer(request, stream), on_progress, source)
    check_target(request.output, request.force)
    with atomic_text_file(request.output, force=request.force) as handle:
        return await _pump(request, make_writer(request, handle), on_progress, source)
