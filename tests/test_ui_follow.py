"""Follow mode in the console (`F`), driven with Pilot over a local trail that
grows while the console watches it: new rows on top (at the bottom oldest
first), marked `+`, the selection never moved, the filter and a `last …`
range respected, hunts on arrival counted in the status line and listed by
`h`, and `F` / `esc` / `ctrl+c` ending the follow."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from test_ui_harness import isolated_config, screen_text, wait_idle, wait_until  # noqa: F401  (autouse fixture)
from trail_builder import event, log_path, write_log

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.hunts_screen import HuntsScreen
from trailtui.ui.time_presets import preset_choice

ACCOUNT = "111122223333"
NOW = datetime.now(UTC).replace(microsecond=0)
STATUS = re.compile(r"newest \d+ (s|min) ago · polled \d+ s ago")


def stop_logging(when: datetime) -> dict[str, Any]:
    return event(when, name="StopLogging", eventSource="cloudtrail.amazonaws.com", eventID="planted-stop",
                 requestParameters={"name": "main-trail"})


def live_trail(root: Path) -> Path:
    """Eight events of the last half hour, delivered in one file."""
    records = [event(NOW - timedelta(minutes=30 - i), eventID=f"base-{i}") for i in range(8)]
    write_log(log_path(root, ACCOUNT, "us-east-1", NOW - timedelta(minutes=20), unique="base000000000000"), records)
    return root


def console(root: Path, **kw: Any) -> TrailApp:
    return TrailApp(ConsoleOptions(str(root), follow_interval=1.0, keep_case=False, **kw))


def status_line(app: TrailApp) -> str:
    return screen_text(app).splitlines()[-2]


def list_rows(app: TrailApp) -> list[str]:
    lines = screen_text(app).splitlines()
    header = next(i for i, line in enumerate(lines) if "PRINCIPAL" in line)
    return [line for line in lines[header + 1:-2] if line.strip()]


def follow_workers(app: TrailApp) -> list[Any]:
    return [w for w in app.workers if w.group == "follow" and not w.is_finished]


def half_written(path: Path, records: list[dict[str, Any]]) -> bytes:
    """Write the first half of a gzip log (a copy in progress); returns the rest."""
    body = gzip.compress(json.dumps({"Records": records}).encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body[: len(body) // 2])
    return body[len(body) // 2:]


async def test_new_files_go_on_top_marked_without_moving_the_selection(tmp_path: Path) -> None:
    root = live_trail(tmp_path / "trail")
    app = console(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("j", "j")
        selected = app.events.selected_raw()
        assert selected is not None and selected["eventID"] == "base-5"
        await pilot.press("F")
        pane = app.events
        await wait_until(pilot, lambda: pane.follow.polled_at is not None)
        assert STATUS.search(status_line(app)), status_line(app)

        # two files in the same minute, and one copied slowly (its first half now)
        stamp = NOW + timedelta(minutes=1)
        write_log(log_path(root, ACCOUNT, "us-east-1", stamp, unique="aaaa000000000000"),
                  [event(NOW - timedelta(seconds=40), eventID="new-1")])
        write_log(log_path(root, ACCOUNT, "eu-west-1", stamp, unique="0000000000000000"),
                  [event(NOW - timedelta(seconds=20), eventID="new-2", awsRegion="eu-west-1")])
        slow = log_path(root, ACCOUNT, "us-east-1", stamp, unique="slow000000000000")
        rest = half_written(slow, [stop_logging(NOW - timedelta(seconds=5))])
        await wait_until(pilot, lambda: pane.follow.arrived == 2)

        assert pane.selected_raw()["eventID"] == "base-5"  # the same event, two lines lower
        assert app.events.list.cursor == 4
        rows = list_rows(app)
        assert rows[0].startswith("+") and rows[1].startswith("+") and not rows[2].startswith("+")
        assert [pane.raw_at(pane.list.store_index(i))["eventID"] for i in range(3)] == ["new-2", "new-1", "base-7"]
        assert "slow" not in " ".join(pane.problems)  # a half-written file is not a problem

        with slow.open("ab") as handle:
            handle.write(rest)
        await wait_until(pilot, lambda: pane.follow.arrived == 3 and pane.follow.hunt_hits == 1)
        assert pane.selected_raw()["eventID"] == "base-5"
        assert pane.raw_at(pane.list.store_index(0))["eventID"] == "planted-stop"
        line = status_line(app)
        assert "1 hunt hit" in line and STATUS.search(line), line
        ids = [pane.raw_at(i)["eventID"] for i in range(len(pane.store))]
        assert len(ids) == len(set(ids)) == 11  # nothing twice
        assert pane.follow.polled_at is not None and not pane.follow.error

        # the timeline counts the arrivals too
        assert pane.histogram.total == 11

        # h lists the hit that arrived
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HuntsScreen) and app.screen.done)
        text = screen_text(app)
        assert "1 hit on arrival" in text
        assert "CloudTrail logging stopped" in text
        tally = app.screen.tallies.get("cloudtrail-stopped")
        assert tally is not None and tally.count == 1  # the scan found it too: counted once
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HuntsScreen))

        # F again stops: the worker ends, the status line no longer polls
        await pilot.press("F")
        await wait_until(pilot, lambda: not follow_workers(app))
        assert not pane.follow.active
        assert "polled" not in status_line(app)


async def test_filter_range_and_oldest_first_while_following(tmp_path: Path) -> None:
    root = live_trail(tmp_path / "trail")
    newest = NOW - timedelta(minutes=23)
    app = console(root, filter_text="eventName == 'GetObject'",
                  range_choice=preset_choice("1h", newest, anchored_to_trail=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        pane = app.events
        assert len(pane.store) == 8
        await pilot.press("o", "j")  # oldest first, on the second oldest
        assert pane.selected_raw()["eventID"] == "base-1"
        await pilot.press("F")
        await wait_until(pilot, lambda: pane.follow.polled_at is not None)
        write_log(log_path(root, ACCOUNT, "us-east-1", NOW + timedelta(minutes=1), unique="bbbb000000000000"),
                  [event(NOW - timedelta(seconds=30), eventID="later-get"),
                   stop_logging(NOW - timedelta(seconds=10))])
        await wait_until(pilot, lambda: pane.follow.hunt_hits == 1)
        # past the range's end (the newest event when it was chosen): still listed, the preset extends
        assert pane.follow.arrived == 1
        assert pane.selected_raw()["eventID"] == "base-1" and pane.list.cursor == 1
        last = pane.list.row_count - 1
        assert pane.raw_at(pane.list.store_index(last))["eventID"] == "later-get"  # at the bottom
        assert "planted-stop" not in {pane.raw_at(i)["eventID"] for i in range(len(pane.store))}  # filtered out
        await pilot.press("escape")
        await wait_until(pilot, lambda: not follow_workers(app))
        assert not pane.follow.active


async def test_ctrl_c_stops_following_before_quitting(tmp_path: Path) -> None:
    root = live_trail(tmp_path / "trail")
    app = console(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("F")
        await wait_until(pilot, lambda: app.events.follow.polled_at is not None)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not follow_workers(app))
        assert app.is_running and not app.events.follow.active
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running)


def _s3_key(stamp: datetime, unique: str) -> str:
    return (f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/{stamp:%Y/%m/%d}/"
            f"{ACCOUNT}_CloudTrail_us-east-1_{stamp:%Y%m%dT%H%M}Z_{unique}.json.gz")


def _s3_body(*records: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps({"Records": list(records)}).encode())


async def test_throttled_polls_are_said_in_the_status_line_and_retried(aws_env: str) -> None:
    from sources_fixture import fault, upload

    from trailtui.aws.clients import ClientFactory
    from trailtui.aws.config import AwsConfig
    from trailtui.sources.s3 import S3Source

    bucket = "follow-console"
    upload(aws_env, bucket, {_s3_key(NOW - timedelta(minutes=20), "base"): _s3_body(
        event(NOW - timedelta(minutes=25), eventID="s3-base"))})
    config = AwsConfig(region="us-east-1", endpoint_url=aws_env)
    source = S3Source(f"s3://{bucket}", config, factory=ClientFactory(config, max_attempts=1))
    app = TrailApp(ConsoleOptions(f"s3://{bucket}", aws=config, source=source, follow_interval=1.0,
                                  keep_case=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        pane = app.events
        await pilot.press("F")
        await wait_until(pilot, lambda: pane.follow.polled_at is not None)
        fault(aws_env, "s3", "ListObjectsV2", "SlowDown", status=503, times=5, match="CloudTrail/us-east-1/")
        await wait_until(pilot, lambda: "poll failed" in status_line(app), timeout=15)
        assert "throttled" in pane.follow.error and pane.follow.retry_in >= 2
        assert pane.follow.active  # still following: the next poll is only later
        upload(aws_env, bucket, {_s3_key(NOW, "after"): _s3_body(event(NOW - timedelta(seconds=5),
                                                                      eventID="s3-after"))})
        await wait_until(pilot, lambda: pane.follow.arrived == 1, timeout=60)
        assert not pane.follow.error and STATUS.search(status_line(app)), status_line(app)
        assert pane.raw_at(pane.list.store_index(0))["eventID"] == "s3-after"
        await pilot.press("F")
        await wait_until(pilot, lambda: not follow_workers(app))


def test_follow_part_of_the_status_line_fits_80_columns_with_hits_first_and_cost() -> None:
    from trailtui.ui.follow_state import FollowState, ago
    from trailtui.ui.status_line import RunState, status_text

    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert [ago(now - timedelta(seconds=s), now) for s in (12, 360, 7200, 3 * 86400)] == \
        ["12 s ago", "6 min ago", "2 h ago", "3 d ago"]
    state = FollowState(active=True, newest=now - timedelta(minutes=6), polled_at=now - timedelta(seconds=12),
                        hunt_hits=2, scanned_bytes=123_456_789)
    variants = state.variants(now)
    assert variants[0] == ("following · 2 hunt hits · newest 6 min ago · polled 12 s ago · "
                           "123.5 MB scanned ≈$0.00062/poll")
    assert variants[-2:] == ["2 hunt hits · newest 6 min ago · polled 12 s ago",
                             "2 hits · newest 6 min ago · polled 12 s ago"]
    run = RunState(started=1.0, scanned=1200, matched=56)
    narrow = status_text(80, "athena://wg/db.table", "last 1h", "errorCode != null", run, variants)
    assert len(narrow) <= 80 and narrow.endswith("2 hits · newest 6 min ago · polled 12 s ago"), narrow
    wide = status_text(200, "athena://wg/db.table", "last 1h", "errorCode != null", run, variants)
    assert "56 matched · following · 2 hunt hits" in wide and "≈$0.00062/poll" in wide, wide
    failed = FollowState(active=True, newest=now, error="cannot reach AWS endpoint", retry_in=60.0)
    assert failed.variants(now)[0] == "✗ poll failed: cannot reach AWS endpoint · retry in 60 s · newest 0 s ago"


async def test_scrolled_down_the_view_keeps_its_rows_and_a_new_filter_keeps_following(tmp_path: Path) -> None:
    root = tmp_path / "trail"
    records = [event(NOW - timedelta(minutes=50) + timedelta(seconds=40 * i), eventID=f"row-{i}") for i in range(60)]
    write_log(log_path(root, ACCOUNT, "us-east-1", NOW - timedelta(minutes=5), unique="rows000000000000"), records)
    app = console(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        pane = app.events
        await pilot.press("pagedown", "j")
        top = pane.list.scroll_offset.y
        assert top > 0
        shown_top = pane.raw_at(pane.list.store_index(top))["eventID"]
        selected = pane.selected_raw()["eventID"]
        await pilot.press("F")
        await wait_until(pilot, lambda: pane.follow.polled_at is not None)
        write_log(log_path(root, ACCOUNT, "us-east-1", NOW + timedelta(minutes=1), unique="more000000000000"),
                  [event(NOW - timedelta(seconds=9), eventID="more-1"), event(NOW - timedelta(seconds=3),
                                                                             eventID="more-2")])
        await wait_until(pilot, lambda: pane.follow.arrived == 2)
        assert pane.list.scroll_offset.y == top + 2  # the rows on screen did not move
        assert pane.raw_at(pane.list.store_index(pane.list.scroll_offset.y))["eventID"] == shown_top
        assert pane.selected_raw()["eventID"] == selected

        # a new filter while following: the new results, then following them
        app.apply_filter("eventName == 'DeleteBucket'")
        await wait_idle(pilot, app)
        await wait_until(pilot, lambda: pane.follow.active and not pane.follow.waiting and bool(follow_workers(app)))
        write_log(log_path(root, ACCOUNT, "us-east-1", NOW + timedelta(minutes=2), unique="dele000000000000"),
                  [event(NOW - timedelta(seconds=1), name="DeleteBucket", eventID="gone"),
                   event(NOW - timedelta(seconds=1), eventID="not-shown")])
        await wait_until(pilot, lambda: pane.follow.arrived == 1)
        assert [pane.raw_at(i)["eventID"] for i in range(len(pane.store))] == ["gone"]
        assert pane.list.row_count == 1 and list_rows(app)[0].startswith("+")


async def test_athena_follow_shows_data_scanned_and_cost_per_poll(aws_env: str) -> None:
    import boto3
    from sources_fixture import fault

    from trailtui.aws.clients import ClientFactory
    from trailtui.aws.config import AwsConfig
    from trailtui.sources.athena import AthenaSource

    url = "athena://trailwg/trails.cloudtrail_logs"
    boto3.client("athena", endpoint_url=aws_env, region_name="us-east-1").create_work_group(
        Name="trailwg", Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/q/"}})
    config = AwsConfig(region="us-east-1", endpoint_url=aws_env)
    source = AthenaSource(url, config, factory=ClientFactory(config, max_attempts=1))
    source.poll_interval = 0.02
    fault(aws_env, "athena", "DataScanned", bytes=734_003_200, times=50)
    app = TrailApp(ConsoleOptions(url, aws=config, source=source, follow_interval=1.0, keep_case=False))
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_idle(pilot, app)
        pane = app.events
        await pilot.press("F")
        await wait_until(pilot, lambda: pane.follow.scanned_bytes is not None)
        assert pane.follow.scanned_bytes == 734_003_200
        await wait_until(pilot, lambda: "734.0 MB scanned ≈$0.00367/poll" in status_line(app), timeout=15)
        assert "following · no events yet · polled " in status_line(app)  # an empty table: nothing is newest
        await pilot.press("escape")
        await wait_until(pilot, lambda: not follow_workers(app))


async def test_f_during_the_scan_follows_once_it_ends(tmp_path: Path) -> None:
    from test_ui_harness import ScriptedSource

    root = live_trail(tmp_path / "trail")
    records = [event(NOW - timedelta(minutes=30 - i), eventID=f"base-{i}") for i in range(8)]
    scan = ScriptedSource(records, page_size=1, delay=0.3)  # a slow scan of the same events
    app = TrailApp(ConsoleOptions(str(root), source=scan, follow_interval=1.0, keep_case=False))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.events
        await wait_until(pilot, lambda: pane.run.matched >= 1)
        await pilot.press("F")
        assert pane.run.running and pane.follow.waiting and not follow_workers(app)
        await wait_until(pilot, lambda: "follow starts when the scan ends" in status_line(app))
        await wait_idle(pilot, app)
        await wait_until(pilot, lambda: pane.follow.polled_at is not None and not pane.follow.waiting)
        write_log(log_path(root, ACCOUNT, "us-east-1", NOW + timedelta(minutes=1), unique="cccc000000000000"),
                  [event(NOW - timedelta(seconds=2), eventID="after-scan")])
        await wait_until(pilot, lambda: pane.follow.arrived == 1)
        ids = [pane.raw_at(i)["eventID"] for i in range(len(pane.store))]
        assert ids[-1] == "after-scan" and len(ids) == len(set(ids)) == 9
