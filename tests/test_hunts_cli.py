"""`trailtui hunt`: table and jsonl output, exit codes, selection, time range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stratus import STRATUS, stratus_trail

from trailtui.cli import main
from trailtui.hunts import load_catalogue


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    return stratus_trail(tmp_path / "trail", ("defense-evasion.cloudtrail-stop",
                                               "credential-access.secretsmanager-retrieve-secrets",
                                               "execution.ssm-send-command"))


def test_table_lists_fired_hunts_and_exits_1(trail, capsys):
    assert main(["hunt", str(trail)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["HUNT", "SEVERITY", "HITS", "OUTCOME"]
    rows = {line.split()[0]: line.split() for line in out[1:-1]}
    assert set(rows) == {"cloudtrail-stopped", "secrets-mass-retrieval", "ssm-remote-exec-many-targets",
                         "remote-command-by-person"}
    assert rows["cloudtrail-stopped"][1:4] == ["critical", "1", "-"]
    assert rows["secrets-mass-retrieval"][2] == "20"
    assert rows["remote-command-by-person"][1:3] == ["medium", "1"]
    assert "user/christophe" in " ".join(rows["secrets-mass-retrieval"])
    assert out[1].startswith("cloudtrail-stopped"), "most severe first"
    assert out[-1].startswith(f"4 of {len(load_catalogue())} hunts fired, 23 hits, 78 events scanned")


def test_jsonl_lines_have_the_interface_shape(trail, capsys):
    assert main(["hunt", str(trail), "--format", "jsonl", "--hunt", "secrets-mass-retrieval",
                 "--hunt", "cloudtrail-stopped"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 21
    for line in lines:
        assert set(line) == {"hunt", "title", "severity", "technique", "attempt", "event"}
        assert line["attempt"] is False
        assert line["event"]["eventName"] in ("GetSecretValue", "StopLogging")
    stop = next(line for line in lines if line["hunt"] == "cloudtrail-stopped")
    raw = json.loads((STRATUS / "aws.defense-evasion.cloudtrail-stop.json").read_text())[0]
    assert stop["event"] == raw and stop["technique"] == "T1562.008" and stop["severity"] == "critical"


def test_nothing_found_exits_0(trail, capsys):
    assert main(["hunt", str(trail), "--hunt", "leave-organization"]) == 0
    assert capsys.readouterr().out.strip() == "0 of 1 hunts fired, 0 hits, 78 events scanned"
    assert main(["hunt", str(trail), "--until", "2024-01-01T00:00:00Z"]) == 0
    capsys.readouterr()
    assert main(["hunt", str(trail), "--since", "2024-07-31T13:00:00Z", "--until", "2024-07-31T14:00:00Z",
                 "--format", "jsonl"]) == 1
    assert {json.loads(line)["hunt"] for line in capsys.readouterr().out.splitlines()} == {"cloudtrail-stopped"}


def test_list_needs_no_source(capsys):
    assert main(["hunt", "--list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 + len(load_catalogue())
    assert out[1].split()[:3] == ["cloudtrail-stopped", "critical", "T1562.008"]


@pytest.mark.parametrize("argv,message", [
    (["hunt", "SRC", "--hunt", "no-such-hunt"], "unknown hunt 'no-such-hunt'"),
    (["hunt"], "needs a SOURCE"),
    (["hunt", "SRC", "--since", "last tuesday"], "cannot read time"),
    (["hunt", "/nonexistent/trail"], "no such file"),
])
def test_usage_errors_exit_2(trail, capsys, argv, message):
    argv = [str(trail) if a == "SRC" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_hostile_principal_is_shown_escaped(tmp_path, capsys):
    record = json.loads((STRATUS / "aws.defense-evasion.cloudtrail-stop.json").read_text())[0]
    record["userIdentity"]["userName"] = "evil\x1b]0;pwned\x07\x1b[2J"
    (tmp_path / "t.json").write_text(json.dumps([record]))
    assert main(["hunt", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;pwned" in out


def test_own_catalogue(trail, tmp_path, capsys):
    mine = tmp_path / "mine.toml"
    mine.write_text('''
[[hunt]]
id = "any-secret-read"
title = "A secret was read"
severity = "low"
technique = "T1555.006"
why = "Local tuning example."
filter = "eventName == 'GetSecretValue'"
threshold = {count = 25, window = "10m"}
''')
    assert main(["hunt", str(trail), "--catalogue", str(mine)]) == 0, "20 reads stay under a threshold of 25"
    assert capsys.readouterr().out.strip().startswith("0 of 1 hunts fired")
    mine.write_text(mine.read_text().replace("count = 25", "count = 20"))
    assert main(["hunt", str(trail), "--catalogue", str(mine), "--format", "jsonl"]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 20
    mine.write_text("[[hunt]]\nid = 'my-hunt'\n")
    assert main(["hunt", str(trail), "--catalogue", str(mine)]) == 2
    assert "hunt 'my-hunt': 'severity' must be a non-empty string" in capsys.readouterr().err
