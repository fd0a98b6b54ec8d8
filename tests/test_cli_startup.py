"""Short CLI runs start without what their common path does not use.

Each check runs a fresh interpreter (`sys.modules` of the test process is
shared by every test) that parses, or runs, a plain local command the way
`trailtui.cli.main` does, then lists the loaded modules that the run should not
have paid for: the console (Textual, Rich), the AWS SDKs, DuckDB, follow mode,
the hunt library, and the SQL `--explain` machinery.  Not a timed test: the
start-up figures are measured by `bench/bench_startup.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TREE = Path(__file__).resolve().parent / "data" / "scan" / "stratus-red-team"

# Top-level packages a plain local command never needs.
THIRD_PARTY = ("textual", "rich", "boto3", "botocore", "aiobotocore", "pyathena", "duckdb", "sigma")
# trailtui packages only `--follow`, the console, Sigma rules or `--explain` use.
OPTIONAL = ("trailtui.ui", "trailtui.follow", "trailtui.sigma", "trailtui.sources.explain",
            "trailtui.sources.projection", "trailtui.aws.clients")
# What `query` and `export` do not use (the hunt command runs hunts, so it is checked without these).
HUNTS = ("trailtui.hunts", "trailtui.chains")

_PARSE_ONLY = """
import json, sys
from trailtui.cli import build_parser, join_dash_values
argv = join_dash_values(json.loads(sys.argv[1]))
build_parser(only=argv[0]).parse_args(argv)
print(json.dumps(sorted(sys.modules)))
"""

_RUN = """
import contextlib, io, json, sys
from trailtui.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "lines": out.getvalue().count("\\n"), "modules": sorted(sys.modules)}))
"""


def _modules(script: str, argv: list[str], tmp_path: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(argv)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _loaded(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    """The modules of `packages` (each a package or module name) among `modules`."""
    return [name for name in modules if any(name == p or name.startswith(p + ".") for p in packages)]


@pytest.mark.parametrize(("argv", "unwanted"), [
    (["query", str(TREE), "--format", "jsonl", "--limit", "50", "--filter", "eventName == 'DeleteTrail'"],
     THIRD_PARTY + OPTIONAL + HUNTS),
    (["stats", str(TREE), "--by", "principal", "--top", "20", "--format", "json"], THIRD_PARTY + OPTIONAL + HUNTS),
    (["export", str(TREE), "--format", "jsonl", "--since", "-7d"], THIRD_PARTY + OPTIONAL + HUNTS),
    (["hunt", str(TREE), "--format", "jsonl"], THIRD_PARTY + OPTIONAL),
], ids=["query", "stats", "export", "hunt"])
def test_parsing_a_plain_local_command_imports_nothing_it_does_not_use(
        argv: list[str], unwanted: tuple[str, ...], tmp_path: Path) -> None:
    modules = json.loads(_modules(_PARSE_ONLY, argv, tmp_path))
    assert "trailtui.commands." + argv[0] in modules  # the command module itself was imported
    assert _loaded(modules, unwanted) == []


def test_a_plain_local_query_runs_without_follow_hunts_explain_or_the_sdks(tmp_path: Path) -> None:
    argv = ["query", str(TREE), "--format", "jsonl", "--limit", "50", "--no-index"]
    done = json.loads(_modules(_RUN, argv, tmp_path))
    assert done["code"] == 0
    assert done["lines"] == 50  # it really searched and printed
    assert _loaded(done["modules"], THIRD_PARTY + OPTIONAL + HUNTS) == []


def test_the_first_page_of_an_unfiltered_query_loads_nothing_of_the_store(tmp_path: Path) -> None:
    """The store would not answer it (the plain newest-first page is faster),
    so neither its modules nor its compressor are imported, index on or off."""
    argv = ["query", str(TREE), "--format", "jsonl", "--limit", "50"]
    done = json.loads(_modules(_RUN, argv, tmp_path))
    assert done["code"] == 0 and done["lines"] == 50
    assert _loaded(done["modules"], ("trailtui.store.direct", "trailtui.store.query", "trailtui.store.blocks",
                                     "zstandard", "_duckdb", "duckdb")) == []


def test_parsing_imports_no_shutil_and_help_still_wraps_to_the_terminal(tmp_path: Path) -> None:
    """argparse's stock formatter imports shutil for every option it adds
    (the CLI's reads the width itself); the help is as wide as COLUMNS says."""
    argv = ["query", str(TREE), "--format", "jsonl", "--filter", "eventName == 'DeleteTrail'"]
    modules = json.loads(_modules(_PARSE_ONLY, argv, tmp_path))
    assert "shutil" not in modules and "tomllib" not in modules
    widths = {}
    for columns in (50, 120):
        shown = subprocess.run([sys.executable, "-m", "trailtui", "query", "--help"], capture_output=True, text=True,
                               env={**os.environ, "COLUMNS": str(columns)}, cwd=ROOT, timeout=60, check=True).stdout
        lines = shown.splitlines()
        # argparse never breaks a usage token ("[--endpoint-url ENDPOINT_URL]"): only those may run over
        assert all(line.strip().startswith("[") for line in lines if len(line) > columns - 2), (columns, shown)
        widths[columns] = max(len(line) for line in lines)
    assert widths[120] > 100 and widths[50] < widths[120]
