"""The local investigation store against plain scans: whole CLI processes, side by side.

    python bench/bench_store.py /tmp/demo2m [--repeat 3] [--json out.json]

Runs, in one go, on one tree, each as a fresh `python -m trailtui ...` process
(interpreter start, imports, listing, answer, exit), best of `--repeat` runs:

  scan-all      `query TREE --format jsonl --no-index` (every event): the plain full scan
  build         `index TREE` into an empty store (once per repeat, the store dropped before),
                which also runs the built-in hunts and keeps their findings
  then each query with `--no-index` and with the store (after the build):
  refine        a column filter, all matches  (the issue's bar: <= 0.3 s)
  first-50      the 50 newest events           (<= 0.25 s)
  no-column     requestParameters.userName     (JSON extraction inside the store, <= 1 s)
  hunts         `hunt TREE --format jsonl`     (all hunts, <= 1 s): the findings `index` kept
  hunts-decided the same with the kept findings removed before each run: decided from the
                store's rows (what a run costs after a log file changed); its plain figure
                is the hunts case's
  counts        `stats TREE --by principal --top 20 --format json` (<= 0.3 s)

Each run also reports the CPU seconds of the process and its children (the
steadier figure on a loaded machine), and each case the best of five bare
`python -c pass` starts just before the store's runs: the host's speed then
(~14 ms quiet; a shared VM drifts by 1.5x for minutes, which the load average
does not show).  `--cache DIR --skip build` reuses a
store already built there (no plain full scan, no build).

The package's bytecode is compiled first, as an installed package's is.
Each pair's stdout must be byte-identical (exit status 1 otherwise).  Also
printed: the store's size against the tree's gzipped log files (bar: <= 1.2x),
and the load average before each run: the machine is shared, so a run with a
load above the core count is pessimistic.  The store goes to a temporary
XDG_CACHE_HOME, removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def forget_findings(env: dict[str, str]) -> None:
    """The hunts' kept findings removed from every store under the cache."""
    for path in Path(env["XDG_CACHE_HOME"], "trailtui").glob("stores/*/findings-*"):
        path.unlink()


def run(args: list[str], env: dict[str, str], forget: bool = False) -> tuple[float, bytes, float, float]:
    """(wall seconds, stdout, load average before, CPU seconds of the process
    and its children) of one CLI process.  On a loaded machine the CPU time is
    the steadier figure: wall time there includes waiting for a core."""
    if forget:
        forget_findings(env)
    before = load()
    cpu = cpu_of_children()
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "trailtui", *args], env=env, cwd=str(ROOT),
                          capture_output=True, check=False)
    wall = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return wall, done.stdout, before, cpu_of_children() - cpu


def best(args: list[str], env: dict[str, str], repeat: int, forget: bool = False) -> tuple[float, bytes, float, float]:
    runs = [run(args, env, forget) for _ in range(repeat)]
    for wall, _, before, cpu in runs:
        print(f"    {wall:7.3f} s  cpu {cpu:6.3f} s  (load {before:.1f})  {' '.join(args[:1] + args[2:])}",
              file=sys.stderr)
    return min(runs, key=lambda r: r[0])


def interpreter_start() -> float:
    """Best of 5 bare interpreter starts (ms): the host's speed at the moment.
    The machine is a shared VM whose speed drifts by 1.5x for minutes at a time
    (CPU steal that the load average does not show); ~14 ms when it is quiet."""
    times = []
    for _ in range(5):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(1000 * (time.perf_counter() - began))
    return min(times)


def gz_bytes(tree: Path) -> int:
    return sum(p.stat().st_size for p in tree.rglob("*.json.gz") if "CloudTrail-Digest" not in p.parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--refine", default="eventName == 'DeleteTrail' || userIdentity.type == 'Root'")
    parser.add_argument("--no-column", default="requestParameters.userName == 'x'")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--skip", action="append", default=[],
                        choices=("build", "refine", "first-50", "no-column", "hunts", "hunts-decided", "counts"),
                        help="leave a case out (repeatable); `build` also skips the plain full scan and needs --cache")
    parser.add_argument("--cache", type=Path,
                        help="XDG_CACHE_HOME holding a store already built for TREE (kept; default: a temporary one)")
    args = parser.parse_args()
    tree = str(args.tree)
    if "build" in args.skip and args.cache is None:
        parser.error("--skip build needs --cache")
    # An installed package ships its bytecode; a checkout run with PYTHONDONTWRITEBYTECODE
    # would compile every module in every process measured (~0.1 s each).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "trailtui")], check=True,
                   capture_output=True)
    cache = str(args.cache) if args.cache else tempfile.mkdtemp(prefix="bench-store-")
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    results: dict[str, object] = {"tree": tree, "cpus": os.cpu_count()}
    plain_hunts = b""
    ok = True
    try:
        if "build" not in args.skip:
            print("scan-all (plain full scan)", file=sys.stderr)
            scan_all = best(["query", tree, "--format", "jsonl", "--no-index"], env, args.repeat)
            print("build", file=sys.stderr)
            builds = []
            for _ in range(args.repeat):
                run(["index", tree, "--drop"], env)
                builds.append(run(["index", tree], env))
            build = min(builds, key=lambda r: r[0])
            for wall, _, before, cpu in builds:
                print(f"    {wall:7.3f} s  cpu {cpu:6.3f} s  (load {before:.1f})  index", file=sys.stderr)
            results["scan_all_s"], results["build_s"] = scan_all[0], build[0]
            results["scan_all_cpu_s"], results["build_cpu_s"] = scan_all[3], build[3]
            results["build_ratio"] = build[0] / scan_all[0]
        status = json.loads(run(["index", tree, "--status", "--format", "json"], env)[1])
        results["store_bytes"], results["gz_bytes"] = status["bytes"], gz_bytes(args.tree)
        results["size_ratio"] = status["bytes"] / results["gz_bytes"]
        results["events"] = status["events"]
        cases = {
            "refine": ["query", tree, "--format", "jsonl", "--filter", args.refine],
            "first-50": ["query", tree, "--format", "jsonl", "--limit", "50"],
            "no-column": ["query", tree, "--format", "jsonl", "--filter", args.no_column],
            "hunts": ["hunt", tree, "--format", "jsonl"],
            "hunts-decided": ["hunt", tree, "--format", "jsonl"],
            "counts": ["stats", tree, "--by", "principal", "--top", "20", "--format", "json"],
        }
        for name, command in cases.items():
            if name in args.skip:
                continue
            print(name, file=sys.stderr)
            earlier = results.get("hunts")
            if name == "hunts-decided" and isinstance(earlier, dict):  # the same plain run: not timed twice
                plain = (earlier["plain_s"], plain_hunts, 0.0, earlier["plain_cpu_s"])
            else:
                plain = best(command + ["--no-index"], env, args.repeat)
            if name == "hunts":
                plain_hunts = plain[1]
            start_ms = interpreter_start()
            stored = best(command, env, args.repeat, forget=name == "hunts-decided")
            same = plain[1] == stored[1]
            ok = ok and same
            results[name] = {"plain_s": plain[0], "store_s": stored[0], "identical": same,
                             "plain_cpu_s": plain[3], "store_cpu_s": stored[3],
                             "lines": plain[1].count(b"\n"), "sha256": hashlib.sha256(stored[1]).hexdigest()[:16],
                             "load_before": stored[2], "interpreter_start_ms": round(start_ms, 1)}
    finally:
        if args.cache is None:
            shutil.rmtree(cache, ignore_errors=True)
    print(f"\n{results['events']:,} events; store {results['store_bytes'] / 2**20:.1f} MB = "
          f"{results['size_ratio']:.2f}x the gzipped logs ({results['gz_bytes'] / 2**20:.1f} MB)")
    if "build_s" in results:
        print(f"plain full scan {results['scan_all_s']:.2f} s, build {results['build_s']:.2f} s "
              f"= {results['build_ratio']:.2f}x")
    print(f"{'case':<13} {'plain s':>9} {'store s':>9} {'plain cpu':>10} {'store cpu':>10} {'lines':>8}  identical"
          "  python -c pass")
    for name in ("refine", "first-50", "no-column", "hunts", "hunts-decided", "counts"):
        if name not in results:
            continue
        row = results[name]
        assert isinstance(row, dict)
        print(f"{name:<13} {row['plain_s']:9.3f} {row['store_s']:9.3f} {row['plain_cpu_s']:10.3f} "
              f"{row['store_cpu_s']:10.3f} {row['lines']:8,}  {row['identical']!s:9}  {row['interpreter_start_ms']} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
