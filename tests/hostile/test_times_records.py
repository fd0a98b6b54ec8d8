"""Out-of-range and unreadable event times: one record's problem (skipped, with a
line naming the file and the record), never the run's; `+05:30` shown in UTC."""

from __future__ import annotations

import pytest
from hostile_records import GOOD_IDS, hostile_trail, jsonl_ids, record_with, run_cli

BAD_TIMES = ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "2024-03-01T23:59:60Z", "1969-12-31T23:59:59Z",
             "3000-01-01T00:00:00Z", "garbage-garbage-garbage", 5, 1e300, None, ["2024-03-01T00:00:00Z"], {"a": 1},
             "2024-03-01T00:00:00" + "0" * 500 + "Z"]


@pytest.mark.parametrize("when", BAD_TIMES, ids=repr)
def test_query_skips_the_record_and_says_which(tmp_path, capsys, when):
    path = hostile_trail(tmp_path, record_with(eventTime=when))
    code, out, err = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl")
    assert code == 0
    assert jsonl_ids(out) == list(reversed(GOOD_IDS))
    assert str(path) in err and "'BAD'" in err and "1 record(s) skipped" in err


@pytest.mark.parametrize("when", ["9999-12-31T23:00:00-05:00", "2024-03-01T23:59:60Z"])
@pytest.mark.parametrize("command", [["hunt"], ["export", "--format", "jsonl"], ["export", "--format", "ocsf"],
                                     ["export", "--format", "csv"]])
def test_hunt_and_export_keep_the_others(tmp_path, capsys, when, command):
    hostile_trail(tmp_path / "trail", record_with(eventTime=when))
    code, out, err = run_cli(capsys, command[0], str(tmp_path / "trail"), *command[1:])
    assert code in (0, 1)
    assert "'BAD'" in err and "skipped" in err
    if command[0] == "export":
        assert all(ident in out for ident in GOOD_IDS)


def test_time_filters_do_not_overflow_on_a_bad_record(tmp_path, capsys):
    hostile_trail(tmp_path, record_with(eventTime="9999-12-31T23:00:00-05:00"))
    code, out, _ = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl",
                           "--since", "2024-03-01T00:00:30Z", "--until", "2999-12-31T00:00:00Z")
    assert code == 0 and jsonl_ids(out) == ["good-3", "good-2"]


def test_an_offset_is_shown_converted_to_utc(tmp_path, capsys):
    hostile_trail(tmp_path, record_with(eventTime="2024-03-01T05:35:00+05:30"))
    code, out, _ = run_cli(capsys, "query", str(tmp_path))
    rows = out.splitlines()[1:]
    assert code == 0 and len(rows) == 4
    assert rows[0].startswith("2024-03-01T00:05:00Z ")  # 05:35+05:30 is 00:05 UTC, newest of the four
    assert "…" not in out and "+05:30" not in out


def test_a_record_with_an_offset_sorts_by_its_utc_time(tmp_path, capsys):
    # 00:01:30 UTC written in +05:30: between good-2 (00:01) and good-3 (00:02)
    hostile_trail(tmp_path, record_with(eventTime="2024-03-01T05:31:30+05:30"))
    _, out, _ = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl")
    assert jsonl_ids(out) == ["good-3", "BAD", "good-2", "good-1"]
