"""Credential chains over a local tree, against a plain unfiltered query of the
same tree in the same process.

    python bench/bench_chain.py /tmp/demo-chain [--repeat 3]

Reports the best of N runs (the machine is shared), for:

  query-all   every event through the source (decode + yield), the baseline
  collect     the one streaming pass that builds the ChainIndex (every event)
  resolve     resolving the chain of every issued key in the index, after collect

and the peak resident memory of the process (ru_maxrss) at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time

from trailtui.chains import ChainIndex, collect_chains, resolve
from trailtui.sources import Query, open_source


async def _query(tree: str) -> int:
    source = open_source(tree)
    scanned = 0
    try:
        async for page in source.search(Query(page_size=1000)):
            scanned += page.scanned
    finally:
        await source.close()
    return scanned


async def _collect(tree: str) -> ChainIndex:
    source = open_source(tree)
    index = ChainIndex()
    try:
        async for _ in collect_chains(source, index=index):
            pass
    finally:
        await source.close()
    return index


def _best(repeat: int, run: object) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    query_time, scanned = _best(args.repeat, lambda: asyncio.run(_query(args.tree)))
    collect_time, index = _best(args.repeat, lambda: asyncio.run(_collect(args.tree)))
    assert isinstance(index, ChainIndex)
    keys = list(index.issuances)
    resolve_time, chains = _best(args.repeat, lambda: [resolve(index, key) for key in keys])
    kinds: dict[str, int] = {}
    for chain in chains:  # type: ignore[attr-defined]
        kinds[chain.origin.kind] = kinds.get(chain.origin.kind, 0) + 1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"events {scanned:,}  keys {len(index.keys):,}  issuances {len(index.issuances):,}  origins {kinds}")
    print(f"query-all  {query_time:6.2f} s  {scanned / query_time:10,.0f} events/s")
    print(f"collect    {collect_time:6.2f} s  {index.events / collect_time:10,.0f} events/s  "
          f"{collect_time / query_time:.2f}x the plain query")
    print(f"resolve    {resolve_time * 1000:6.1f} ms for {len(keys):,} chains")
    print(f"peak RSS   {peak_mb:6.0f} MB")


if __name__ == "__main__":
    main()
