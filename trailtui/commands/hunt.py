"""`trailtui hunt SOURCE`: run the built-in hunt library over a source.

Exit 1 when any hunt fired, 0 when none did, 2 on usage or fatal errors, so a
cron job or CI step can alert on the status alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING

import orjson

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail, warn
from trailtui.commands.explain_option import add_explain, run_explain
from trailtui.commands.stdout import for_terminal
from trailtui.commands.store_option import add_no_index, use_index
from trailtui.events import event_text
from trailtui.hunts import (
    CatalogueError,
    Hit,
    Hunt,
    HuntContext,
    HuntTallies,
    KnownAccounts,
    KnownAccountsError,
    load_catalogue,
    load_known_accounts,
    run_hunts,
)
from trailtui.hunts.runner import candidate_filter
from trailtui.record_json import dumps_record
from trailtui.safe import visible
from trailtui.sources import Query, SourceError, open_source
from trailtui.sources.cost import ScanCost, scan_cost
from trailtui.timerange import TimeParseError, TimeRange

if TYPE_CHECKING:
    from trailtui.sigma import Refusal

FOUND = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "hunt", parents=[common], help="run the built-in hunts over a source",
        description="Run the built-in hunt library over SOURCE in one pass, newest first. "
        "Exit 1 if any hunt fired, 0 if none did.",
    )
    parser.add_argument("source", nargs="?", help="directory, file, s3://, athena://, lake:// or lookup:// URL")
    parser.add_argument("--hunt", action="append", dest="hunts", metavar="ID", help="run only this hunt (repeatable)")
    parser.add_argument("--since", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--until", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--format", choices=("table", "jsonl", "json"), default="table",
                        help="table (default), jsonl (one hit a line), or json (one document: hits and a summary "
                             "with where each hunt ran)")
    parser.add_argument("--list", action="store_true", help="list the hunts and exit")
    parser.add_argument("--catalogue", metavar="FILE",
                        help="a hunts.toml of your own (same format as the built-in one) instead of the built-in")
    parser.add_argument("--sigma", action="append", metavar="PATH",
                        help="Sigma rule file or folder (repeatable): its AWS CloudTrail rules run as hunts too")
    parser.add_argument("--only-sigma", action="store_true", help="run only the --sigma rules, not the built-in hunts")
    parser.add_argument("--known-accounts", metavar="FILE",
                        help="the organisation's account ids (12 digits each, one per line or separated by spaces or "
                             "commas, # comments): outside-access hunts flag any other account")
    parser.add_argument("--baseline-since", metavar="TIME",
                        help="first-seen hunts learn from [--baseline-since, --baseline-until) instead of everything "
                             "before each hunt's recent period (ISO 8601, -7d, ...)")
    parser.add_argument("--baseline-until", metavar="TIME",
                        help="end of the first-seen baseline; events after it are compared with it")
    add_no_index(parser)
    add_explain(parser)
    parser.set_defaults(func=run)


def hit_line(hit: Hit) -> bytes:
    """One jsonl record: the hunt's identity and the raw event, untouched."""
    hunt = hit.hunt
    record: dict[str, object] = {
        "hunt": hunt.id, "title": hunt.title, "severity": hunt.severity, "technique": hunt.technique,
        "attempt": hit.attempt,
    }
    if hunt.origin is not None:
        record["rule"] = hunt.origin.as_json()
    if hit.detail:
        record["detail"] = hit.detail
    text = event_text(hit.event)
    if text is not None:  # given back from kept findings as orjson wrote it: the same bytes, not decoded
        try:
            return orjson.dumps(record)[:-1] + b',"event":' + text + b"}\n"
        except TypeError:  # a title orjson refuses (a lone surrogate): the whole line as a live run writes it
            pass
    record["event"] = hit.event.raw
    return dumps_record(record) + b"\n"  # an integer beyond 64 bits (orjson's limit) is written exactly too


def _fit(text: str, width: int) -> str:
    text = visible(text)
    if width and len(text) > width - 1:
        text = text[: max(1, width - 2)] + "…"
    return text.ljust(width) if width else text


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


LIST_COLUMNS = (("ID", 34), ("SEVERITY", 10), ("TECHNIQUE", 11), ("KIND", 10), ("TITLE", 0))
TABLE_COLUMNS = (("HUNT", 34), ("SEVERITY", 10), ("HITS", 7), ("OUTCOME", 14), ("FIRST", 20), ("LAST", 20),
                 ("TOP PRINCIPALS", 0))


def _row(values: Sequence[str], columns: Sequence[tuple[str, int]]) -> str:
    return "".join(_fit(v, w) for v, (_, w) in zip(values, columns, strict=True)).rstrip()


def _id_width(columns: Sequence[tuple[str, int]], hunts: Sequence[Hunt]) -> tuple[tuple[str, int], ...]:
    """The first (id) column as wide as the longest id, within 34..60: Sigma
    rule names are longer than the built-in ids."""
    widest = max((len(h.id) + 2 for h in hunts), default=0)
    first = (columns[0][0], min(60, max(columns[0][1], widest)))
    return (first, *columns[1:])


def write_list(hunts: Sequence[Hunt], out: IO[str]) -> None:
    columns = _id_width(LIST_COLUMNS, hunts)
    out.write(_row([name for name, _ in columns], columns) + "\n")
    for hunt in hunts:
        out.write(_row([hunt.id, hunt.severity, hunt.technique, hunt.kind, hunt.title], columns) + "\n")


def write_table(tallies: HuntTallies, hunts_run: int, scanned: int, out: IO[str],
                known: KnownAccounts | None = None) -> None:
    fired = tallies.fired()
    columns = _id_width(TABLE_COLUMNS, [t.hunt for t in fired])
    if fired:
        out.write(_row([name for name, _ in columns], columns) + "\n")
    for tally in fired:
        who = ", ".join(f"{name} ({count})" for name, count in tally.top_principals(3))
        values = [tally.hunt.id, tally.hunt.severity, str(tally.count), tally.outcome or "-", _when(tally.first),
                  _when(tally.last), who]
        out.write(_row(values, columns) + "\n")
    out.write(f"{len(fired)} of {hunts_run} hunts fired, {tallies.total} hits, {scanned} events scanned\n")
    if known is not None and any(t.hunt.outside is not None for t in fired):
        out.write(f"outside access judged against known accounts from: {visible(known.provenance())}\n")


def _context(args: argparse.Namespace) -> HuntContext:
    """Known accounts and first-seen baseline from the options; raises
    KnownAccountsError or TimeParseError with a one-line message."""
    known = KnownAccounts()
    if args.known_accounts:
        known = KnownAccounts(listed=load_known_accounts(args.known_accounts), listed_from=args.known_accounts)
    baseline = None
    if args.baseline_since or args.baseline_until:
        if not args.baseline_until:
            raise TimeParseError("--baseline-since needs --baseline-until (where the baseline ends)")
        try:
            baseline = TimeRange.parse(args.baseline_since, args.baseline_until)
        except TimeParseError as exc:
            raise TimeParseError(f"baseline: {exc}") from None
    return HuntContext(known_accounts=known, baseline=baseline)


def write_ran(ran: dict[str, list[str]], out: IO[str]) -> None:
    """Which hunts the server ran (compiled to SQL) and which the client did."""
    server, client = ran.get("server", []), ran.get("client", [])
    out.write(f"ran on the server (SQL): {len(server)} hunts; on the client: {len(client)}"
              + (f" ({visible(', '.join(client))})" if client else "") + "\n")


async def _run(source_url: str, hunts: Sequence[Hunt], window: TimeRange, fmt: str, aws: AwsConfig,
               context: HuntContext, index: bool = False) -> int:
    source = open_source(source_url, aws, index=index)
    tallies = HuntTallies(hunts)
    scanned = 0
    problems = 0
    ran: dict[str, list[str]] | None = None
    cost: ScanCost | None = None
    out = for_terminal(sys.stdout, json=True) if fmt in ("jsonl", "json") else sys.stdout
    first = True
    if fmt == "json":
        _emit(out, b'{"hits": [')
    try:
        async for step in run_hunts(source, hunts, window, context=context):
            scanned = step.scanned
            for notice in step.notices:
                warn(notice)
            for problem in step.problems:
                problems += 1
                warn(str(problem))
            tallies.add(step.hits)
            if step.ran is not None:
                ran, cost = step.ran, scan_cost(step.engine, step.scanned_bytes)
            if fmt == "jsonl" and step.hits:
                _emit(out, b"".join(hit_line(h) for h in step.hits))
            if fmt == "json" and step.hits:
                lines = [hit_line(h).rstrip(b"\n") for h in step.hits]
                _emit(out, (b"" if first else b",") + b",".join(lines))
                first = False
    finally:
        await source.close()
    if fmt == "table":
        write_table(tallies, len(hunts), scanned, out, context.known_accounts)
        if ran is not None:
            write_ran(ran, out)
    if fmt == "json":
        summary: dict[str, object] = {"hunts": len(hunts), "fired": len(tallies.fired()), "hits": tallies.total,
                                      "scanned": scanned}
        if ran is not None:
            summary["ran"] = ran
        if cost is not None:
            summary["data_scanned_bytes"] = cost.scanned_bytes
            summary["approximate_cost_usd"] = round(cost.usd, 6)
        _emit(out, b'], "summary": ' + orjson.dumps(summary) + b"}\n")
    out.flush()
    if cost is not None:
        print(f"trailtui: {cost.describe()}", file=sys.stderr)
    if problems:
        warn(f"{problems} problem(s) while reading, listed above; everything else was hunted")
    return FOUND if tallies.total else 0


def _emit(out: IO[str], data: bytes) -> None:
    """Bytes straight to stdout when it has a buffer (no decode/encode round trip)."""
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
    else:
        out.write(data.decode())


def write_refused(refused: Sequence[Refusal], out: IO[str]) -> None:
    """Rules that do not run, one line each, after the list."""
    if refused:
        out.write(f"\n{len(refused)} Sigma rule(s) or file(s) not loaded:\n")
    for refusal in refused:
        out.write(f"  {visible(str(refusal))}\n")


def select_hunts(args: argparse.Namespace) -> tuple[tuple[Hunt, ...], tuple[Refusal, ...]]:
    """The built-in (or --catalogue) hunts plus any --sigma rules, narrowed by
    --hunt.  Raises CatalogueError for a usage problem."""
    if not args.sigma and not args.only_sigma:
        return load_catalogue(args.catalogue).select(args.hunts), ()
    from trailtui.sigma.combined import hunts_with_sigma  # pySigma costs start-up that plain hunts do not need

    catalogue, refused = hunts_with_sigma(args.catalogue, args.sigma or (), args.only_sigma)
    return catalogue.select(args.hunts), refused


def _explain(url: str, hunts: Sequence[Hunt], window: TimeRange, aws: AwsConfig) -> int:
    """The statements the hunts compile to on a SQL source, with where each runs."""
    from trailtui.hunts.sql.run import SqlHunting, explained_statements, plan_statements

    query = Query(filter=candidate_filter(hunts), time_range=window)

    def statements(source: object) -> list[str]:
        if isinstance(source, SqlHunting):
            return explained_statements(source, hunts, window)
        return [getattr(source, "search_statement")(query)]  # noqa: B009 - every SQL source has it

    def notes(source: object) -> list[str]:
        if not isinstance(source, SqlHunting):
            return []
        ran = plan_statements(source, hunts, window).ran
        out = [f"on the server: {', '.join(ran['server']) or 'none'}"]
        return out + [f"on the client (over the candidates the SQL returns): {', '.join(ran['client']) or 'none'}"]

    return run_explain(url, aws, query, statements, notes)


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    try:
        hunts, refused = select_hunts(args)
    except CatalogueError as exc:
        return fail(str(exc))
    if args.list:
        write_list(hunts, sys.stdout)
        write_refused(refused, sys.stdout)
        return 0
    for refusal in refused:
        warn(f"sigma rule not loaded: {refusal}")
    if not hunts:
        return fail("no hunts to run (every --sigma rule was refused)")
    if not args.source:
        return fail("hunt needs a SOURCE (or --list)")
    try:
        window = TimeRange.parse(args.since, args.until)
        context = _context(args)
    except (TimeParseError, KnownAccountsError) as exc:
        return fail(str(exc))
    import asyncio  # ~40 ms that `hunt --list` does not need

    try:
        if args.explain:
            return _explain(args.source, hunts, window, aws)
        return asyncio.run(_run(args.source, hunts, window, args.format, aws, context, use_index(args)))
    except SourceError as exc:
        return fail(str(exc))
