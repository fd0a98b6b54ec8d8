"""S3 source vs local files over the same trail: time to first page and events/s.

    /tmp/venv/bin/python bench/bench_sources.py                    # small (20k) and medium (200k) trails
    /tmp/venv/bin/python bench/bench_sources.py --sizes 20000 --rounds 5

For each size it writes a synthetic org trail with bench/synth_tree.py, starts
the moto test server (tests/moto_ext/server.py) on a free 127.0.0.1 port,
uploads the tree to a bucket, then runs the same searches through LocalSource
and S3Source, interleaved: every event, and a selective filter.  S3 runs are
"cold" (a new source: every folder is listed) and "warm" (the same source
again within 30 s: folder listings reused).  The moto server runs on the same
2 cores as the client, so S3 numbers include the server's CPU time; the machine
is shared, so min and median of the rounds are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from servers import start_moto  # noqa: E402

from trailtui.aws.config import AwsConfig  # noqa: E402
from trailtui.filters import EventFilter  # noqa: E402
from trailtui.sources import Query  # noqa: E402
from trailtui.sources.local import LocalSource  # noqa: E402
from trailtui.sources.s3 import S3Source  # noqa: E402

BUCKET = "bench-trail"
FILTERS = {"all": "", "selective": "userIdentity.type == 'Root' || errorCode == 'Failed authentication'"}


def upload(endpoint: str, tree: Path) -> int:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    files = [p for p in tree.rglob("*") if p.is_file()]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: s3.put_object(Bucket=BUCKET, Key=str(p.relative_to(tree)), Body=p.read_bytes()),
                      files))
    return len(files)


async def run_once(source, text: str) -> tuple[float, float, int, int]:
    """(seconds to the first page with events, total seconds, matches, events scanned)."""
    began = time.perf_counter()
    first = None
    count = scanned = 0
    async for page in source.search(Query(filter=EventFilter.compile(text))):
        if page.events and first is None:
            first = time.perf_counter() - began
        count += len(page.events)
        scanned += page.scanned
    return (first if first is not None else float("nan")), time.perf_counter() - began, count, scanned


async def raw_gets(endpoint: str, tree: Path, in_flight: int) -> float:
    """Seconds to GET every object (no decoding) with the S3 source's concurrency:
    the server's own speed limit, for context."""
    from trailtui.aws.clients import ClientFactory

    keys = [str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file()]
    gate = asyncio.Semaphore(in_flight)
    began = time.perf_counter()
    async with ClientFactory(AwsConfig(region="us-east-1", endpoint_url=endpoint)).async_client("s3") as s3:
        async def get(key: str) -> None:
            async with gate:
                response = await s3.get_object(Bucket=BUCKET, Key=key)
                async with response["Body"] as body:
                    await body.read()
        await asyncio.gather(*(get(k) for k in keys))
    return time.perf_counter() - began


def summary(name: str, runs: list[tuple[float, float, int, int]]) -> str:
    firsts, totals = [r[0] for r in runs], [r[1] for r in runs]
    rate = runs[0][3] / min(totals)
    return (f"  {name:<22} first page min {min(firsts) * 1000:7.0f} ms  med {statistics.median(firsts) * 1000:7.0f} ms"
            f" | total min {min(totals):6.2f} s  med {statistics.median(totals):6.2f} s"
            f" | {rate:9,.0f} events/s scanned | {runs[0][2]:,} matches")


async def bench_size(events: int, rounds: int, endpoint: str, workdir: Path) -> None:
    tree = workdir / f"trail{events}"
    subprocess.run([sys.executable, str(ROOT / "bench/synth_tree.py"), str(tree), "--events", str(events),
                    "--days", "3"], check=True, stderr=subprocess.DEVNULL)
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()
    began = time.perf_counter()
    objects = upload(endpoint, tree)
    size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
    print(f"\n{events:,} events, {objects:,} objects, {size / 1e6:.1f} MB gzip "
          f"(uploaded in {time.perf_counter() - began:.1f} s); load average {os.getloadavg()[0]:.1f}")
    config = AwsConfig(region="us-east-1", endpoint_url=endpoint)
    raw = min([await raw_gets(endpoint, tree, S3Source.max_in_flight) for _ in range(rounds)])
    print(f" raw GET of every object, {S3Source.max_in_flight} in flight, no decoding: {raw:.2f} s "
          f"({objects / raw:,.0f} objects/s): the test server's ceiling for the S3 source")
    for label, text in FILTERS.items():
        results: dict[str, list] = {"local": [], "s3 cold": [], "s3 warm": []}
        for _ in range(rounds):
            local = LocalSource(str(tree))
            results["local"].append(await run_once(local, text))
            await local.close()
            s3 = S3Source(f"s3://{BUCKET}", config)
            results["s3 cold"].append(await run_once(s3, text))
            results["s3 warm"].append(await run_once(s3, text))
        counts = {name: {r[2] for r in runs} for name, runs in results.items()}
        assert len({c for v in counts.values() for c in v}) == 1, f"sources disagree: {counts}"
        print(f" filter {label}: {text or '(none)'}")
        for name, runs in results.items():
            print(summary(name, runs))


async def main_async(args: argparse.Namespace) -> None:
    proc, endpoint = start_moto()
    workdir = Path(tempfile.mkdtemp(prefix="trailtui-bench-sources-"))
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    try:
        for events in args.sizes:
            await bench_size(events, args.rounds, endpoint, workdir)
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
