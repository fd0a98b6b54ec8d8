"""Text formats written to a terminal are escaped like the table (an OSC 52 in
`userAgent` must not write the clipboard, an OSC 2 must not set the title); to
a file or a pipe CSV stays exact but formula-neutralised and JSON stays the
same JSON."""

from __future__ import annotations

import csv
import io
import json

import orjson
import pytest
from hostile_outputs import HOSTILE, OSC52, RAW_CONTROLS, hostile_trail, run_on_pty, run_to
from hypothesis import given, settings
from hypothesis import strategies as st

from trailtui.commands.stdout import for_terminal
from trailtui.safe import terminal_json, terminal_text


@pytest.fixture()
def trail(tmp_path):
    hostile_trail(tmp_path / "trail")
    return tmp_path / "trail"


@pytest.mark.parametrize("args", [
    ("query", "--format", "csv"), ("query", "--format", "jsonl"), ("query",),
    ("export", "--format", "csv"), ("export", "--format", "jsonl"), ("export", "--format", "ocsf"),
    ("export", "--format", "markdown"),
])
def test_nothing_reaches_a_terminal_raw(trail, tmp_path, args):
    code, shown, err = run_on_pty([args[0], str(trail), *args[1:]], tmp_path)
    assert code == 0, err
    text = shown.decode("utf-8")
    assert "Traceback" not in err
    assert not [c for c in RAW_CONTROLS if c in text], repr(text[:400])
    assert "\\x07" in text or "\\u0007" in text  # shown, as an escape


def test_csv_to_a_pipe_is_exact_and_formula_neutralised(trail, tmp_path):
    with (tmp_path / "out.csv").open("wb") as out:  # a file: no newline translation on the way back
        done = run_to(["query", str(trail), "--format", "csv"], tmp_path, out)
    assert done.returncode == 0, done.stderr
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    agents = {row[7] for row in rows[1:]}
    assert f"agent{OSC52}" + "\x1b]2;owned\x07\x9b31mtail" in agents  # exact bytes in a file or pipe
    assert "'=cmd|' /C calc'!A0" in agents and "'+1+2" in agents and "'-2+3" in agents and "'@SUM(A1)" in agents
    assert "'\tTAB-led" in agents and "'\rCR-led" in agents
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_jsonl_to_a_terminal_is_still_the_same_json(trail, tmp_path):
    code, shown, err = run_on_pty(["query", str(trail), "--format", "jsonl"], tmp_path)
    assert code == 0, err
    agents = {json.loads(line)["userAgent"] for line in shown.decode().replace("\r\n", "\n").splitlines()}
    assert agents == set(HOSTILE)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_for_terminal_wraps_only_terminals():
    pipe = io.StringIO()
    assert for_terminal(pipe) is pipe
    tty = _Tty()
    for_terminal(tty).write("a\x1b]2;t\x07\n")
    assert tty.getvalue() == "a\\x1b]2;t\\x07\n"


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12))
def test_terminal_json_keeps_the_value_and_drops_every_control(value):
    encoded = terminal_json(orjson.dumps(value).decode())
    assert orjson.loads(encoded) == value
    assert not [c for c in encoded if c in RAW_CONTROLS or (ord(c) < 0x20 and c != "\n")]


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_terminal_text_keeps_lines_and_drops_every_control(text):
    shown = terminal_text(text)
    assert shown.count("\n") == text.count("\n")
    assert not [c for c in shown if c in RAW_CONTROLS or (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
