"""`trailtui export SOURCE --format jsonl|csv|markdown|ocsf|json`: results (or the
marked findings) to a file for the incident ticket.

Files are written 0600 and atomically, never over an existing file without
--force; without -o the export goes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail, warn
from trailtui.commands.explain_option import add_explain, run_explain
from trailtui.commands.stdout import OutputFailed, for_terminal
from trailtui.commands.store_option import add_no_index, use_index
from trailtui.export.exporter import FORMATS, ExportProgress, ExportRequest, run_export
from trailtui.export.integrity import IntegrityFileError, IntegrityStatus, integrity_from_json, read_integrity
from trailtui.export.marks import Mark, read_marks
from trailtui.export.output import OutputExists
from trailtui.filters import EventFilter, FilterError
from trailtui.safe import visible
from trailtui.sources import Query, SourceError
from trailtui.timerange import TimeParseError, TimeRange


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "export", parents=[common], help="write events or marked findings as jsonl, csv, markdown, ocsf or json",
        description="Export the events of SOURCE that match --filter/--since/--until (or, with --marked and a "
        "format other than markdown, the marked findings) as JSON Lines, CSV, a Markdown incident report, "
        "OCSF API Activity, or one JSON document with the source, filter, range, integrity verdict and notes. "
        "Files are created with mode 0600, atomically, and never replace an existing file "
        "without --force.",
    )
    parser.add_argument("source", help="directory, file, s3://, athena://, lake:// or lookup:// URL")
    parser.add_argument("--filter", "-f", default="", help="JMESPath expression over the raw event")
    parser.add_argument("--since", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--until", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--marked", metavar="FILE",
                        help="marks file (JSONL of {event, note, marked_at}): listed in a markdown report; "
                        "the events exported for the other formats")
    parser.add_argument("--case", action="store_true",
                        help="use the console's case for SOURCE (marks, notes and its verify result, saved under "
                        "$XDG_DATA_HOME/trailtui/cases/): no separate marks file needed")
    parser.add_argument("--format", required=True, choices=(*FORMATS, "md"), help="md is short for markdown")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.add_argument("--verify-result", metavar="FILE",
                        help="output of `trailtui verify --format json`: the integrity verdict of the markdown "
                        "report and the json document")
    add_no_index(parser)
    add_explain(parser)
    parser.set_defaults(func=run)


def _request(args: argparse.Namespace, aws: AwsConfig) -> ExportRequest | int:
    args.format = "markdown" if args.format == "md" else args.format
    try:
        query = Query(filter=EventFilter.compile(args.filter), time_range=TimeRange.parse(args.since, args.until))
    except FilterError as exc:
        return fail(f"{exc}\n{exc.pointer()}")
    except TimeParseError as exc:
        return fail(str(exc))
    marks: list[Mark] = []
    if args.marked:
        try:
            loaded = read_marks(args.marked)
        except OSError as exc:
            return fail(f"{args.marked}: cannot read marks ({exc.strerror or exc})")
        for problem in loaded.problems:
            warn(f"{args.marked}: {problem} (skipped)")
        marks = loaded.marks
    integrity = None
    if args.case:
        case = _case_parts(args.source)
        if isinstance(case, int):
            return case
        marks = marks + case[0]
        integrity = case[1]
    if args.verify_result:
        try:
            integrity = read_integrity(args.verify_result)
        except OSError as exc:
            return fail(f"{args.verify_result}: cannot read ({exc.strerror or exc})")
        except IntegrityFileError as exc:
            return fail(str(exc))
    return ExportRequest(
        source_url=args.source, format=args.format, query=query, aws=aws,
        output=Path(args.output) if args.output else None, force=args.force,
        marks=marks, marked_only=bool(args.marked or args.case) and args.format != "markdown", integrity=integrity,
        index=use_index(args),
    )


def _case_parts(source: str) -> tuple[list[Mark], IntegrityStatus | None] | int:
    """The marks and verify result the console saved for `source` (the case
    store is imported here: only `--case` reads it)."""
    from trailtui.case.store import case_path, load_case

    case = load_case(source)
    for problem in case.problems:
        warn(problem)
    if not case.marks and case.integrity is None:
        return fail(f"no case for {source} (marks made in the console are saved there; looked in "
                    f"{case_path(source)})")
    integrity = None
    if case.integrity is not None:
        try:
            integrity = integrity_from_json(case.integrity, "console verification")
        except IntegrityFileError as exc:
            warn(f"{case_path(source)}: {exc}")
    return case.marks, integrity


def _warn_problems(progress: ExportProgress) -> None:
    for problem in progress.problems:
        warn(str(problem))


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    request = _request(args, aws)
    if isinstance(request, int):
        return request
    if args.explain:
        query = request.query
        try:
            return run_explain(args.source, aws, query, lambda source: [source.search_statement(query)])
        except SourceError as exc:
            return fail(str(exc))
    try:
        stream = for_terminal(sys.stdout, json=request.format in ("jsonl", "ocsf", "json"))
        result = asyncio.run(run_export(request, stream=stream, on_progress=_warn_problems))
    except OutputExists as exc:
        return fail(str(exc))
    except SourceError as exc:
        return fail(str(exc))
    except OutputFailed:
        raise
    except OSError as exc:
        return fail(f"{args.output or 'stdout'}: cannot write ({exc.strerror or exc})")
    if result.problems:
        warn(f"{result.problems} problem(s) while reading, listed above; everything else was exported")
    if result.path is not None:
        print(visible(f"wrote {result.written} events to {result.path}"), file=sys.stderr)
    return 0
