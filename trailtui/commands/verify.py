"""`trailtui verify SOURCE`: prove that no CloudTrail log file was changed,
removed or slipped in (digest chain, signatures, hashes, coverage).

Text output keeps the lines of `aws cloudtrail validate-logs` (valid lines on
stdout with --verbose; INVALID lines and gap notices on stderr; the summary
counts on stdout) plus our stricter statuses in the same style.  `--format
json` prints one document on stdout.  Exit 0 when everything checked is valid
(gaps are information), 1 when anything is invalid, missing, unverified or
unsigned beyond the newest digest, 2 on a usage or fatal error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import IO, TYPE_CHECKING

import orjson

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail, warn
from trailtui.commands.stdout import for_terminal
from trailtui.integrity.summary import Summary, Tally, iso
from trailtui.integrity.verdicts import IntegrityResult, Status
from trailtui.safe import visible
from trailtui.timerange import TimeParseError, parse_time

if TYPE_CHECKING:  # the engine (asyncio, cryptography...) loads only when `verify` runs
    from trailtui.integrity.verifier import Verifier, VerifyOptions

# The reference's words for each status (`Digest file\ts3://...\t<word>`).
REFERENCE_WORDS: dict[Status, str] = {
    Status.VALID: "valid",
    Status.MISSING: "INVALID: not found",
    Status.BAD_FORMAT: "INVALID: invalid format",
    Status.BAD_SIGNATURE: "INVALID: signature verification failed",
    Status.MOVED: "INVALID: has been moved from its original location",
    Status.HASH_MISMATCH: "INVALID: hash value doesn't match",
    Status.TRAILING_DATA: "INVALID: unexpected data after end of compressed stream",
    Status.CHAIN_MISMATCH: "INVALID: does not match its neighbour in the digest chain",
    Status.UNVERIFIED: "INVALID: not covered by any valid digest",
    Status.TAIL_MISSING: "INVALID: not found (newest digest of the chain is missing)",
    Status.UNSIGNED: "INVALID: no signature (no metadata and no valid successor)",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "verify", parents=[common], conflict_handler="resolve",
        help="verify CloudTrail digest chains and log files (stricter validate-logs)",
        description="Verify the CloudTrail digest chain and every log file under SOURCE "
                    "(s3://bucket[/prefix] or a local copy of one): signatures, hashes, deleted, moved "
                    "and injected files.",
    )
    parser.add_argument("source", help="s3://bucket[/prefix] or a directory mirroring the bucket")
    parser.add_argument("--start", "--start-time", dest="start",
                        help="logs delivered on or after this time (ISO 8601 with offset, -24h, -7d)")
    parser.add_argument("--end", "--end-time", dest="end", help="logs delivered up to this time (default: now)")
    parser.add_argument("--trail-arn", help="only this trail (default: every trail found under SOURCE)")
    parser.add_argument("--account-id", action="append", default=[], help="only this account (repeatable)")
    parser.add_argument("--region", action="append", default=argparse.SUPPRESS,
                        help="only digests delivered from this region (repeatable); the first is also the "
                             "AWS client region")
    parser.add_argument("--public-keys", action="append", default=[], metavar="FILE",
                        help="JSON from `aws cloudtrail list-public-keys` (repeatable); default: ListPublicKeys")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--verbose", action="store_true", help="also print the valid files, and details")
    parser.set_defaults(func=run)


def _regions(args: argparse.Namespace) -> tuple[str, ...]:
    value = getattr(args, "region", None)
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


class TextReport:
    """The reference's line style, streamed as results arrive."""

    def __init__(self, out: IO[str], err: IO[str], verbose: bool) -> None:
        self.out, self.err, self.verbose = out, err, verbose
        self.lines_since_header = False  # the summary is set off by a blank line only after file lines

    def header(self, trails: tuple[str, ...], start: str, end: str) -> None:
        for trail in trails or ("(none found)",):
            self.out.write(f"Validating log files for trail {visible(trail)} between {start} and {end}\n")
        self.out.write("\n")
        self.out.flush()

    def result(self, result: IntegrityResult) -> None:
        if result.status is Status.GAP:
            prefix = "(backfill) " if result.backfill else ""
            self.err.write(f"{prefix}{visible(result.detail)}\n\n")
            return
        label = "Digest file" if result.kind == "digest" else "Log file"
        if result.backfill:
            label = "(backfill) " + label
        if result.status is Status.KEY_NOT_FOUND:
            word = f"INVALID: {visible(result.detail or 'public key not found')}"
        elif result.tolerated:
            word = "UNSIGNED: newest digest, no signature metadata (content not provable)"
        else:
            word = REFERENCE_WORDS.get(result.status, f"INVALID: {result.status.value}")
        line = f"{label}\t{visible(result.location)}\t{word}"
        if self.verbose and result.detail and result.status is not Status.KEY_NOT_FOUND:
            line += f"\t({visible(result.detail)})"
        if result.status is Status.VALID or result.tolerated:
            if self.verbose or result.tolerated:
                self.out.write(line + "\n")
                self.lines_since_header = True
        else:
            self.err.write(line + "\n\n")

    def summary(self, summary: Summary) -> None:
        out = self.out
        start = iso(summary.requested_start) or "the start of the chain"
        if self.lines_since_header:
            out.write("\n")
        out.write(f"Results requested for {start} to {iso(summary.requested_end)}\n")
        if summary.no_digests:
            out.write("No digests found\n")
        elif summary.found_start is None:
            out.write("No valid digests found in range\n")
        else:
            out.write(f"Results found for {iso(summary.found_start)} to {iso(summary.found_end)}:\n")
        out.write("\n")
        _ratio(out, summary.digests, "digest files")
        _ratio(out, summary.backfill_digests, "backfill digest files")
        _ratio(out, summary.logs, "log files")
        problems = {k: v for k, v in summary.statuses.items() if k not in ("VALID", "GAP")}
        if problems:
            out.write("Not valid: " + ", ".join(f"{k} {v}" for k, v in problems.items()) + "\n")
        if summary.gaps:
            out.write(f"{summary.gaps} gap(s) in delivery (chain restarts; information, not an error)\n")
        if summary.pending_logs:
            out.write(f"{summary.pending_logs} log file(s) delivered too recently to be in a digest yet "
                      "(not checked)\n")
        out.flush()


def _ratio(out: IO[str], counts: Tally, what: str) -> None:
    if counts.total == 0:
        return
    line = f"{counts.valid}/{counts.total} {what} valid"
    if counts.failed:
        line += f", {counts.failed}/{counts.total} {what} INVALID"
    if counts.tolerated:
        line += f", {counts.tolerated}/{counts.total} {what} UNSIGNED (newest, no signature metadata)"
    out.write(line + "\n")


async def _run_text(verifier: Verifier, verbose: bool) -> Summary:
    report = TextReport(sys.stdout, sys.stderr, verbose)
    window = (iso(verifier.start) or "the start of the chain", iso(verifier.end) or "")
    header_done = False
    summary = None
    async for update in verifier.run():
        if not header_done and update.phase not in ("listing", "starting"):
            report.header(update.trails, *window)
            header_done = True
        for result in update.results:
            report.result(result)
        summary = update.summary or summary
    assert summary is not None  # noqa: S101 - narrows the type: run() always ends with a summary
    if not header_done:
        report.header(summary.trails, *window)
    report.summary(summary)
    return summary


async def _run_json(verifier: Verifier) -> Summary:
    results: list[dict[str, str]] = []
    summary = None
    async for update in verifier.run():
        results.extend(r.to_json() for r in update.results)
        summary = update.summary or summary
    assert summary is not None  # noqa: S101 - narrows the type: run() always ends with a summary
    for_terminal(sys.stdout, json=True).write(orjson.dumps({"summary": summary.to_json(), "results": results},
                                                          option=orjson.OPT_INDENT_2).decode() + "\n")
    sys.stdout.flush()
    return summary


def build_options(args: argparse.Namespace) -> VerifyOptions:
    """Raises TimeParseError for unreadable times."""
    from trailtui.integrity.verifier import VerifyOptions

    start = parse_time(args.start) if args.start else None
    end = parse_time(args.end) if args.end else None
    return VerifyOptions(
        source=args.source, start=start, end=end, trail_arn=args.trail_arn,
        accounts=tuple(args.account_id), regions=_regions(args), public_key_files=tuple(args.public_keys),
    )


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    from trailtui.integrity.verifier import Verifier, VerifyError

    try:
        options = build_options(args)
        verifier = Verifier(options, aws)
    except (TimeParseError, VerifyError) as exc:
        return fail(str(exc))
    try:
        if args.format == "json":
            summary = asyncio.run(_run_json(verifier))
        else:
            summary = asyncio.run(_run_text(verifier, args.verbose))
    except VerifyError as exc:
        return fail(str(exc))
    for message in verifier.warnings:
        warn(message)
    if summary.no_digests:
        warn("no digest files found for the selection: nothing proves these logs")
    return 0 if summary.ok else 1
