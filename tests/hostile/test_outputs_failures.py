"""Output that cannot be written (a full disk, a closed pipe) ends every
command with exit 2 and one line, never a traceback, never exit 1 (for
`verify` 1 means an integrity failure)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_outputs import hostile_trail, run_to
from integrity_fixtures import HOUR, T0, build_trail, key_list, signing_key, stamp, write_local


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("sources")
    hostile_trail(base / "trail")
    copy = write_local(build_trail(), base / "copy")
    keys = base / "keys.json"
    keys.write_text(json.dumps(key_list(signing_key())))
    return {"trail": str(base / "trail"), "copy": str(copy), "keys": str(keys)}


def _commands(src: dict[str, str]) -> dict[str, list[str]]:
    window = ["--start", stamp(T0), "--end", stamp(T0 + 4 * HOUR)]
    return {
        "query": ["query", src["trail"]],
        "query-csv": ["query", src["trail"], "--format", "csv"],
        "query-jsonl": ["query", src["trail"], "--format", "jsonl"],
        "hunt": ["hunt", src["trail"]],
        "hunt-list": ["hunt", "--list"],
        "verify-json": ["verify", src["copy"], *window, "--public-keys", src["keys"], "--format", "json"],
        "verify-text": ["verify", src["copy"], *window, "--public-keys", src["keys"], "--verbose"],
        "athena-ddl": ["athena-ddl", "--bucket", "my-trail-bucket", "--account", "111122223333",
                       "--regions", "us-east-1", "--no-discover"],
        "export-jsonl": ["export", src["trail"], "--format", "jsonl"],
        "export-markdown": ["export", src["trail"], "--format", "markdown"],
    }


NAMES = ["query", "query-csv", "query-jsonl", "hunt", "hunt-list", "verify-json", "verify-text", "athena-ddl",
         "export-jsonl", "export-markdown"]


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("trailtui: error:")]
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("name", NAMES)
def test_full_disk_is_exit_2_and_one_line(sources, tmp_path, name):
    with open("/dev/full", "w") as full:
        done = run_to(_commands(sources)[name], tmp_path, full)
    assert done.returncode == 2, done.stderr
    assert "No space left on device" in _one_line(done.stderr)


@pytest.mark.parametrize("name", NAMES)
def test_closed_pipe_is_exit_2_and_one_line(sources, tmp_path, name):
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write fails with EPIPE
    try:
        done = run_to(_commands(sources)[name], tmp_path, write_end)
    finally:
        os.close(write_end)
    assert done.returncode == 2, done.stderr
    assert "Broken pipe" in _one_line(done.stderr)


def test_in_process_runs_restore_stdout(sources, capsys):
    import sys

    from trailtui.cli import main

    before = sys.stdout
    assert main(["query", sources["trail"], "--format", "jsonl"]) == 0
    assert sys.stdout is before
    assert capsys.readouterr().out.count("\n") == 11
    assert Path(sources["trail"]).is_dir()
