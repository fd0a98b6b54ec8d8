"""`trailtui hunt SOURCE`: run the built-in hunt library over a source.

Exit 1 when any hunt fired, 0 when none did, 2 on usage or fatal errors, so a
cron job or CI step can alert on the status alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import IO

import orjson

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail, warn
from trailtui.hunts import CatalogueError, Hit, Hunt, HuntTallies, load_catalogue, run_hunts
from trailtui.safe import visible
from trailtui.sources import SourceError, open_source
from trailtui.timerange import TimeParseError, TimeRange

FOUND = 1


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "hunt", parents=[common], help="run the built-in hunts over a source",
        description="Run the built-in hunt library over SOURCE in one pass, newest first. "
        "Exit 1 if any hunt fired, 0 if none did.",
    )
    parser.add_argument("source", nargs="?", help="directory, file, s3://, athena://, lake:// or lookup:// URL")
    parser.add_argument("--hunt", action="append", dest="hunts", metavar="ID", help="run only this hunt (repeatable)")
    parser.add_argument("--since", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--until", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--format", choices=("table", "jsonl"), default="table")
    parser.add_argument("--list", action="store_true", help="list the hunts and exit")
    parser.add_argument("--catalogue", metavar="FILE",
                        help="a hunts.toml of your own (same format as the built-in one) instead of the built-in")
    parser.set_defaults(func=run)


def hit_line(hit: Hit) -> bytes:
    """One jsonl record: the hunt's identity and the raw event, untouched."""
    hunt = hit.hunt
    return orjson.dumps({
        "hunt": hunt.id, "title": hunt.title, "severity": hunt.severity,
        "technique": hunt.technique, "event": hit.event.raw,
    }) + b"\n"


def _fit(text: str, width: int) -> str:
    text = visible(text)
    if width and len(text) > width - 1:
        text = text[: max(1, width - 2)] + "…"
    return text.ljust(width) if width else text


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


LIST_COLUMNS = (("ID", 34), ("SEVERITY", 10), ("TECHNIQUE", 11), ("KIND", 10), ("TITLE", 0))
TABLE_COLUMNS = (("HUNT", 34), ("SEVERITY", 10), ("HITS", 7), ("FIRST", 20), ("LAST", 20), ("TOP PRINCIPALS", 0))


def _row(values: Sequence[str], columns: Sequence[tuple[str, int]]) -> str:
    return "".join(_fit(v, w) for v, (_, w) in zip(values, columns)).rstrip()


def write_list(hunts: Sequence[Hunt], out: IO[str]) -> None:
    out.write(_row([name for name, _ in LIST_COLUMNS], LIST_COLUMNS) + "\n")
    for hunt in hunts:
        out.write(_row([hunt.id, hunt.severity, hunt.technique, hunt.kind, hunt.title], LIST_COLUMNS) + "\n")


def write_table(tallies: HuntTallies, hunts_run: int, scanned: int, out: IO[str]) -> None:
    fired = tallies.fired()
    if fired:
        out.write(_row([name for name, _ in TABLE_COLUMNS], TABLE_COLUMNS) + "\n")
    for tally in fired:
        who = ", ".join(f"{name} ({count})" for name, count in tally.top_principals(3))
        values = [tally.hunt.id, tally.hunt.severity, str(tally.count), _when(tally.first), _when(tally.last), who]
        out.write(_row(values, TABLE_COLUMNS) + "\n")
    out.write(f"{len(fired)} of {hunts_run} hunts fired, {tallies.total} hits, {scanned} events scanned\n")


async def _run(source_url: str, hunts: Sequence[Hunt], window: TimeRange, fmt: str, aws: AwsConfig) -> int:
    source = open_source(source_url, aws)
    tallies = HuntTallies(hunts)
    scanned = 0
    problems = 0
    out = sys.stdout
    try:
        async for step in run_hunts(source, hunts, window):
            scanned = step.scanned
            for problem in step.problems:
                problems += 1
                warn(str(problem))
            tallies.add(step.hits)
            if fmt == "jsonl" and step.hits:
                _emit(out, b"".join(hit_line(h) for h in step.hits))
    finally:
        await source.close()
    if fmt == "table":
        write_table(tallies, len(hunts), scanned, out)
    out.flush()
    if problems:
        warn(f"{problems} problem(s) while reading; every readable event was still hunted")
    return FOUND if tallies.total else 0


def _emit(out: IO[str], data: bytes) -> None:
    """Bytes straight to stdout when it has a buffer (no decode/encode round trip)."""
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
    else:
        out.write(data.decode())


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    try:
        catalogue = load_catalogue(args.catalogue)
        hunts = catalogue.select(args.hunts)
    except CatalogueError as exc:
        return fail(str(exc))
    if args.list:
        write_list(hunts, sys.stdout)
        return 0
    if not args.source:
        return fail("hunt needs a SOURCE (or --list)")
    try:
        window = TimeRange.parse(args.since, args.until)
    except TimeParseError as exc:
        return fail(str(exc))
    import asyncio  # ~40 ms that `hunt --list` does not need

    try:
        return asyncio.run(_run(args.source, hunts, window, args.format, aws))
    except SourceError as exc:
        return fail(str(exc))
