"""Where a hunt run answered by the store spends its time, step by step, in one
process (the store must already hold TREE: `XDG_CACHE_HOME=C trailtui index TREE`).

    XDG_CACHE_HOME=/tmp/c python bench/bench_store_hunts.py /tmp/store-demo2m [--hunt ID ...] [--without ID ...]

Steps: listing the tree and splitting fresh from stale files, DuckDB choosing
the rows (`trailtui.store.hunt_rows`), the learned accounts' check, reading the
chosen events from their blocks, and the hunt engine fed with them.  Prints
one JSON object.  Not a test: timings vary with the load of the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Callable
from typing import Any

from trailtui.aws.config import AwsConfig
from trailtui.hunts import load_catalogue
from trailtui.sources import open_source
from trailtui.store import hunting
from trailtui.timerange import TimeRange


def _timed(name: str, spent: dict[str, float], call: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
    return run


async def _measure(tree: str, chosen: list[str] | None, without: set[str]) -> dict[str, Any]:
    hunts = [h for h in load_catalogue().select(chosen) if h.id not in without]
    spent: dict[str, float] = {}
    hunting.split = _timed("split fresh/stale", spent, hunting.split)
    hunting._choose = _timed("DuckDB: choose rows", spent, hunting._choose)
    hunting._check_learning = _timed("learned accounts check", spent, hunting._check_learning)
    hunting.fetch_events = _timed("events from blocks", spent, hunting.fetch_events)
    hunting._hits = _timed("hunt engine", spent, hunting._hits)
    source = open_source(tree, AwsConfig(), index=True)
    start = time.perf_counter()
    answer = await hunting.hunts_from_store(source, hunts, TimeRange())
    prepared = time.perf_counter() - start
    hits = fed = 0
    if answer.steps is not None:
        async for step in answer.steps:
            hits += len(step.hits)
            fed = step.candidates
    total = time.perf_counter() - start
    await source.close()
    return {"hunts": len(hunts), "answered_by_store": answer.steps is not None, "notice": answer.notice,
            "hits": hits, "events_fed": fed, "seconds": round(total, 3),
            "listing and manifest": round(prepared - sum(spent.get(k, 0.0) for k in (
                "split fresh/stale", "DuckDB: choose rows", "learned accounts check")), 3),
            **{k: round(v, 3) for k, v in spent.items()}, "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--hunt", action="append", help="only this hunt (repeatable)")
    parser.add_argument("--without", action="append", default=[], help="leave this hunt out (repeatable)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(_measure(args.tree, args.hunt, set(args.without))), indent=1))


if __name__ == "__main__":
    main()
