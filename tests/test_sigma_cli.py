"""`trailtui hunt --sigma`: rules run beside or instead of the built-in hunts,
`--list` names every rule not loaded and why, and no rule file stops the rest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sigma_corpus import SIGMAHQ
from stratus import stratus_trail

from trailtui.cli import main
from trailtui.hunts import load_catalogue
from trailtui.sigma import load_sigma

RULES = SIGMAHQ / "rules"
STOP_RULE = RULES / "aws_cloudtrail_disable_logging.yml"


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    return stratus_trail(tmp_path / "trail", ("defense-evasion.cloudtrail-stop", "execution.ssm-send-command"))


def test_sigma_rules_run_beside_the_catalogue(trail, capsys):
    assert main(["hunt", str(trail), "--sigma", str(STOP_RULE)]) == 1
    out = capsys.readouterr().out.splitlines()
    rows = {line.split()[0] for line in out[1:-1]}
    assert "cloudtrail-stopped" in rows and "sigma-aws-cloudtrail-disable-logging" in rows
    assert out[-1].startswith(f"{len(rows)} of {len(load_catalogue()) + 1} hunts fired")


def test_only_sigma_jsonl_keeps_rule_id_and_author(trail, capsys):
    assert main(["hunt", str(trail), "--sigma", str(RULES), "--only-sigma", "--format", "jsonl"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and all(line["hunt"].startswith("sigma-") for line in lines)
    stop = [line for line in lines if line["hunt"] == "sigma-aws-cloudtrail-disable-logging"]
    assert stop and stop[0]["event"]["eventName"] == "StopLogging"
    assert stop[0]["rule"]["id"] == "4db60cc0-36fb-42b7-9b58-a5b53019fb74"
    assert stop[0]["rule"]["author"] == "vitaliy0x1"
    assert stop[0]["rule"]["kind"] == "sigma"


def test_list_shows_loaded_rules_and_each_refusal(capsys):
    assert main(["hunt", "--list", "--sigma", str(SIGMAHQ), "--only-sigma"]) == 0
    out = capsys.readouterr().out
    assert "sigma-aws-cloudtrail-disable-logging" in out
    assert "8 Sigma rule(s) or file(s) not loaded:" in out
    assert out.count("pipe syntax") == 7
    assert "cloudtrail-stopped" not in out


def test_only_sigma_without_sigma_is_a_usage_error(capsys):
    assert main(["hunt", "--list", "--only-sigma"]) == 2
    assert "--only-sigma needs --sigma" in capsys.readouterr().err


def _bad_rules(folder: Path) -> None:
    folder.mkdir()
    (folder / "broken.yml").write_text("title: [unclosed\n")
    (folder / "not-a-rule.yml").write_text("just: a mapping\n")
    (folder / "windows.yml").write_text(
        "title: Windows\nlogsource:\n    product: windows\n    category: process_creation\n"
        "detection:\n    sel:\n        Image: x\n    condition: sel\n")
    (folder / "keyword.yml").write_text(
        "title: Keywords\nlogsource:\n    product: aws\n    service: cloudtrail\n"
        "detection:\n    keywords:\n        - evil\n    condition: keywords\n")
    (folder / "binary.yml").write_bytes(b"\xff\xfe\x00garbage")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(20))
    (folder / "laughs.yml").write_text(laughs)
    (folder / "huge.yml").write_text("title: x\n" + "#" * (2 << 20))
    os.mkfifo(folder / "fifo.yml")
    (folder / "good.yml").write_text(STOP_RULE.read_text())


def test_bad_rule_files_are_one_line_each_and_the_rest_run(tmp_path):
    folder = tmp_path / "rules"
    _bad_rules(folder)
    loaded = load_sigma([folder, tmp_path / "missing"])
    assert [h.title for h in loaded.hunts] == ["AWS CloudTrail Important Change"]
    reasons = {Path(r.path).name: r.reason for r in loaded.refused}
    assert "not valid YAML" in reasons["broken.yml"]
    assert "not a Sigma rule" in reasons["not-a-rule.yml"]
    assert "not aws/cloudtrail" in reasons["windows.yml"]
    assert "keyword search" in reasons["keyword.yml"]
    assert "not UTF-8" in reasons["binary.yml"]
    assert "YAML aliases" in reasons["laughs.yml"]
    assert "larger than" in reasons["huge.yml"]
    assert "not a regular file" in reasons["fifo.yml"]
    assert "cannot read" in reasons["missing"]
    assert all("\n" not in str(r) for r in loaded.refused)


def test_cli_with_bad_rules_warns_and_still_hunts(tmp_path, trail):
    folder = tmp_path / "rules"
    _bad_rules(folder)
    done = subprocess.run([sys.executable, "-m", "trailtui", "hunt", str(trail), "--sigma", str(folder),
                           "--only-sigma"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "sigma-good" in done.stdout  # a hunt is named after its rule file
    warnings = [line for line in done.stderr.splitlines() if "sigma rule not loaded" in line]
    assert len(warnings) == 8  # every bad file in _bad_rules, once
