"""`--explain`, shared by query, stats, hunt and export: print the SQL a SQL
source would run and the partitions it would touch, start nothing, exit 0.

Every one of those commands imports this module to register the option, so the
SQL machinery (`trailtui.sources.explain` and the pushdown dialects behind it),
the sources' registry and asyncio are imported only when `--explain` is
given: a plain local query does not pay for them at start-up."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from trailtui.safe import visible
from trailtui.sources.base import Query, SourceError

if TYPE_CHECKING:
    from trailtui.aws.config import AwsConfig
    from trailtui.sources.explain import SqlSearch

Statements = Callable[["SqlSearch"], Sequence[str]]


def add_explain(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--explain", action="store_true",
                        help="print the SQL that would run on Athena or CloudTrail Lake and the partitions it would "
                             "touch, then exit 0 without starting a query")


async def _explain(url: str, aws: AwsConfig, query: Query, statements: Statements,
                   notes: Callable[[SqlSearch], Sequence[str]] | None) -> int:
    from trailtui.sources import open_source
    from trailtui.sources.explain import SqlSearch, explain

    source = open_source(url, aws)
    try:
        if not isinstance(source, SqlSearch):
            sys.stdout.write(f"-- {visible(url)} is not a SQL source (only athena:// and lake:// run SQL): "
                             "nothing to explain\n")
            return 0
        found = await explain(source, statements(source), query, notes(source) if notes else ())
        if found is not None:
            sys.stdout.write("".join(visible(line) + "\n" for line in found.lines()))
        return 0
    finally:
        await source.close()


def run_explain(url: str, aws: AwsConfig, query: Query, statements: Statements,
                notes: Callable[[SqlSearch], Sequence[str]] | None = None) -> int:
    """Print the explanation for `url`; the exit status (0, or 2 via SourceError at the caller)."""
    import asyncio

    try:
        return asyncio.run(_explain(url, aws, query, statements, notes))
    finally:
        sys.stdout.flush()


__all__ = ["SourceError", "add_explain", "run_explain"]
