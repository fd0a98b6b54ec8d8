"""`trailtui query`: formats, exit codes, hostile text, and agreement with jmespath."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import timedelta

import jmespath
import pytest
from trail_builder import T0, event, hourly_trail, log_path, traildiscover_records, write_log

from trailtui.cli import main
from trailtui.filters import is_truthy


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def trail(tmp_path):
    hourly_trail(tmp_path, T0, hours=4)
    return tmp_path


def test_jsonl_is_the_recorded_event_newest_first(capsys, trail):
    code, out, err = run(capsys, "query", str(trail), "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 40
    assert [r["eventTime"] for r in lines] == sorted((r["eventTime"] for r in lines), reverse=True)
    assert set(lines[0]) >= {"eventVersion", "userIdentity", "eventTime", "eventID"}


def test_table_columns(capsys, trail):
    code, out, _ = run(capsys, "query", str(trail), "--limit", "2")
    header, *rows = out.splitlines()
    assert header.split() == ["TIME", "PRINCIPAL", "EVENT", "SOURCE", "IP", "REGION", "ERROR"]
    assert len(rows) == 2 and "user/alice" in rows[0] and "s3:Op3_" in rows[0]


def test_csv_format_and_formula_neutralising(capsys, tmp_path):
    write_log(log_path(tmp_path, "111122223333", "us-east-1", T0 + timedelta(minutes=9)),
              [event(T0, userAgent="=HYPERLINK(\"http://evil\")", errorMessage="a,\"b\"\nc")])
    code, out, _ = run(capsys, "query", str(tmp_path), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:5] == ["time", "principal", "access_key", "event_source", "event_name"]
    assert rows[1][rows[0].index("user_agent")] == "'=HYPERLINK(\"http://evil\")"
    assert rows[1][rows[0].index("error_message")] == "a,\"b\"\nc"


def test_since_until_relative_and_iso(capsys, trail):
    code, out, _ = run(capsys, "query", str(trail), "--format", "jsonl",
                       "--since", "2024-03-01T01:00:00Z", "--until", "2024-03-01T03:59:59+01:00")
    times = [json.loads(line)["eventTime"] for line in out.splitlines()]
    assert times and min(times) >= "2024-03-01T01:00:00Z" and max(times) <= "2024-03-01T02:59:59Z"
    code, out, _ = run(capsys, "query", str(trail), "--since", "-15m")
    assert code == 0 and len(out.splitlines()) == 1  # header only: the trail is from 2024


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--filter", "eventName =="], "bad filter at column 13"),
        (["--since", "yesterday-ish"], "cannot read time"),
        (["--since", "now", "--until", "-1d"], "is after"),
        (["--limit", "-3"], "--limit"),
    ],
)
def test_usage_errors_exit_2_without_traceback(capsys, trail, argv, message):
    code, out, err = run(capsys, "query", str(trail), *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_source_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "query", str(tmp_path / "nope"))
    assert code == 2 and "no such file" in err


def test_bad_files_warn_on_stderr_and_exit_0(capsys, trail):
    (trail / "broken.json.gz").write_bytes(gzip.compress(b'{"Records": [')[:-4])
    code, out, err = run(capsys, "query", str(trail), "--format", "jsonl")
    assert code == 0 and len(out.splitlines()) == 40
    assert "broken.json.gz" in err and "truncated" in err


def test_table_never_emits_control_characters(capsys, tmp_path):
    hostile = "\x1b]0;pwned\x07\x1b[2J[red]x[/red]"
    write_log(log_path(tmp_path, "111122223333", "us-east-1", T0 + timedelta(minutes=9)),
              [event(T0, sourceIPAddress=hostile, userIdentity={"type": "IAMUser", "userName": hostile})])
    code, out, _ = run(capsys, "query", str(tmp_path))
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned\\x07" in out


def test_global_options_before_or_after_the_command(capsys, trail):
    assert run(capsys, "--region", "eu-west-1", "query", str(trail), "-n", "1")[0] == 0
    assert run(capsys, "query", str(trail), "-n", "1", "--profile", "nobody", "--endpoint-url", "http://x")[0] == 0


FILTERS = [
    "eventName == 'ConsoleLogin'",
    "userIdentity.type == 'AssumedRole' && errorCode == `null`",
    "contains(eventSource, 'iam')",
    "readOnly == `false` || sourceIPAddress == 'AWS Internal'",
    "userIdentity.sessionContext.sessionIssuer.userName != null",
]


@pytest.mark.parametrize("expression", FILTERS)
def test_query_equals_jmespath_search_on_real_records(capsys, tmp_path, expression):
    """Real records written by others, spread over a trail tree, through the CLI:
    exactly the events stock jmespath selects (where stock jmespath is defined)."""
    records = traildiscover_records()
    for i in range(0, len(records), 25):
        write_log(tmp_path / f"chunk{i:04d}.json.gz", records[i:i + 25])

    def stock(raw):
        try:
            return is_truthy(jmespath.search(expression, raw))
        except jmespath.exceptions.JMESPathTypeError:
            return False

    expected = sorted(json.dumps(r, sort_keys=True) for r in records if stock(r))
    code, out, _ = run(capsys, "query", str(tmp_path), "--filter", expression, "--format", "jsonl")
    got = sorted(json.dumps(json.loads(line), sort_keys=True) for line in out.splitlines())
    assert code == 0 and got == expected
