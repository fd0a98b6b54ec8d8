"""`trailtui export`: files 0600, atomic, never clobbered; stdout; marks;
errors as one line with exit 2."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from stratus import stratus_records as _records
from stratus import stratus_trail

from trailtui.cli import main
from trailtui.export import output as output_module
from trailtui.export.marks import Mark, read_marks, write_marks
from trailtui.export.output import OutputExists, atomic_text_file


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    return stratus_trail(tmp_path / "trail", ("defense-evasion.cloudtrail-stop", "persistence.iam-create-admin-user",
                                              "credential-access.secretsmanager-retrieve-secrets"))


def test_jsonl_to_stdout_is_raw_and_newest_first(trail, capsys):
    assert main(["export", str(trail), "--format", "jsonl", "--filter", "eventSource == 'iam.amazonaws.com'"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["eventName"] for r in lines] and all(r["eventSource"] == "iam.amazonaws.com" for r in lines)
    expected = {json.dumps(r, sort_keys=True) for r in _records("persistence.iam-create-admin-user")}
    assert {json.dumps(r, sort_keys=True) for r in lines} == expected
    times = [r["eventTime"] for r in lines]
    assert times == sorted(times, reverse=True)


def test_file_is_0600_and_never_clobbered(trail, tmp_path, capsys):
    target = tmp_path / "out.csv"
    assert main(["export", str(trail), "--format", "csv", "-o", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert len(rows) == 1 + 1 + 3 + 21
    assert "wrote 25 events" in capsys.readouterr().err
    before = target.read_bytes()
    assert main(["export", str(trail), "--format", "jsonl", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists" in err and "--force" in err
    assert target.read_bytes() == before
    assert main(["export", str(trail), "--format", "jsonl", "-o", str(target), "--force"]) == 0
    assert target.read_text().startswith("{") and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_failed_export_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "never.jsonl"
    with pytest.raises(RuntimeError):
        with atomic_text_file(target) as handle:
            handle.write("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_race_with_a_file_created_meanwhile_is_refused(tmp_path, monkeypatch):
    target = tmp_path / "race.jsonl"
    with pytest.raises(OutputExists):
        with atomic_text_file(target) as handle:
            handle.write("mine")
            target.write_text("someone else's")
    assert target.read_text() == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["race.jsonl"]


def test_markdown_report_with_marks_and_integrity(trail, tmp_path, capsys):
    records = _records("persistence.iam-create-admin-user")
    marks_file = tmp_path / "marks.jsonl"
    write_marks(marks_file, [Mark(event=records[0], note="new admin | by [christophe]",
                                  marked_at=datetime(2024, 8, 2, tzinfo=UTC))])
    with open(marks_file, "a") as handle:
        handle.write("not json\n")
    verify = tmp_path / "verify.json"
    verify.write_text(json.dumps({"summary": {"ok": True, "statuses": {"VALID": 4}}, "results": []}))
    report = tmp_path / "report.md"
    code = main(["export", str(trail), "--format", "markdown", "--marked", str(marks_file),
                 "--verify-result", str(verify), "-o", str(report), "--since", "2024-07-01T00:00:00Z"])
    assert code == 0
    err = capsys.readouterr().err
    assert "line 2: not JSON" in err
    text = report.read_text()
    assert "25 events of 25 scanned" in text
    assert "VERIFIED" in text
    assert "## Hunts that fired" in text and "cloudtrail\\-stopped" not in text and "| cloudtrail-stopped |" in text
    assert "new admin \\| by \\[christophe\\]" in text
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_marked_only_for_other_formats(trail, tmp_path, capsys):
    records = _records("defense-evasion.cloudtrail-stop")
    marks_file = tmp_path / "marks.jsonl"
    write_marks(marks_file, [Mark(event=records[0], note="stop")])
    assert main(["export", str(trail), "--format", "ocsf", "--marked", str(marks_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["api"]["operation"] == "StopLogging"


def test_since_until_window(trail, capsys):
    assert main(["export", str(trail), "--format", "jsonl", "--since", "2024-07-31T13:00:00Z",
                 "--until", "2024-07-31T14:00:00Z"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["eventName"] for r in lines] == ["StopLogging"]


@pytest.mark.parametrize("argv,message", [
    (["--format", "csv", "--filter", "eventName =="], "bad filter"),
    (["--format", "csv", "--since", "yesterday"], "cannot read time"),
    (["--format", "csv", "--marked", "/nonexistent/marks.jsonl"], "cannot read marks"),
    (["--format", "csv", "--verify-result", "/nonexistent/v.json"], "cannot read"),
])
def test_usage_errors_exit_2_with_one_clear_line(trail, capsys, argv, message):
    assert main(["export", str(trail)] + argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_source_and_bad_verify_file(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope"), "--format", "csv"]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "v.json"
    bad.write_text("{}")
    assert main(["export", str(tmp_path), "--format", "csv", "--verify-result", str(bad)]) == 2
    assert "not a trailtui verify" in capsys.readouterr().err


def test_marks_round_trip_and_bad_lines(tmp_path):
    path = tmp_path / "m.jsonl"
    marks = [Mark(event={"eventID": "1", "eventTime": "2024-01-01T00:00:00Z"}, note="é \x1b",
                  marked_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))]
    write_marks(path, marks)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"event": marks[0].event, "note": "é \x1b",
                                            "marked_at": "2024-01-02T03:04:05Z"}
    loaded = read_marks(path)
    assert loaded.problems == [] and loaded.marks[0].note == "é \x1b"
    assert loaded.marks[0].marked_at == marks[0].marked_at
    with pytest.raises(FileExistsError):
        write_marks(path, marks)
    path.write_text('{"event": 1}\n[]\n{"event": {}, "marked_at": "soon"}\n\n{"event": {"a": 1}}\n')
    loaded = read_marks(path)
    assert [p.line for p in loaded.problems] == [1, 2, 3] and len(loaded.marks) == 1


def test_atomic_output_without_hard_links(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "x.txt"
    with atomic_text_file(target) as handle:
        handle.write("ok")
    assert target.read_text() == "ok" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert output_module.check_target  # still refuses when present
    with pytest.raises(OutputExists):
        with atomic_text_file(target) as handle:
            handle.write("again")
