"""Follow on Athena: each poll re-queries the window and says what it scanned
(GetQueryExecution's Statistics.DataScannedInBytes, which the test server is
told to report; moto itself reports 0) and what that costs, approximately;
hunts on arrival across polls (a threshold burst split by a poll boundary)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import athena_sim
import boto3
from sources_fixture import fault, post
from trail_builder import event

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.follow import open_follower
from trailtui.follow.cost import ScanCost
from trailtui.follow.hunting import ArrivalHunts
from trailtui.follow.window import OVERLAP
from trailtui.hunts import load_catalogue
from trailtui.sources import Query
from trailtui.sources.athena import AthenaSource, athena_statement
from trailtui.timerange import TimeRange

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
URL = "athena://trailwg/trails.cloudtrail_logs"


def test_cost_is_billed_bytes_at_five_dollars_a_terabyte():
    assert ScanCost(0).billed_bytes == 10_000_000  # Athena's 10 MB minimum per query
    assert ScanCost(123_456_789).billed_bytes == 124_000_000  # rounded up to the megabyte
    assert abs(ScanCost(10**12).dollars - 5.0) < 1e-9
    assert ScanCost(123_456_789).describe() == "123.5 MB scanned ≈$0.00062"


def _athena(endpoint: str) -> AthenaSource:
    boto3.client("athena", endpoint_url=endpoint, region_name=REGION).create_work_group(
        Name="trailwg", Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/q/"}})
    config = AwsConfig(region=REGION, endpoint_url=endpoint)
    source = AthenaSource(URL, config, factory=ClientFactory(config, max_attempts=1))
    source.poll_interval = 0.02
    return source


async def test_athena_window_poll_reports_data_scanned(aws_env):
    source = _athena(aws_env)
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    first, second = event(base, "First", eventID="first"), event(base + timedelta(minutes=2), "Second",
                                                                  eventID="second")
    follower = open_follower(URL, source, EventFilter.compile(""))
    await follower.prime()
    follower.shown([Event.from_raw(first, "x")])
    # what the follower will ask: the window from the newest event less the overlap
    query = Query(filter=EventFilter.compile(""), time_range=TimeRange(since=base - OVERLAP), page_size=500)
    sql, _ = athena_statement("trails", "cloudtrail_logs", query, True)
    partitions = {"first": f"{base:%Y/%m/%d}", "second": f"{base:%Y/%m/%d}"}
    names, rows = athena_sim.run(sql, [first, second], partitions, "trails", "cloudtrail_logs")
    post(aws_env, "/moto-api/static/athena/query-results", athena_sim.seed_body(names, rows))
    fault(aws_env, "athena", "DataScanned", bytes=123_456_789)
    try:
        arrival = await follower.poll()
        assert [e.event_name for e in arrival.events] == ["Second"]  # First was shown already
        assert arrival.scanned_bytes == 123_456_789
        assert (await follower.poll()).scanned_bytes == 0  # moto's own figure when not told otherwise
    finally:
        await source.close()


def test_query_follow_on_athena_says_data_scanned_and_cost(aws_env):
    _athena(aws_env)
    fault(aws_env, "athena", "DataScanned", bytes=2_500_000_000, times=20)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "trailtui", "query", URL, "--follow", "--interval", "1",
                             "--endpoint-url", aws_env, "--region", REGION, "--format", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stderr is not None
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()  # type: ignore[union-attr]
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any("scanned" in line for line in seen) and time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=max(deadline - time.monotonic(), 0.1)))
            except queue.Empty:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    line = next((line for line in seen if "scanned" in line), "")
    assert "0 new, 2.5 GB scanned ≈$0.01250 (approximate: $5 per TB, 10 MB minimum)" in line, seen
    assert proc.returncode == 0


def test_threshold_burst_split_across_polls_fires_once_with_every_event():
    """5 failed console logins from one address within 10 minutes (a threshold
    hunt): 3 arrive in one poll, 2 in the next; the second poll reports all 5,
    a third poll with one more reports only the new one."""
    catalogue = load_catalogue().hunts
    hunt = next(h for h in catalogue if h.threshold is not None and h.threshold.count == 5
                and h.threshold.by == "source_ip" and h.threshold.distinct is None)
    hunts = ArrivalHunts([hunt])
    base = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def attempt(i: int) -> Event:
        raw = event(base + timedelta(seconds=30 * i), "ConsoleLogin", eventID=f"login-{i}",
                    eventSource="signin.amazonaws.com", sourceIPAddress="203.0.113.9",
                    errorMessage="Failed authentication", responseElements={"ConsoleLogin": "Failure"})
        return Event.from_raw(raw, "x")

    matching = [attempt(i) for i in range(7)]
    assert all(hunt.filter.matches(e.raw) for e in matching), "the planted events are what the hunt looks for"
    assert hunts.offer(matching[:3]) == []
    fired = hunts.offer(matching[3:5])
    assert sorted(h.event.raw["eventID"] for h in fired) == [f"login-{i}" for i in range(5)]
    assert [h.event.raw["eventID"] for h in hunts.offer(matching[5:6])] == ["login-5"]
    assert hunts.count == 6
    assert hunts.offer(matching[5:6]) == []  # the same event again is not a new hit
