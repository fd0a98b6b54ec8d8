"""Rows shipped to the client for all hunts over a demo trail in CloudTrail Lake
(the test server: moto plus tests/moto_ext/lake.py, which runs the Trino SQL
with sqlglot + DuckDB), server-side hunts against today's pre-selection.

    python bench/bench_hunts_server.py [--events 100000] [--seed 1]

Prints, for the whole catalogue and for the catalogue without the first-seen
hunts (which need every principal's baseline on the client):

  rows shipped   rows the server returned (every statement; Lake's 10,000-
                 character limit splits the catalogue into a few)
  statements     statements sent
  seconds        wall time of the run, server included (a shared host: a rough
                 figure, not the benchmark's point)

and checks that both ways give the same hits.  The pre-selection is the
candidate filter `run_hunts(..., server=False)` pushes down (eventName gates
OR'd with the ungated hunts' filters).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from servers import start_moto

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.demo import DemoSpec, generate_demo
from trailtui.hunts import HuntContext, load_catalogue, run_hunts
from trailtui.hunts.sql.run import explained_statements
from trailtui.sources import Query
from trailtui.sources.lake import LakeSource
from trailtui.sources.local import LocalSource
from trailtui.timerange import TimeRange

STORE = "EXAMPLE-be9c-4e8f-8bd1-benchEXAMPLE"
REGION = "us-east-1"


async def _events(root: Path) -> list[dict]:
    source = LocalSource(str(root))
    found: list[dict] = []
    async for page in source.search(Query(page_size=5000)):
        found.extend(e.raw for e in page.events)
    await source.close()
    return found


def _post(url: str, path: str, body: object) -> None:
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=3600).read()


async def _run(url: str, hunts: list, server: bool) -> tuple[int, Counter, float]:
    config = AwsConfig(region=REGION, endpoint_url=url)
    source = LakeSource(f"lake://{STORE}", config, factory=ClientFactory(config, max_attempts=1))
    source.poll_delays = (0.05,)
    rows = 0
    hits: Counter = Counter()
    start = time.perf_counter()
    async for step in run_hunts(source, hunts, TimeRange(), context=HuntContext(), server=server):
        rows = step.scanned
        hits.update((h.hunt.id, h.event.raw.get("eventID")) for h in step.hits)
    return rows, hits, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "testing")
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "demo"
        generate_demo(DemoSpec(seed=args.seed, events=args.events, days=7), root, workers=2)
        events = asyncio.run(_events(root))
    proc, url = start_moto()
    try:
        loaded = time.perf_counter()
        _post(url, "/moto-api/trailtui/lake/event-data-stores", {"region": REGION, "id": STORE, "events": events})
        print(f"{len(events):,} demo events loaded into the Lake test server in {time.perf_counter() - loaded:.0f} s")
        catalogue = list(load_catalogue().hunts)
        config = AwsConfig(region=REGION, endpoint_url=url)
        probe = LakeSource(f"lake://{STORE}", config)
        for label, hunts in (("all hunts", catalogue),
                             ("all but first-seen", [h for h in catalogue if h.first_seen is None])):
            before, hits_before, took_before = asyncio.run(_run(url, hunts, server=False))
            after, hits_after, took_after = asyncio.run(_run(url, hunts, server=True))
            statements = len(explained_statements(probe, hunts, TimeRange()))
            same = "same hits" if hits_before == hits_after else "HITS DIFFER"
            print(f"{label:20} pre-selection: {before:>9,} rows, 1 statement, {took_before:6.1f} s | server-side: "
                  f"{after:>9,} rows, {statements} statements, {took_after:6.1f} s | "
                  f"{before / max(after, 1):6.1f}x fewer rows | {sum(hits_after.values()):,} hits, {same}")
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
