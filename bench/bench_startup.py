"""Benchmark the start-up of short CLI runs: whole `python -m trailtui ...`
processes, where interpreter start and imports are a large share of the wall.

Measures, on one tree, in one run, the best wall time and the best CPU time
(user + system) of --repeat runs, interleaved so a burst of load on the shared
machine hits every interpreter alike:

  --version       interpreter start, `trailtui.cli` and argparse only
  query 50        `query TREE --format jsonl --limit 50 --no-index`
  stats all       `stats TREE --by principal --top 20 --format json --no-index`
  stats 6h        the same over the 6-hour window of hunt and export
  hunt 6h         `hunt TREE --since T --until T+6h --format jsonl --no-index`
  export 6h       `export TREE --format jsonl --filter F --since T --until T+6h --no-index`
  import X        `import trailtui.cli, trailtui.commands.X` alone

Each `--python LABEL=PATH` is one interpreter (e.g. a venv whose trailtui is
another checkout), so a before/after comparison is one command; every
interpreter's stdout must be byte-identical for each row (exit status 1
otherwise).  XDG_CACHE_HOME is a fresh temporary folder, so no store is used.

    python bench/bench_startup.py /tmp/demo2m
    python bench/bench_startup.py /tmp/demo2m --python before=/tmp/old/bin/python --python after=.venv/bin/python
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

COMMANDS = ("query", "stats", "hunt", "export")


@dataclass(frozen=True, slots=True)
class Row:
    """One measured command line (after `python`)."""

    label: str
    argv: tuple[str, ...]


def rows(tree: str, since: str, until: str, skip: set[str]) -> list[Row]:
    window = ("--since", since, "--until", until)
    every = [
        Row("--version", ("-m", "trailtui", "--version")),
        Row("query 50", ("-m", "trailtui", "query", tree, "--format", "jsonl", "--limit", "50", "--no-index")),
        Row("stats all", ("-m", "trailtui", "stats", tree, "--by", "principal", "--top", "20", "--format", "json",
                      "--no-index")),
        Row("stats 6h", ("-m", "trailtui", "stats", tree, "--by", "principal", "--top", "20", "--format", "json",
                         *window, "--no-index")),
        Row("hunt 6h", ("-m", "trailtui", "hunt", tree, *window, "--format", "jsonl", "--no-index")),
        Row("export 6h", ("-m", "trailtui", "export", tree, "--format", "jsonl", "--filter",
                          "eventName == 'DeleteTrail' || eventName == 'StopLogging'", *window, "--no-index")),
    ]
    every += [Row(f"import {name}", ("-c", f"import trailtui.cli, trailtui.commands.{name}")) for name in COMMANDS]
    return [row for row in every if row.label.split()[0] not in skip and row.label not in skip]


@dataclass(frozen=True, slots=True)
class Run:
    """One process: wall and CPU seconds (user + system, its children included),
    a digest of its stdout, its exit status."""

    wall: float
    cpu: float
    digest: str
    code: int


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(python: str, row: Row, env: dict[str, str], cwd: str) -> Run:
    """`cwd` is a neutral folder: `-m` and `-c` put it first on sys.path, so a
    checkout as the working directory would shadow the interpreter's trailtui."""
    cpu = _cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run([python, *row.argv], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          check=False)
    wall = time.perf_counter() - start
    return Run(wall, _cpu_of_children() - cpu, hashlib.sha256(done.stdout).hexdigest()[:12], done.returncode)


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the start-up of short trailtui CLI runs.")
    parser.add_argument("tree", nargs="?", default="/tmp/demo2m")
    parser.add_argument("--python", action="append", metavar="LABEL=PATH",
                        help="an interpreter to measure (repeatable; default: this one)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per row and interpreter (best is kept)")
    parser.add_argument("--since", default="2026-11-20T00:00:00Z", help="start of the 6-hour window")
    parser.add_argument("--until", default="2026-11-20T06:00:00Z", help="end of the 6-hour window")
    parser.add_argument("--skip", action="append", default=[], metavar="ROW",
                        help="leave out a row (its label or first word: stats, hunt, import...)")
    args = parser.parse_args()
    pythons = [tuple(p.split("=", 1)) for p in args.python or [f"this={sys.executable}"]]
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # installed packages run from compiled bytecode
        print("| row | " + " | ".join(f"{label} wall (CPU)" for label, _ in pythons) + " | stdout |")
        print("|---|" + "---|" * len(pythons) + "---|")
        for row in rows(os.path.abspath(args.tree), args.since, args.until, set(args.skip)):
            wall: dict[str, float] = {}
            cpu: dict[str, float] = {}
            outputs: set[tuple[str, int]] = set()
            for _ in range(args.repeat):
                for label, python in pythons:
                    run = run_once(python, row, env, cache)
                    wall[label] = min(wall.get(label, run.wall), run.wall)
                    cpu[label] = min(cpu.get(label, run.cpu), run.cpu)
                    outputs.add((run.digest, run.code))
            same = "identical" if len(outputs) == 1 else f"DIFFERENT {sorted(outputs)}"
            failed |= len(outputs) != 1
            print(f"| {row.label} | "
                  + " | ".join(f"{wall[label] * 1000:.0f} ms ({cpu[label] * 1000:.0f} ms)" for label, _ in pythons)
                  + f" | {same} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
