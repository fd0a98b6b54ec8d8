"""`trailtui stats SOURCE --by EXPR`: counts per group, top N, for scripts.

A count the store holds whole for an unchanged local tree is answered without
an event loop (`trailtui.counts.store.count_unchanged`); asyncio and the
sources' registry are imported only when that path declines."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from trailtui.collection_pause import paused_collection
from trailtui.commands.errors import fail, warn
from trailtui.commands.explain_option import add_explain, run_explain
from trailtui.commands.store_option import add_no_index, use_index
from trailtui.counts import GroupByError, GroupSpec, count_source
from trailtui.counts.output import approximation_note, json_text, table_lines, write_csv
from trailtui.counts.result import CountResult
from trailtui.counts.run import PAGE_SIZE
from trailtui.counts.server import SqlCounting, server_statement
from trailtui.filters import EventFilter, FilterError
from trailtui.sources.base import Page, Query, SourceError
from trailtui.timerange import TimeParseError, TimeRange

if TYPE_CHECKING:
    from trailtui.aws.config import AwsConfig
    from trailtui.sources.explain import SqlSearch

DEFAULT_TOP = 20
MAX_TOP = 10_000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "stats", parents=[common], help="count matching events per group (top N)",
        description="Count the events of SOURCE that match a filter, grouped by one or more JMESPath expressions "
        "(or short names: principal, key, ip, event, source, account, region, error, agent, type, user, role).",
    )
    parser.add_argument("source", help="directory, file, s3://, athena://, lake:// or lookup:// URL")
    parser.add_argument("--by", "-b", action="append", required=True, metavar="EXPR",
                        help="JMESPath expression or short name to group by (repeat to group by the tuple)")
    parser.add_argument("--filter", "-f", default="", help="JMESPath expression over the raw event")
    parser.add_argument("--since", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--until", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--top", "-n", type=int, default=DEFAULT_TOP, help=f"groups to list (default {DEFAULT_TOP})")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    add_no_index(parser)
    add_explain(parser)
    parser.set_defaults(func=run)


class _Problems:
    def __init__(self) -> None:
        self.count = 0

    def on_page(self, page: Page) -> None:
        for problem in page.problems:
            self.count += 1
            warn(str(problem))


def _print(result: CountResult, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json_text(result) + "\n")
    elif fmt == "csv":
        write_csv(result, sys.stdout)
    else:
        sys.stdout.write("".join(line + "\n" for line in table_lines(result)))
    sys.stdout.flush()
    note = approximation_note(result)
    if note and fmt != "table":
        warn(note)


async def _run(url: str, spec: GroupSpec, query: Query, top: int, fmt: str, aws: AwsConfig, index: bool) -> int:
    from trailtui.sources import open_source

    source = open_source(url, aws, index=index)
    problems = _Problems()
    try:
        result = await count_source(source, spec, query, top, on_page=problems.on_page)
    finally:
        await source.close()
    _print(result, fmt)
    if problems.count:
        warn(f"{problems.count} problem(s) while reading; every readable event was still counted")
    return 0


def _explain(url: str, spec: GroupSpec, query: Query, top: int, aws: AwsConfig) -> int:
    """The GROUP BY statement when the server can count exactly, else the
    search whose rows would be counted here."""
    whole = Query(filter=query.filter, time_range=query.time_range, limit=None, page_size=PAGE_SIZE)

    def grouped(source: SqlSearch) -> str | None:
        return server_statement(source, spec, whole, top) if isinstance(source, SqlCounting) else None

    def statements(source: SqlSearch) -> list[str]:
        return [grouped(source) or source.search_statement(whole)]

    def notes(source: SqlSearch) -> list[str]:
        if grouped(source) is not None:
            return ["counted by the server (GROUP BY)"]
        return ["the server cannot count this exactly: its rows would be counted here"]

    return run_explain(url, aws, query, statements, notes)


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    try:
        spec = GroupSpec.compile(args.by)
        flt = EventFilter.compile(args.filter)
        window = TimeRange.parse(args.since, args.until)
    except GroupByError as exc:
        return fail(str(exc))
    except FilterError as exc:
        return fail(f"{exc}\n{exc.pointer()}")
    except TimeParseError as exc:
        return fail(str(exc))
    if not 0 <= args.top <= MAX_TOP:
        return fail(f"--top must be between 0 and {MAX_TOP:,}")
    try:
        query = Query(filter=flt, time_range=window)
        if args.explain:
            return _explain(args.source, spec, query, args.top, aws)
        with paused_collection():  # bounded: the groups a counter holds, no cycles
            index = use_index(args)
            if index and aws.accounts is None:
                from trailtui.counts.store import count_unchanged

                counted = count_unchanged(args.source, spec, query, args.top, getattr(args, "early_engine", None))
                if counted is not None:
                    _print(counted, args.format)
                    return 0
        import asyncio

        return asyncio.run(_run(args.source, spec, query, args.top, args.format, aws, index))
    except SourceError as exc:
        return fail(str(exc))
