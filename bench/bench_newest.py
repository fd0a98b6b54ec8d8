"""Benchmark newest-first pages of a big local tree: whole `python -m trailtui
query ...` processes (interpreter start, imports, listing, scan, exit), the
plain scan (`--no-index`; XDG_CACHE_HOME is a fresh temporary folder).

Rows (best wall of --repeat, with that run's CPU seconds; runs interleaved across checkouts so a burst of load
on the shared machine hits each alike):

  limit 50          `query TREE --format jsonl --limit 50`
  limit 50, store on (empty)  the same without `--no-index` (a LIMIT with no filter is a plain scan)
  limit 500         `query TREE --format jsonl --limit 500`
  since 1d, 50      the same with `--since` one day before the newest delivery stamp
  filter, 50        `--filter F --limit 50` with a selective filter (reads much of the tree)
  filter, all       `--filter F` without a limit: the unbounded scan (--full-repeat runs)

Each `--checkout LABEL=DIR` runs with DIR as the working folder, so `python -m
trailtui` imports DIR's trailtui (e.g. `git archive OLD | tar -x -C DIR`): a
before/after comparison is one command.  Every checkout's stdout and stderr
(problem lines) must be byte-identical for each row (exit status 1 otherwise).
PYTHONDONTWRITEBYTECODE is unset for the runs: without `.pyc` files every run
would compile each module it imports again.

    python bench/bench_newest.py /tmp/demo2m
    python bench/bench_newest.py /tmp/demo2m --checkout before=/tmp/old --checkout after=.
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
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SELECTIVE = "eventName == 'DeleteTrail' || userIdentity.type == 'Root'"


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    argv: tuple[str, ...]
    repeat_option: str = "repeat"


def newest_stamp_minus_a_day(tree: str) -> str:
    sys.path.insert(0, str(ROOT))
    from trailtui.sources.local import discover_newest

    files, _ = discover_newest(tree)
    newest = files.next_stamp()
    if newest is None:
        raise SystemExit(f"{tree}: no log files")
    return (newest - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def rows(tree: str, since: str) -> list[Row]:
    query = ("-m", "trailtui", "query", tree, "--format", "jsonl", "--no-index")
    return [
        Row("limit 50", (*query, "--limit", "50")),
        Row("limit 50, store on (empty)", query[:-1] + ("--limit", "50")),
        Row("limit 500", (*query, "--limit", "500")),
        Row(f"since {since}, 50", (*query, "--since", since, "--limit", "50")),
        Row("filter, 50", (*query, "--filter", SELECTIVE, "--limit", "50")),
        Row("filter, all", (*query, "--filter", SELECTIVE), "full_repeat"),
    ]


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(cwd: str, row: Row, env: dict[str, str]) -> tuple[float, float, str, str]:
    """Wall seconds, CPU seconds (the process and its workers: the steadier
    figure on a loaded machine) and digests of stdout and stderr of one run."""
    cpu = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *row.argv], env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    cpu = cpu_of_children() - cpu
    if done.returncode not in (0, 1):
        raise SystemExit(f"{cwd}: {' '.join(row.argv)} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return wall, cpu, hashlib.sha256(done.stdout).hexdigest()[:12], hashlib.sha256(done.stderr).hexdigest()[:12]


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark newest-first pages of a big local tree.")
    parser.add_argument("tree", nargs="?", default="/tmp/demo2m")
    parser.add_argument("--checkout", action="append", metavar="LABEL=DIR",
                        help="a checkout to measure (repeatable; default: this one)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per page row and checkout (best is kept)")
    parser.add_argument("--full-repeat", type=int, default=2, help="runs of the unbounded scan per checkout")
    args = parser.parse_args()
    checkouts = [tuple(c.split("=", 1)) for c in args.checkout or [f"this={ROOT}"]]
    since = newest_stamp_minus_a_day(args.tree)
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-newest-") as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # run from compiled bytecode, as an installed package does
        print(f"tree {args.tree}, load before {os.getloadavg()[0]:.1f}")
        print("| row | " + " | ".join(label for label, _ in checkouts) + " | stdout, stderr |")
        print("|---|" + "---|" * len(checkouts) + "---|")
        for row in rows(args.tree, since):
            best: dict[str, tuple[float, float]] = {}
            outputs: set[tuple[str, str]] = set()
            for _ in range(getattr(args, row.repeat_option)):
                for label, cwd in checkouts:
                    wall, cpu, out, err = run_once(str(Path(cwd).resolve()), row, env)
                    print(f"    {label} {row.label}: {wall:.3f} s, cpu {cpu:.3f} s (load {os.getloadavg()[0]:.1f})",
                          file=sys.stderr)
                    best[label] = min(best.get(label, (wall, cpu)), (wall, cpu))
                    outputs.add((out, err))
            same = "identical" if len(outputs) == 1 else f"DIFFERENT {sorted(outputs)}"
            failed |= len(outputs) != 1
            print(f"| {row.label} | " + " | ".join(f"{best[label][0]:.3f} s (cpu {best[label][1]:.3f} s)"
                                                   for label, _ in checkouts)
                  + f" | {same} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
