"""`trailtui stats`: the JSON document's exact shape, table and CSV, short names,
filter and time range, hostile keys, and one-line usage errors (exit 2)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from trail_builder import T0, event, hourly_trail, log_path, write_log

from trailtui.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def trail(tmp_path):
    hourly_trail(tmp_path, T0, hours=4)  # 40 events, regions us-east-1 / eu-west-1
    return tmp_path


def test_json_document(capsys, trail):
    code, out, err = run(capsys, "stats", str(trail), "--by", "region", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["by", "events", "distinct", "groups", "others"]
    assert data["by"] == ["region"] and data["events"] == 40 and data["distinct"] == 2 and data["others"] == 0
    assert [g["key"] for g in data["groups"]] == [["eu-west-1"], ["us-east-1"]]  # tie: key ascending
    assert data["groups"][1] == {"key": ["us-east-1"], "count": 20, "first": "2024-03-01T00:00:00Z",
                                 "last": "2024-03-01T03:20:00Z"}


def test_several_by_filter_since_and_top(capsys, trail):
    code, out, _ = run(capsys, "stats", str(trail), "--by", "awsRegion", "--by", "eventName", "--top", "3",
                       "--filter", "awsRegion == 'us-east-1'", "--since", "2024-03-01T02:00:00Z", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["events"] == 10 and data["distinct"] == 10 and data["others"] == 7
    assert [g["key"] for g in data["groups"]] == [["us-east-1", "Op2_0"], ["us-east-1", "Op2_1"],
                                                  ["us-east-1", "Op2_2"]]


def test_table_and_csv_keep_hostile_keys_harmless(capsys, tmp_path):
    write_log(log_path(tmp_path, "111122223333", "us-east-1", T0 + timedelta(minutes=20)), [
        event(T0, sourceIPAddress="=HYPERLINK(\"x\")"), event(T0, sourceIPAddress="\x1b[2J[red]boom[/red]"),
        event(T0 + timedelta(minutes=1))])
    code, out, _ = run(capsys, "stats", str(tmp_path), "--by", "ip")
    assert code == 0 and "\x1b" not in out and "\\x1b[2J[red]boom[/red]" in out
    assert "3 events, 3 distinct" in out
    code, out, _ = run(capsys, "stats", str(tmp_path), "--by", "ip", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["ip", "count", "first", "last"]
    assert ["'=HYPERLINK(\"x\")", "1", "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"] in rows


def test_bad_by_is_one_line_with_its_column(capsys, trail):
    code, out, err = run(capsys, "stats", str(trail), "--by", "eventName", "--by", "userIdentity.[arn")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "column" in err and "userIdentity.[arn" in err


def test_by_is_required_and_top_bounded(capsys, trail):
    with pytest.raises(SystemExit) as caught:
        main(["stats", str(trail)])
    assert caught.value.code == 2
    code, _, err = run(capsys, "stats", str(trail), "--by", "ip", "--top", "-1")
    assert code == 2 and "--top" in err
