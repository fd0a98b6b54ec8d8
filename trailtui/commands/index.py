"""`trailtui index`: build, inspect, list and drop local investigation stores.

    trailtui index SOURCE [--since T] [--until T]   fill the store (progress bar on a terminal);
                                                    without a range, the built-in hunts' findings too
    trailtui index SOURCE --status [--format json]  what it holds, fresh and stale files
    trailtui index SOURCE --drop                    remove it
    trailtui index --list                           every store and its size
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import orjson

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail, warn
from trailtui.safe import visible
from trailtui.sources.base import SourceError
from trailtui.store.location import StoreLocation, locate
from trailtui.timerange import TimeParseError, TimeRange


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "index", parents=[common], help="build, show, list or drop the local store of a source",
        description="The local investigation store: a columnar copy of a local or S3 source's events under "
        "$XDG_CACHE_HOME/trailtui/, always checked against the files before it answers.",
    )
    parser.add_argument("source", nargs="?", help="directory, file or s3:// URL")
    parser.add_argument("--since", help="index only this range: ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--until", help="ISO 8601, -15m/-24h/-7d, or now")
    parser.add_argument("--no-hunts", action="store_true",
                        help="do not run the built-in hunts after filling the store (by default, without --since and "
                             "--until, their findings are kept so `trailtui hunt SOURCE` answers at once)")
    parser.add_argument("--status", action="store_true", help="what the store holds and how fresh it is")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="--status/--list output")
    parser.add_argument("--drop", action="store_true", help="remove the store")
    parser.add_argument("--list", action="store_true", help="list every store and its size")
    parser.set_defaults(func=run)


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"


class _Bar:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.live or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        share = done / total if total else 1.0
        filled = int(share * 30)
        sys.stderr.write(f"\rindexing [{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} {done:,}/{total:,} files")
        sys.stderr.flush()

    def end(self) -> None:
        if self.live:
            sys.stderr.write("\n")


def _list(fmt: str) -> int:
    from trailtui.store.status import list_stores

    stores = list_stores()
    if fmt == "json":
        sys.stdout.write(orjson.dumps([{"source": s.source, "path": s.path, "bytes": s.bytes, "files": s.files,
                                        "events": s.events} for s in stores]).decode() + "\n")
        return 0
    for store in stores:
        print(f"{_size(store.bytes):>10}  {store.events:>12,} events  {visible(store.source)}  ({visible(store.path)})")
    print(f"{len(stores)} store(s), {_size(sum(s.bytes for s in stores))} in all")
    return 0


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    if args.list:
        return _list(args.format)
    if not args.source:
        return fail("index needs a SOURCE (or --list)")
    from trailtui.config import load_config

    url = load_config().config.resolve_source(args.source) or args.source
    location = locate(url, aws)
    if location is None:
        return fail(f"{url}: only local trees and s3:// sources have a store (Athena, Lake and "
                    "LookupEvents answer from the server)")
    if args.drop:
        from trailtui.store.status import drop_store

        dropped = drop_store(location)
        print(f"dropped the store of {visible(location.source)}" if dropped else
              f"no store for {visible(location.source)}")
        return 0
    try:
        window = TimeRange.parse(args.since, args.until)
    except TimeParseError as exc:
        return fail(str(exc))
    try:
        if args.status:
            return asyncio.run(_status(url, aws, location, args.format))
        hunts = not args.no_hunts and args.since is None and args.until is None
        return asyncio.run(_build(url, aws, location, window, hunts))
    except SourceError as exc:
        return fail(str(exc))


async def _status(url: str, aws: AwsConfig, location: StoreLocation, fmt: str) -> int:
    from trailtui.store.maintain import list_source
    from trailtui.store.status import store_status

    listing = await list_source(url, aws, TimeRange())
    status = store_status(location, listing.files)
    if fmt == "json":
        sys.stdout.write(orjson.dumps(status.as_json()).decode() + "\n")
        return 0
    print(f"source       {visible(status.source)}\npath         {visible(status.path)}\n"
          f"files        {status.files:,}\nevents       {status.events:,}\nsize         {_size(status.bytes)}\n"
          f"fresh files  {status.fresh_files:,}\nstale files  {status.stale_files:,}")
    return 0


async def _build(url: str, aws: AwsConfig, location: StoreLocation, window: TimeRange, hunts: bool) -> int:
    from trailtui.store.maintain import build_store

    bar = _Bar()
    began = time.monotonic()
    try:
        report = await build_store(url, aws, location, window, progress=bar)
    except OSError as exc:
        bar.end()
        return fail(f"cannot write the store at {location.folder} ({exc.strerror or exc})")
    except Exception as exc:  # noqa: BLE001 - the engine's errors (e.g. disk full inside DuckDB): one line
        bar.end()
        if not type(exc).__module__.startswith("duckdb"):
            raise
        return fail(f"cannot write the store at {location.folder} ({str(exc).splitlines()[0][:200]})")
    bar.end()
    if report.busy:
        warn("another trailtui is building this store; it will hold these files when it is done")
        return 0
    print(f"indexed {report.files:,} file(s), {report.events:,} event(s) in {time.monotonic() - began:.1f}s"
          + (f"; forgot {report.dropped:,} vanished file(s)" if report.dropped else ""), flush=True)
    if hunts:
        await _keep_hunts(url, aws)
    return 0


async def _keep_hunts(url: str, aws: AwsConfig) -> None:
    """The built-in hunts run over the whole store and their findings kept
    (`trailtui.store.prepare`): `trailtui hunt SOURCE` and the console's
    hunts window then answer at once, until a log file changes."""
    from trailtui.store.blocks import BlockError
    from trailtui.store.prepare import prepare_findings

    if sys.stderr.isatty():
        sys.stderr.write("running the built-in hunts over the store...")
        sys.stderr.flush()
    began = time.monotonic()
    try:
        count, hits = await prepare_findings(url, aws)
    except (OSError, BlockError) as exc:  # the store is filled; only the findings are not kept
        count, hits = 0, None
        warn(f"the built-in hunts' findings were not kept ({str(exc).splitlines()[0][:200] if str(exc) else exc})")
    finally:
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K")
    if hits is not None:
        print(f"hunts: {count} run over the store, {hits:,} hit(s), kept for `trailtui hunt` "
              f"in {time.monotonic() - began:.1f}s")
