"""One export job: events from a source query (or the marked findings) through
a format writer into a file or stream, with progress for the console.

Streaming end to end: pages go straight to the writer; only the Markdown
report keeps aggregates.  The report's hunts run over the whole source and
time range: over the exported events themselves when those are exactly that
(no filter), else in a second, bounded pass (`HUNT_SCAN_LIMIT` events).
Files are created 0600 and appear atomically (see `output.py`); a cancelled
or failed export leaves no file behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from trailtui.aws.config import AwsConfig
from trailtui.events import Event
from trailtui.export.csvrows import CsvWriter
from trailtui.export.integrity import IntegrityStatus
from trailtui.export.jsondoc import DocumentContext, JsonDocumentWriter
from trailtui.export.jsonl import JsonlWriter
from trailtui.export.marks import Mark
from trailtui.export.ocsf import OcsfWriter
from trailtui.export.output import atomic_text_file, check_target
from trailtui.sources.base import EventSource, Problem, Query
from trailtui.sources.registry import open_source

if TYPE_CHECKING:
    from trailtui.export.report import ReportWriter

FORMATS = ("jsonl", "csv", "markdown", "ocsf", "json")
HUNT_SCAN_LIMIT = 5_000_000  # events the report's separate hunt pass reads at most
EXTENSIONS = {"jsonl": "jsonl", "csv": "csv", "markdown": "md", "ocsf": "ocsf.jsonl", "json": "json"}


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
    hunt_limit: int = HUNT_SCAN_LIMIT


def separate_hunt_pass(request: ExportRequest) -> bool:
    """The report's hunts need their own pass when the exported events are
    not the whole source and range (the marks, or a filtered subset)."""
    return request.format == "markdown" and (request.marked_only or bool(request.query.filter.text))


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


def _scope(request: ExportRequest) -> str:
    return "marked findings" if request.marked_only else "query results"


def make_writer(request: ExportRequest, stream: IO[str]) -> EventWriter:
    if request.format == "jsonl":
        return JsonlWriter(stream)
    if request.format == "csv":
        return CsvWriter(stream)
    if request.format == "ocsf":
        return OcsfWriter(stream)
    if request.format == "json":
        return JsonDocumentWriter(stream, DocumentContext(
            source=request.source_url, scope=_scope(request), filter_text=request.query.filter.text,
            time_range=request.query.time_range.describe(), integrity=request.integrity, marks=list(request.marks)))
    if request.format == "markdown":
        # the report runs the hunt catalogue: loaded only for this format
        from trailtui.export.report import ReportContext, ReportWriter
        from trailtui.hunts import load_catalogue

        context = ReportContext(
            source=request.source_url,
            time_range=request.query.time_range,
            filter_text=request.query.filter.text,
            scope=_scope(request),
            integrity=request.integrity,
            marks=list(request.marks),
        )
        separate = separate_hunt_pass(request)
        if separate:
            context.hunt_scope = f"every event of the source in {request.query.time_range.describe()}"
        return ReportWriter(stream, context, load_catalogue().hunts, hunts_from_events=not separate)
    raise ValueError(f"unknown format {request.format!r}: use {', '.join(FORMATS)}")


async def _pump(request: ExportRequest, writer: EventWriter, on_progress: ProgressCallback | None,
                source: EventSource | None) -> ExportResult:
    written = scanned = problems = 0
    needs_source = not request.marked_only or separate_hunt_pass(request)
    owned = source is None and needs_source
    if owned:
        source = open_source(request.source_url, request.aws, index=request.index)
    try:
        if request.marked_only:
            events = sorted((m.as_event() for m in request.marks), key=lambda e: e.time, reverse=True)
            writer.write(events)
            written = scanned = len(events)
            if on_progress:
                on_progress(ExportProgress(written, scanned, 1.0))
        else:
            assert source is not None  # noqa: S101 - opened above whenever the events come from the source
            async for page in source.search(request.query):
                scanned += page.scanned
                problems += len(page.problems)
                if page.events:
                    writer.write(page.events)
                    written += len(page.events)
                if on_progress:
                    on_progress(ExportProgress(written, scanned, page.progress, list(page.problems)))
        if request.format == "markdown":  # the report (make_writer): it renders these in close()
            report: ReportWriter = writer  # type: ignore[assignment]
            if not request.marked_only:
                report.scanned = scanned
            if separate_hunt_pass(request):
                assert source is not None  # noqa: S101 - opened above for the hunt pass
                problems += await _hunt_pass(request, report, source, on_progress, written)
    finally:
        if owned and source is not None:
            await source.close()
    writer.close()
    return ExportResult(written, scanned, problems, request.output)


async def _hunt_pass(request: ExportRequest, writer: ReportWriter, source: EventSource,
                     on_progress: ProgressCallback | None, written: int) -> int:
    """The catalogue over every event of the source in the export's time range
    (no filter), at most `request.hunt_limit` events read; returns the problems."""
    from trailtui.hunts import run_hunts  # loaded only for the report

    problems = 0
    steps = run_hunts(source, writer.hunts, request.query.time_range, context=writer.hunt_context)
    async with aclosing(steps):
        async for step in steps:
            writer.add_hunt_hits(step.hits)
            writer.hunt_scanned = max(writer.hunt_scanned, step.scanned)
            problems += len(step.problems)
            if on_progress:
                on_progress(ExportProgress(written, step.scanned, step.progress, list(step.problems)))
            if step.scanned >= request.hunt_limit:
                writer.hunt_limit_hit = True
                break
    return problems


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
