"""Follow mode over a simulated hour of CloudTrail deliveries: memory stays flat.

A local tree receives, per simulated 5 minutes, one log file per account and
region (CloudTrail's rhythm); the follower polls after each delivery round.
Prints, every simulated 10 minutes, the follower's own memory (tracemalloc) and
the process RSS, and at the end the poll time and whether every event arrived
exactly once.

    python bench/bench_follow.py [--accounts 4] [--regions 4] [--per-file 200] [--minutes 60]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trailtui.filters import EventFilter  # noqa: E402
from trailtui.follow import SeenEvents  # noqa: E402
from trailtui.follow.local_files import LocalFollower  # noqa: E402

REGIONS = ("us-east-1", "eu-west-1", "ap-south-1", "us-west-2", "eu-central-1", "sa-east-1")


def write_round(root: Path, stamp: datetime, accounts: int, regions: int, per_file: int, counter: list[int]) -> None:
    for a in range(accounts):
        account = f"{100000000000 + a}"
        for region in REGIONS[:regions]:
            records = []
            for _ in range(per_file):
                counter[0] += 1
                records.append({"eventVersion": "1.08", "eventTime": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
                                "awsRegion": region, "eventID": f"ev-{counter[0]}",
                                "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{account}:user/u"}})
            folder = root / "AWSLogs" / account / "CloudTrail" / region / stamp.strftime("%Y/%m/%d")
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{account}_CloudTrail_{region}_{stamp:%Y%m%dT%H%M}Z_{counter[0]:016x}.json.gz"
            (folder / name).write_bytes(gzip.compress(json.dumps({"Records": records}).encode(), compresslevel=1))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=args.minutes)
        follower = LocalFollower(str(root), EventFilter.compile(""), SeenEvents(), settle=0.0)
        await follower.prime()
        counter = [0]
        received = 0
        ids: set[str] = set()
        polls: list[float] = []
        tracemalloc.start()
        for step in range(args.minutes // 5):
            stamp = start + timedelta(minutes=5 * step)
            write_round(root, stamp, args.accounts, args.regions, args.per_file, counter)
            t0 = time.perf_counter()
            arrival = await follower.poll()
            polls.append(time.perf_counter() - t0)
            received += len(arrival.events)
            ids.update(e.raw["eventID"] for e in arrival.events)
            if step % 2 == 1:
                current, peak = tracemalloc.get_traced_memory()
                print(f"t+{5 * (step + 1):3d} min  events {counter[0]:>8,}  follower memory {current / 2**20:6.1f} MB"
                      f"  (peak {peak / 2**20:6.1f})  max RSS {rss_mb():6.1f} MB", flush=True)
        print(f"written {counter[0]:,} events, received {received:,}, distinct {len(ids):,}")
        print(f"poll: median {sorted(polls)[len(polls) // 2] * 1000:.0f} ms, max {max(polls) * 1000:.0f} ms "
              f"({args.accounts * args.regions} files a round)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--per-file", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=60)
    asyncio.run(main(parser.parse_args()))
