"""Hunts on arrival (the console's `F`): what each poll costs and that memory
stays flat over a simulated hour.

Every simulated minute a poll brings `--per-poll` events (a mix of ordinary
calls and of the events the threshold and sequence hunts count, with a burst of
failed console logins every 10 minutes), which go through the whole built-in
catalogue (`ArrivalHunts.offer`: a fresh engine, newest first, over the recent
window).  Prints the median and worst time of one poll, the hits, and the
tracked memory every 10 simulated minutes.

    python bench/bench_follow_hunts.py [--per-poll 2000] [--minutes 60]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trailtui.events import Event  # noqa: E402
from trailtui.follow.hunting import ArrivalHunts  # noqa: E402
from trailtui.hunts import load_catalogue  # noqa: E402

ORDINARY = ("GetObject", "PutObject", "DescribeInstances", "AssumeRole", "ListBuckets", "GetCallerIdentity")
COUNTED = ("GetSecretValue", "GetParameter", "ListUsers", "GetBucketPolicy")


def record(when: datetime, name: str, n: int, **extra: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "eventVersion": "1.08", "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventName": name,
        "eventSource": "s3.amazonaws.com", "awsRegion": "us-east-1", "sourceIPAddress": f"198.51.100.{n % 200}",
        "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::111122223333:user/u{n % 50}",
                         "accountId": "111122223333", "accessKeyId": f"AKIA{n % 50:016d}"},
        "eventID": f"e-{n}", "recipientAccountId": "111122223333",
    }
    raw.update(extra)
    return raw


def poll_events(start: datetime, per_poll: int, counter: list[int], rng: random.Random, burst: bool) -> list[Event]:
    events = []
    for _ in range(per_poll):
        counter[0] += 1
        n = counter[0]
        when = start + timedelta(seconds=rng.randrange(60))
        name = rng.choice(COUNTED) if rng.random() < 0.1 else rng.choice(ORDINARY)
        events.append(Event.from_raw(record(when, name, n), "bench"))
    if burst:
        for i in range(6):
            counter[0] += 1
            events.append(Event.from_raw(record(start + timedelta(seconds=5 * i), "ConsoleLogin", counter[0],
                                                sourceIPAddress="203.0.113.9", eventSource="signin.amazonaws.com",
                                                responseElements={"ConsoleLogin": "Failure"}), "bench"))
    return sorted(events, key=lambda e: e.time)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-poll", type=int, default=2000)
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    hunts = load_catalogue().hunts
    arrivals = ArrivalHunts(hunts)
    rng = random.Random(7)
    counter = [0]
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    times: list[float] = []
    tracemalloc.start()
    for minute in range(args.minutes):
        events = poll_events(start + timedelta(minutes=minute), args.per_poll, counter, rng, burst=minute % 10 == 5)
        began = time.perf_counter()
        arrivals.offer(events)
        times.append(time.perf_counter() - began)
        if (minute + 1) % 10 == 0:
            current, _ = tracemalloc.get_traced_memory()
            print(f"minute {minute + 1:3d}: {counter[0]:,} events, {arrivals.count} hits, "
                  f"recent window {len(arrivals._recent):,} events, tracked memory {current / 1e6:.1f} MB")
    print(f"{len(hunts)} hunts, {args.per_poll:,} events a poll: median {statistics.median(times) * 1000:.0f} ms, "
          f"worst {max(times) * 1000:.0f} ms a poll (one core; the console runs it on the source thread)")


if __name__ == "__main__":
    main()
