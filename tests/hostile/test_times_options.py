"""Times typed on the command line: out of range, leap seconds, garbage and huge
relative offsets are one usage line and exit 2, for every command that takes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hostile_records import good_records, run_cli, write_trail
from hypothesis import given, settings
from hypothesis import strategies as st

from trailtui.instant import EARLIEST, LATEST, BadTime, read_instant
from trailtui.timerange import TimeParseError, TimeRange, parse_time

BAD_OPTIONS = [("--since", "-99999999d"), ("--since", "-99999999999999999999999999w"), ("--since", "-999999999999s"),
               ("--until", "9999-12-31T00:00:00Z"), ("--until", "9999-12-31T23:00:00-05:00"),
               ("--since", "0001-01-01T00:00:00+05:00"), ("--since", "2024-03-01T23:59:60Z"), ("--until", "tomorrow")]


@pytest.fixture()
def trail(tmp_path):
    write_trail(tmp_path, good_records())
    return tmp_path


@pytest.mark.parametrize(("option", "value"), BAD_OPTIONS)
@pytest.mark.parametrize("command", [["query"], ["hunt"], ["export", "--format", "jsonl"]])
def test_bad_time_option_is_a_usage_error(trail, capsys, command, option, value):
    code, out, err = run_cli(capsys, command[0], str(trail), *command[1:], option, value)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trailtui: error: ") and option in lines[0]


@pytest.mark.parametrize("value", ["9999-12-31T00:00:00Z", "-99999999d", "2024-03-01T23:59:60Z"])
@pytest.mark.parametrize("option", ["--start", "--end"])
def test_verify_window_is_a_usage_error(trail, capsys, option, value):
    code, _, err = run_cli(capsys, "verify", str(trail), option, value)
    assert code == 2 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_acquire_window_is_a_usage_error(tmp_path, capsys, option):
    code, _, err = run_cli(capsys, "acquire", "s3://bucket", str(tmp_path / "out"), option, "9999-12-31T23:59:59Z")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_the_edges_of_the_range_are_accepted():
    assert read_instant("1970-01-01T00:00:00Z") == EARLIEST
    assert read_instant("2999-12-31T23:59:59.999999Z") < LATEST
    window = TimeRange.parse("1970-01-01T00:00:00Z", "2999-12-31T23:59:59Z")
    assert window.since == EARLIEST


@settings(max_examples=300, deadline=200)
@given(st.text(max_size=80))
def test_any_typed_text_is_a_time_or_a_time_parse_error(text):
    now = datetime(2024, 3, 1, tzinfo=UTC)
    try:
        when = parse_time(text, now)
    except TimeParseError as exc:
        assert "\n" not in str(exc)
        return
    assert EARLIEST <= when < LATEST and when.tzinfo is not None


@settings(max_examples=300, deadline=200)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.integers(min_value=-23 * 60, max_value=23 * 60), st.sampled_from(["", ".5", ".123456"]))
def test_any_iso_time_with_any_offset_is_held_or_refused(when, offset_minutes, fraction):
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    text = f"{when.year:04d}-{when:%m-%dT%H:%M:%S}{fraction}{sign}{hours:02d}:{minutes:02d}"
    try:
        parsed = read_instant(text)
    except BadTime as exc:
        assert "outside" in str(exc)
        return
    assert EARLIEST <= parsed < LATEST and parsed.utcoffset().total_seconds() == 0


@settings(max_examples=200, deadline=200)
@given(st.integers(min_value=0, max_value=10 ** 30), st.sampled_from("smhdw"))
def test_any_relative_offset_is_a_time_or_a_usage_error(amount, unit):
    try:
        when = parse_time(f"-{amount}{unit}", datetime(2024, 3, 1, tzinfo=UTC))
    except TimeParseError as exc:
        assert "outside" in str(exc)
        return
    assert EARLIEST <= when < LATEST
