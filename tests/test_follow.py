"""Follow mode: new events as they land, each once, none lost, from a local
tree (a real `trailtui query --follow` process), an S3 bucket on the moto
server (across midnight UTC, with two objects in the same minute) and a query
source re-asked for its newest window."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sources_fixture import upload
from trail_builder import event, log_path, write_log

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.follow import SeenEvents, open_follower
from trailtui.follow.s3_objects import S3Follower
from trailtui.sources import Page, Query
from trailtui.timerange import TimeRange

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "111122223333"


class _Lines:
    """A process's stdout lines, read by a thread (select() cannot see lines
    already pulled into Python's buffer)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.queue.put(line)

    def take(self, want: int, timeout: float) -> list[str]:
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while len(got) < want:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                got.append(self.queue.get(timeout=left))
            except queue.Empty:
                break
        return got

    def json(self, want: int, timeout: float) -> list[dict]:
        return [json.loads(line) for line in self.take(want, timeout)]


def _follow(root: Path, fmt: str) -> subprocess.Popen:
    """`trailtui query ROOT --follow` as a real process in its own process group,
    so `_end` can take down its scan workers too if it ever fails to stop."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "trailtui", "query", str(root), "--follow", "--interval", "1",
                             "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def _end(proc: subprocess.Popen) -> str:
    """ctrl+c, as a user would; the process group is killed if it has not ended
    in 60 s (and the test fails), so no follower outlives its test."""
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError("query --follow did not end on SIGINT within 60 s") from None
    return err


def test_local_follow_prints_new_files_once_including_a_slow_one(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    root = tmp_path / "trail"
    write_log(log_path(root, ACCOUNT, "us-east-1", now - timedelta(minutes=10)),
              [event(now - timedelta(minutes=12), "Old")])
    proc = _follow(root, "jsonl")
    lines = _Lines(proc)
    try:
        assert [e["eventName"] for e in lines.json(1, 30)] == ["Old"]
        # two files delivered in the same minute, and one written slowly in two halves
        same_minute = now + timedelta(seconds=5)
        write_log(log_path(root, ACCOUNT, "us-east-1", same_minute, unique="aaaa"), [event(now, "A1"),
                                                                                     event(now, "A2")])
        write_log(log_path(root, ACCOUNT, "eu-west-1", same_minute, unique="0000"), [event(now, "B1")])
        slow = log_path(root, ACCOUNT, "us-east-1", now + timedelta(minutes=1), unique="slow")
        body = gzip.compress(json.dumps({"Records": [event(now + timedelta(seconds=30), "Slow")]}).encode())
        slow.write_bytes(body[: len(body) // 2])
        first = lines.json(3, 10)
        assert sorted(e["eventName"] for e in first) == ["A1", "A2", "B1"]
        time.sleep(1.5)
        with slow.open("ab") as handle:
            handle.write(body[len(body) // 2:])
        rest = lines.json(1, 10)
        assert [e["eventName"] for e in rest] == ["Slow"]
        # nothing printed twice, and nothing else arrives
        assert lines.take(1, 2.5) == []
    finally:
        err = _end(proc)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "corrupt" not in err and "truncated" not in err.lower(), err


def test_follow_refuses_until_and_bad_interval(tmp_path, capsys):
    from trailtui.cli import main

    (tmp_path / "t").mkdir()
    assert main(["query", str(tmp_path / "t"), "--follow", "--until", "-1h"]) == 2
    assert "--until" in capsys.readouterr().err
    assert main(["query", str(tmp_path / "t"), "--follow", "--interval", "0.1"]) == 2
    assert "--interval" in capsys.readouterr().err


def _key(stamp: datetime, region: str = "us-east-1", unique: str = "abcdef0123456789") -> str:
    return (f"AWSLogs/{ACCOUNT}/CloudTrail/{region}/{stamp:%Y/%m/%d}/"
            f"{ACCOUNT}_CloudTrail_{region}_{stamp:%Y%m%dT%H%M}Z_{unique}.json.gz")


def _body(*records: dict) -> bytes:
    return gzip.compress(json.dumps({"Records": list(records)}).encode())


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def test_s3_follow_across_midnight_same_minute_and_a_new_region(aws_env):
    bucket = "follow-bucket"
    day_end = datetime(2026, 3, 1, 23, 50, tzinfo=UTC)
    upload(aws_env, bucket, {_key(day_end): _body(event(day_end, "Before"))})
    factory = ClientFactory(AwsConfig(region="us-east-1", endpoint_url=aws_env), max_attempts=1)
    clock = _Clock(day_end + timedelta(minutes=1))
    follower = S3Follower(f"s3://{bucket}", factory, EventFilter.compile(""), SeenEvents(), clock, layout_every=1)
    await follower.prime()
    assert (await follower.poll()).events == []

    # two objects delivered in the same minute: the second's suffix sorts first
    minute = day_end + timedelta(minutes=5)
    upload(aws_env, bucket, {_key(minute, unique="zzzz"): _body(event(minute, "Z")),
                             _key(minute, unique="aaaa"): _body(event(minute, "A"))})
    clock.now = minute + timedelta(minutes=1)
    assert sorted(e.event_name for e in (await follower.poll()).events) == ["A", "Z"]

    # midnight UTC passes: the new day's folder, a late file for the old day, and a new region
    after = datetime(2026, 3, 2, 0, 3, tzinfo=UTC)
    upload(aws_env, bucket, {_key(after): _body(event(after, "NewDay")),
                             _key(day_end + timedelta(minutes=9), unique="late"): _body(event(day_end, "Late")),
                             _key(after, region="ap-south-1"): _body(event(after, "NewRegion"))})
    clock.now = after + timedelta(minutes=1)
    got = await follower.poll()
    assert sorted(e.event_name for e in got.events) == ["Late", "NewDay", "NewRegion"]
    assert (await follower.poll()).events == [], "nothing is read twice"


class _Growing:
    """A query source whose events grow between searches (Event history, Athena, Lake)."""

    url = "lookup://us-east-1"

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.asked: list[TimeRange] = []

    async def search(self, query: Query):
        self.asked.append(query.time_range)
        rows = [Event.from_raw(r, "x") for r in self.events]
        rows = [e for e in rows if query.time_range.since is None or e.time >= query.time_range.since]
        yield Page(events=sorted(rows, key=lambda e: e.time, reverse=True), scanned=len(rows))

    async def close(self) -> None:
        return None


def test_window_follow_reasks_from_the_newest_event_with_overlap():
    source = _Growing()
    base = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    source.events = [event(base, "First")]
    follower = open_follower(source.url, source, EventFilter.compile(""))  # type: ignore[arg-type]

    async def scenario() -> list[list[str]]:
        await follower.prime()
        follower.shown([Event.from_raw(source.events[0], "x")])
        rounds = []
        source.events.append(event(base + timedelta(minutes=3), "Second"))
        source.events.append(event(base - timedelta(minutes=5), "LateButInOverlap"))
        rounds.append([e.event_name for e in (await follower.poll()).events])
        rounds.append([e.event_name for e in (await follower.poll()).events])
        return rounds

    assert asyncio.run(scenario()) == [["LateButInOverlap", "Second"], []]
    assert source.asked[-1].since == base + timedelta(minutes=3) - timedelta(minutes=20)


def test_seen_events_stay_bounded():
    seen = SeenEvents(limit=100)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(1_000):
        seen.add(Event.from_raw(event(base + timedelta(seconds=i), f"E{i}"), "x"))
    assert len(seen) == 100


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_local_follow_works_in_every_format(tmp_path, fmt):
    now = datetime.now(UTC).replace(microsecond=0)
    root = tmp_path / "trail"
    root.mkdir()
    proc = _follow(root, fmt)
    lines = _Lines(proc)
    try:
        header = lines.take(1, 30)
        assert header and header[0].strip(), "the header goes out before following starts"
        write_log(log_path(root, ACCOUNT, "us-east-1", now), [event(now, "Arrived")])
        assert any("Arrived" in line for line in lines.take(1, 10))
    finally:
        _end(proc)
    assert proc.returncode == 0
