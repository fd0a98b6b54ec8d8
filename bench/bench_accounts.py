"""Benchmark the organisation fan-out: health over N accounts and Event history merged over N accounts.

    .venv/bin/python bench/bench_accounts.py                       # 12 accounts, 30 ms per request
    .venv/bin/python bench/bench_accounts.py --accounts 24 --events 300 --latency-ms 50

A moto server process (with the test extensions) holds an organisation of N
member accounts, each with the audit role, one trail and E Event history
events; every request it answers waits `--latency-ms` (AWS answers in ~20-80 ms).

1. health: `collect_accounts()` wall time with the documented bound (8 accounts
   at once) against one account at a time (`concurrency=1`), same answers.
2. lookup: `AccountsLookupSource` over every account at AWS's rate (2 requests
   a second per account and region), wall time and events/s, against the sum of
   searching the accounts one after another (the same per-account streams, one
   at a time), and that the merged order is exactly newest first.

Peak RSS of this process is printed after each part.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from org_fixture import AUDIT_ROLE, REGION, add_trail, build_organisation  # noqa: E402
from servers import start_moto  # noqa: E402
from test_sources_lookup_accounts import history, seed  # noqa: E402

from trailtui.aws.account_scope import AccountScope  # noqa: E402
from trailtui.aws.config import AwsConfig  # noqa: E402
from trailtui.health.accounts import collect_accounts  # noqa: E402
from trailtui.sources.base import Query  # noqa: E402
from trailtui.sources.lookup_accounts import AccountsLookupSource  # noqa: E402
from trailtui.sources.ratelimit import RateLimits  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bench_health(aws: AwsConfig, accounts: int) -> None:
    timings = {}
    for concurrency in (8, 1):
        began = time.perf_counter()
        results = await collect_accounts(aws, concurrency=concurrency)
        timings[concurrency] = time.perf_counter() - began
        assert len(results) == accounts + 1 and all(r.facts is not None for r in results), "every account checked"
    print(f"health: {accounts + 1} accounts: 8 at once {timings[8]:.2f} s, one at a time {timings[1]:.2f} s "
          f"({timings[1] / timings[8]:.1f}x); peak RSS {peak_mb():.0f} MB")


async def bench_lookup(aws: AwsConfig, ids: list[str], events: int) -> None:
    url = f"lookup://{REGION}"
    began = time.perf_counter()
    merged = []
    async for page in AccountsLookupSource(url, aws, limits=RateLimits(2.0, 2.0)).search(Query()):
        merged.extend(page.events)
    took = time.perf_counter() - began
    stamps = [e.time for e in merged]
    assert stamps == sorted(stamps, reverse=True), "merged newest first"
    assert len(merged) == len(ids) * events, (len(merged), len(ids) * events)
    one_by_one = 0.0
    for account in ids:
        single = AwsConfig(region=REGION, endpoint_url=aws.endpoint_url, accounts=AccountScope(AUDIT_ROLE, (account,)))
        began = time.perf_counter()
        async for _ in AccountsLookupSource(url, single, limits=RateLimits(2.0, 2.0)).search(Query()):
            pass
        one_by_one += time.perf_counter() - began
    print(f"lookup: {len(ids)} accounts x {events} events ({-(-events // 50)} requests each, 2/s per account): "
          f"merged {took:.2f} s ({len(merged) / took:.0f} events/s), one account after another {one_by_one:.2f} s "
          f"({one_by_one / took:.1f}x); peak RSS {peak_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=12, help="member accounts")
    parser.add_argument("--events", type=int, default=200, help="Event history events per account")
    parser.add_argument("--latency-ms", type=int, default=30, help="added to every moto request (AWS-like RTT)")
    args = parser.parse_args()
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_SESSION_TOKEN", "testing")):
        os.environ[name] = value
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent"
    server, url = start_moto({"TRAILTUI_TEST_LATENCY_MS": str(args.latency_ms)})
    try:
        org = build_organisation(url, members=args.accounts, audit_role_in=tuple(range(args.accounts)))
        for index, account in enumerate(org.members):
            add_trail(org, account, f"trail-{index}")
            seed(url, account, history(account, args.events, index, 30))
        aws = AwsConfig(region=REGION, endpoint_url=url, accounts=AccountScope(AUDIT_ROLE))
        asyncio.run(bench_health(aws, args.accounts))
        ids = AwsConfig(region=REGION, endpoint_url=url, accounts=AccountScope(AUDIT_ROLE, tuple(org.members)))
        asyncio.run(bench_lookup(ids, org.members, args.events))
    finally:
        server.stdin.close()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
