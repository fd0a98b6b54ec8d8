"""The store's engine opened from argv before the CLI loads the rest
(trailtui/commands/early_engine.py): a guess that only ever saves time.  It
opens for a query or count of a local tree with a store, nothing else; the
direct path takes that engine instead of opening a second one; an engine the
command does not take is closed; and a command it cannot help loads nothing
of the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_store import ROOT, _build, _cli, _tree

from trailtui.commands.early_engine import early_engine

FILTER = "eventName == 'ConsoleLogin' || userIdentity.type == 'Root'"

# Runs main() with OpeningConnection counted: how many engines one command opened.
_COUNTED = """
import contextlib, io, json, sys
import trailtui.store.engine as engine
opened = []
class Counted(engine.OpeningConnection):
    def __init__(self):
        opened.append(1)
        super().__init__()
engine.OpeningConnection = Counted
from trailtui.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "out": out.getvalue(), "opened": len(opened),
                  "duckdb": "_duckdb" in sys.modules or "duckdb" in sys.modules}))
"""


def _counted(argv: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", _COUNTED, json.dumps(argv)], capture_output=True, text=True,
                          env=dict(os.environ), cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    tree, _ = _tree(tmp_path)
    _build(tree)
    return tree


@pytest.mark.parametrize("argv", [
    ["query", "{tree}", "--filter", FILTER, "--no-index"],
    ["query", "{tree}", "--filter", FILTER, "--no-ind"],  # argparse takes an abbreviation
    ["query", "{tree}", "--filter", FILTER, "--since=-7d"],
    ["query", "{tree}", "--filter", FILTER, "--until", "now"],
    ["query", "{tree}", "--filter", FILTER, "-F"],
    ["query", "{tree}", "--filter", FILTER, "--explain"],
    ["query", "{tree}", "--filter", FILTER, "--help"],
    ["query", "{tree}", "--limit", "50"],  # no filter: the plain newest-first page
    ["query", "{tree}"],
    ["hunt", "{tree}"],
    ["export", "{tree}", "--filter", FILTER],
    ["query", "{tree}/../elsewhere", "--filter", FILTER],  # no store there
    ["query", "s3://bucket/AWSLogs/", "--filter", FILTER],
], ids=["no-index", "abbreviated", "since", "until", "follow", "explain", "help", "first-page", "no-filter", "hunt",
        "export", "no-store", "s3"])
def test_argv_the_store_cannot_answer_opens_no_engine(stored: Path, argv: list[str]) -> None:
    command, *rest = [token.replace("{tree}", str(stored)) for token in argv]
    assert early_engine(command, rest) is None


def test_a_query_or_count_of_a_stored_tree_opens_the_engine_once_and_answers_as_a_plain_scan(stored: Path) -> None:
    for argv in (["query", str(stored), "--format", "jsonl", "--filter", FILTER],
                 ["query", str(stored), "--format=jsonl", "-f", FILTER, "-n", "3"],
                 ["stats", str(stored), "--by", "principal", "--format", "json"]):
        opening = early_engine(argv[0], argv[1:])
        assert opening is not None, argv
        opening.close()
        done = _counted(argv)
        plain = _cli(*argv, "--no-index")
        assert done["code"] == 0 and done["out"] == plain.stdout and plain.stdout.strip(), argv
        assert done["opened"] == 1, argv  # the direct path took the early engine: no second one


def test_an_engine_the_command_does_not_take_is_closed_and_the_answer_stands(stored: Path) -> None:
    """A filter the store cannot push (`store_pays` says no for a LIMIT query):
    the guess opened an engine, the command scanned plainly, the process ended."""
    argv = ["query", str(stored), "--format", "jsonl", "--limit", "2", "--filter", "length(eventName) > `3`"]
    done = _counted(argv)
    plain = _cli(*argv, "--no-index")
    assert done["code"] == 0 and done["out"] == plain.stdout and done["out"].count("\n") == 2
    assert done["opened"] == 1


def test_the_first_page_of_a_stored_tree_loads_no_engine(stored: Path) -> None:
    done = _counted(["query", str(stored), "--format", "jsonl", "--limit", "5"])
    assert done["code"] == 0 and done["out"].count("\n") == 5
    assert done["opened"] == 0 and not done["duckdb"]
