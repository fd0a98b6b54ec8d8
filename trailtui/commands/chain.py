"""`trailtui chain SOURCE (--access-key KEY | --event-id ID)`: who is behind a key.

Walks back from the key (or the key of the event) through the events that
issued it to its origin, and forward through every key issued below it.
Exit 0 with the chain (an origin of kind `unknown` is an answer, not an
error), 2 on usage or fatal errors (including an event id not in the range).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import IO

import orjson

from trailtui.aws.config import AwsConfig
from trailtui.chains import Chain, ChainIndex, Link, collect_chains, resolve, start_key
from trailtui.chains.model import KeySummary
from trailtui.commands.errors import fail, warn
from trailtui.safe import visible
from trailtui.sources import SourceError, open_source
from trailtui.timerange import TimeParseError, TimeRange

MAX_TEXT_DEPTH = 32  # deeper links are listed flat at this indentation


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "chain", parents=[common], help="follow a key through AssumeRole chains to its origin",
        description="Follow temporary credentials back to their origin (a long-term key, a console sign-in, a "
        "SAML or OIDC identity, an AWS service) and forward to every key issued from them.",
    )
    parser.add_argument("source", help="directory, file, s3://, athena://, lake:// or lookup:// URL")
    start = parser.add_mutually_exclusive_group(required=True)
    start.add_argument("--access-key", metavar="KEY", help="the access key to resolve (AKIA... or ASIA...)")
    start.add_argument("--event-id", metavar="ID", help="resolve the key this event was made with")
    parser.add_argument("--since", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--until", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"


def _usage(key: str, summary: KeySummary | None) -> str:
    if summary is None or not summary.events:
        return f"key {key}  no events in the range"
    addresses = ", ".join(summary.source_ips) or "-"
    return (f"key {key}  {summary.events} event{'s' if summary.events != 1 else ''}  "
            f"{_when(summary.first)} .. {_when(summary.last)}  from {addresses}")


def _link_lines(chain: Chain, link: Link, depth: int) -> list[str]:
    pad = "  " * min(depth, MAX_TEXT_DEPTH)
    lines = [f"{pad}└ {link.event_name or 'issued'} {_when(link.issued_at)}  by {link.issuer_principal or '-'}  "
             f"from {link.issuer_source_ip or '-'}  event {link.issued_by_event_id or '-'}"]
    role = f"role {link.role_arn or '-'}  session {link.session_name or '-'}"
    if link.source_identity:
        role += f"  source identity {link.source_identity}"
    lines.append(f"{pad}  {role}")
    marker = "   <- asked" if link.access_key == chain.start_key else ""
    lines.append(f"{pad}  {_usage(link.access_key, chain.keys.get(link.access_key))}{marker}")
    return lines


def _tree(chain: Chain, links: list[Link], depth: int, seen: set[str]) -> Iterator[str]:
    """Depth-first, each key once; an explicit stack, so depth costs no recursion."""
    stack = [(link, depth) for link in reversed(links)]
    while stack:
        link, level = stack.pop()
        if link.access_key in seen:
            continue
        seen.add(link.access_key)
        yield from _link_lines(chain, link, level)
        below = [c for c in chain.children(link.access_key) if c.access_key not in seen]
        stack.extend((child, level + 1) for child in reversed(below))


def text_lines(chain: Chain, index: ChainIndex) -> Iterator[str]:
    """The chain as plain lines; every value goes through `visible`."""
    origin = chain.origin
    yield f"chain of {chain.start_key}  ({index.events:,} events read)"
    yield f"origin  {origin.kind}  {origin.principal or '-'}"
    detail = [f"key {origin.access_key}" if origin.access_key else "",
              f"from {origin.source_ip}" if origin.source_ip else "",
              f"event {origin.event_id}" if origin.event_id else "",
              f"at {_when(origin.time)}" if origin.time else ""]
    if any(detail):
        yield "  " + "  ".join(d for d in detail if d)
    if origin.access_key:
        marker = "   <- asked" if origin.access_key == chain.start_key else ""
        yield f"  {_usage(origin.access_key, chain.keys.get(origin.access_key))}{marker}"
    seen: set[str] = {origin.access_key} if origin.access_key else set()
    yield from _tree(chain, chain.roots(), 1, seen)
    rest = [link for link in chain.links if link.access_key not in seen]
    yield from _tree(chain, rest, 1, seen)  # links whose issuer is not in the tree (a cut chain)
    if chain.start_key not in seen and chain.start_key != origin.access_key:
        yield f"  {_usage(chain.start_key, chain.keys.get(chain.start_key))}   <- asked"
    for note in chain.notes:
        yield f"note: {note}"


def write_text(chain: Chain, index: ChainIndex, out: IO[str]) -> None:
    for line in text_lines(chain, index):
        out.write(visible(line) + "\n")


async def _collect(source_url: str, window: TimeRange, event_id: str, aws: AwsConfig) -> ChainIndex:
    source = open_source(source_url, aws)
    index = ChainIndex(want_event_id=event_id)
    problems = 0
    try:
        async for step in collect_chains(source, window, index=index):
            for problem in step.problems:
                problems += 1
                warn(str(problem))
    finally:
        await source.close()
    if problems:
        warn(f"{problems} problem(s) while reading; every readable event was used")
    return index


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    key = (args.access_key or "").strip()
    event_id = (args.event_id or "").strip()
    if args.access_key is not None and not key:
        return fail("--access-key is empty")
    if args.event_id is not None and not event_id:
        return fail("--event-id is empty")
    try:
        window = TimeRange.parse(args.since, args.until)
    except TimeParseError as exc:
        return fail(str(exc))
    import asyncio

    try:
        index = asyncio.run(_collect(args.source, window, event_id, aws))
    except SourceError as exc:
        return fail(str(exc))
    start = start_key(index, key or None, event_id or None)
    if start is None:
        if index.target is not None:
            return fail(f"event {event_id} names no access key and issued none: it has no credential chain")
        return fail(f"event {event_id} is not in {args.source} within {window.describe()}")
    chain = resolve(index, start)
    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps(chain.as_json(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        write_text(chain, index, sys.stdout)
    sys.stdout.flush()
    if index.truncated():
        warn(index.truncated())
    return 0
