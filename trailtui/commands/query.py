"""`trailtui query SOURCE`: filtered events, newest first, for scripts.

Follow mode (`trailtui.follow`, which brings the hunts the console's follow
runs) is imported only with `--follow`: a plain query starts without it.  An
answer the store holds whole for an unchanged tree is printed without an event
loop (`trailtui.store.direct`); asyncio and the sources' registry are imported
only when that path declines."""

from __future__ import annotations

import argparse
import sys
from typing import IO, TYPE_CHECKING

from trailtui.collection_pause import paused_collection
from trailtui.commands.errors import fail, warn
from trailtui.commands.explain_option import add_explain, run_explain
from trailtui.commands.stdout import for_terminal
from trailtui.commands.store_option import add_no_index, use_index
from trailtui.event_columns import LIST_COLUMNS
from trailtui.events import Event
from trailtui.export.csvrows import CsvWriter
from trailtui.filters import EventFilter, FilterError
from trailtui.record_json import dumps_record
from trailtui.safe import visible
from trailtui.sources.base import EventSource, Query, SourceError
from trailtui.timerange import TimeParseError, TimeRange

if TYPE_CHECKING:
    from trailtui.aws.config import AwsConfig
    from trailtui.follow import Follower
    from trailtui.store.engine import OpeningConnection


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "query", parents=[common], help="print matching events, newest first",
        description="Print events from SOURCE that match a JMESPath filter, newest first.",
    )
    parser.add_argument("source", help="directory, file, s3://, athena://, lake:// or lookup:// URL")
    parser.add_argument("--filter", "-f", default="", help="JMESPath expression over the raw event")
    parser.add_argument("--since", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--until", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--limit", "-n", type=int, help="stop after N events")
    parser.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    parser.add_argument("--follow", "-F", action="store_true",
                        help="after the results, keep watching the source and print new events as they arrive")
    parser.add_argument("--interval", type=float, default=30.0, metavar="S",
                        help="seconds between polls in --follow mode (default 30, at least 1)")
    add_no_index(parser)
    add_explain(parser)
    parser.set_defaults(func=run)


# Characters per column of the table (0: the rest of the line).
TABLE_WIDTHS = {"time": 21, "principal": 34, "event": 40, "source_ip": 18, "region": 14, "error_code": 0}


def _cell(text: str, width: int) -> str:
    text = visible(text)
    if width == 0:
        return text
    if len(text) > width - 1:
        text = text[: width - 2] + "…"
    return text.ljust(width)


def table_header() -> str:
    return "".join(c.title.ljust(TABLE_WIDTHS[c.key]) for c in LIST_COLUMNS).rstrip()


def table_line(event: Event) -> str:
    return "".join(_cell(c.value(event), TABLE_WIDTHS[c.key]) for c in LIST_COLUMNS).rstrip()


class _Printer:
    def __init__(self, fmt: str, out: IO[str]) -> None:
        self.fmt = fmt
        self.out = out
        self.csv: CsvWriter | None = None
        self.started = False

    def start(self) -> None:
        """Headers go out with the first page (or at the end), never before a
        fatal error, so a failed query prints nothing on stdout."""
        if self.started:
            return
        self.started = True
        if self.fmt == "csv":
            self.csv = CsvWriter(self.out)
        elif self.fmt == "table":
            self.out.write(table_header() + "\n")

    def write(self, events: list[Event]) -> None:
        self.start()
        if self.csv is not None:
            self.csv.write(events)
        elif self.fmt == "jsonl":
            self.out.write("".join(dumps_record(e.raw).decode() + "\n" for e in events))
        else:
            self.out.write("".join(table_line(e) + "\n" for e in events))

    def write_each(self, events: list[Event]) -> None:
        """Follow mode: one event at a time, flushed, so a pipe sees it at once."""
        for event in events:
            self.write([event])
            self.out.flush()


def _follower(source_url: str, source: EventSource, flt: EventFilter, aws: AwsConfig) -> Follower:
    """The follower for `--follow`; follow mode is imported here, not at start-up."""
    from trailtui.follow import open_follower

    return open_follower(source_url, source, flt, aws)


def _printer(fmt: str) -> _Printer:
    return _Printer(fmt, sys.stdout if fmt == "table" else for_terminal(sys.stdout, json=fmt == "jsonl"))


def _from_store_directly(args: argparse.Namespace, query: Query) -> tuple[int | None, bool]:
    """The exit code when the store answered without an event loop (else
    None), and whether the general path should read through the store."""
    from trailtui.sources.registry import scheme_of
    from trailtui.store.worth import store_pays

    # the local store would step aside for this search: nothing of it is loaded (an S3 store answers
    # everything: no download)
    if scheme_of(args.source) == "file" and not store_pays(query):
        return None, False
    return _from_unchanged_store(args.source, query, args.format, getattr(args, "early_engine", None)), True


def _from_unchanged_store(source_url: str, query: Query, fmt: str, engine: OpeningConnection | None) -> int | None:
    """Print the answer when the store holds it whole for an unchanged local
    tree (no event loop); None when that path declines, before printing."""
    from trailtui.store.direct import search_unchanged

    pages = search_unchanged(source_url, query, engine)
    if pages is None:
        return None
    printer = _printer(fmt)
    for events in pages:
        if events:
            printer.write(events)
    printer.start()
    sys.stdout.flush()
    return 0


async def _run(source_url: str, query: Query, fmt: str, aws: AwsConfig, follow_every: float | None = None,
               index: bool = False) -> int:
    from trailtui.sources import open_source

    source = open_source(source_url, aws, index=index)
    printer = _printer(fmt)
    problems = 0
    last_status = ""
    follower = _follower(source_url, source, query.filter, aws) if follow_every is not None else None
    try:
        if follower is not None:
            await follower.prime()
        async for page in source.search(query):
            last_status = page.status or last_status
            for notice in page.notices:
                warn(notice)
            for problem in page.problems:
                problems += 1
                warn(str(problem))
            if page.events:
                printer.write(page.events)
                if follower is not None:
                    follower.shown(page.events)
        if follower is not None and follow_every is not None:
            printer.start()
            sys.stdout.flush()
            await follow(follower, printer, follow_every)
    finally:
        await source.close()
    printer.start()
    sys.stdout.flush()
    if "~$" in last_status:  # Athena and Lake: data scanned and its approximate cost
        print(f"trailtui: {visible(last_status)} (approximate)", file=sys.stderr)
    if problems:
        warn(f"{problems} problem(s) while reading, listed above; everything else was searched")
    return 0


async def follow(follower: Follower, printer: _Printer, interval: float) -> None:
    """Poll until interrupted; a failed poll is one warning and a longer wait
    (doubling up to 5 minutes), never the end of the follow.  A query source
    that bills by the byte (Athena) has each poll's data scanned and its
    approximate cost said on stderr."""
    from trailtui.follow.cost import ScanCost
    from trailtui.follow.watch import follow_steps

    async for step in follow_steps(follower, interval):
        if step.error:
            warn(f"poll failed, retrying in {step.retry_in:.0f} s: {step.error}")
            continue
        for problem in step.problems:
            warn(str(problem))
        printer.write_each(step.events)
        if step.scanned_bytes is not None:
            print(f"trailtui: poll at {step.polled_at:%H:%M:%S}Z: {len(step.events)} new, "
                  f"{ScanCost(step.scanned_bytes).describe()} (approximate: $5 per TB, 10 MB minimum)",
                  file=sys.stderr, flush=True)


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    try:
        flt = EventFilter.compile(args.filter)
        window = TimeRange.parse(args.since, args.until)
    except FilterError as exc:
        return fail(f"{exc}\n{exc.pointer()}")
    except TimeParseError as exc:
        return fail(str(exc))
    if args.limit is not None and args.limit < 0:
        return fail("--limit must be zero or more")
    follow_every: float | None = None
    if args.follow:
        if args.until:
            return fail("--follow watches for new events: it cannot be combined with --until")
        if not 1.0 <= args.interval <= 86_400:
            return fail("--interval must be between 1 and 86400 seconds")
        follow_every = args.interval
    query = Query(filter=flt, time_range=window, limit=args.limit)
    try:
        if args.explain:
            return run_explain(args.source, aws, query, lambda source: [source.search_statement(query)])
        with paused_collection():  # bounded: at most the store's candidate rows, plain dicts
            index = use_index(args)
            if index and follow_every is None and aws.accounts is None:
                answered, index = _from_store_directly(args, query)
                if answered is not None:
                    return answered
        import asyncio

        return asyncio.run(_run(args.source, query, args.format, aws, follow_every, index))
    except SourceError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:  # ctrl+c ends follow mode: what was printed stands
        return 0
