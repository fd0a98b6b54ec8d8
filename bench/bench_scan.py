"""Benchmark the local scan against `zcat | jq` and DuckDB on the same files.

Measures, in one run on one tree (the README's performance bars, as ratios to
baselines measured in the same run):

  first page   time to the first 50 newest matches: `trailtui query --limit 50`
               as a subprocess (interpreter start included) and in-process
  full scan    `trailtui query --filter F --format jsonl` over every file, events/s
  jq           `cat files | zcat | jq -c '.Records[] | select(...)' | wc -l`
  duckdb       read_json(records=true, columns=..., threads=2) with the same predicate
  memory       peak RSS of `trailtui query` with a filter matching ~all events

Every approach must report the same match count.  The machine is shared:
each measurement runs --repeat times and the best is kept; the table also shows
how many cores other processes used during the best run ("other load").

    /tmp/venv/bin/python bench/bench_scan.py /tmp/demo2m
    /tmp/venv/bin/python bench/bench_scan.py /tmp/demo2m --skip jq,duckdb --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FILTER = "userIdentity.type=='Root' || (eventName=='ConsoleLogin' && errorCode!=`null`)"
DEFAULT_JQ = 'select(.userIdentity.type=="Root" or (.eventName=="ConsoleLogin" and .errorCode!=null))'
DEFAULT_SQL = "r.userIdentity.\"type\" = 'Root' OR (r.eventName = 'ConsoleLogin' AND r.errorCode IS NOT NULL)"
DEFAULT_COLUMNS = "STRUCT(eventName VARCHAR, errorCode VARCHAR, userIdentity STRUCT(\"type\" VARCHAR))[]"
MATCH_ALL_FILTER = "eventVersion != 'no-such-version'"
PAGE = 50
TICK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    """One measured command: wall time, peak memory, CPU, and its output."""

    wall: float
    peak_rss_mb: float  # sum of PSS over the process tree, sampled
    peak_proc_mb: float  # the largest single process
    cpu_s: float
    other_cores: float
    stdout: str = ""
    extra: dict = field(default_factory=dict)


def _proc_table() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, cpu ticks, rss pages) for every process we can read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                text = handle.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[21]))
    return table


def _busy_ticks() -> int:
    with open("/proc/stat") as handle:
        parts = [int(x) for x in handle.readline().split()[1:]]
    return sum(parts) - parts[3] - parts[4]  # minus idle and iowait


class TreeSampler(threading.Thread):
    """Samples memory (PSS) and CPU of a process and all its descendants every 30 ms."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_total = 0
        self.peak_single = 0
        self.cpu: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(0.03)

    def sample(self) -> None:
        table = _proc_table()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        stack, total = [self.root], 0
        while stack:
            pid = stack.pop()
            if pid in table:
                _, ticks, rss = table[pid]
                self.cpu[pid] = max(self.cpu.get(pid, 0), ticks)
                total += _pss(pid) or rss * PAGE_SIZE
                self.peak_single = max(self.peak_single, rss * PAGE_SIZE)
            stack.extend(children.get(pid, []))
        self.peak_total = max(self.peak_total, total)


def _pss(pid: int) -> int:
    """Proportional set size in bytes: forked workers share pages with their
    parent, so summing RSS would count those pages several times."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(command: list[str] | str, shell: bool = False, stdout_to_null: bool = False) -> Run:
    """Run a command once, sampling its process tree."""
    busy0, started = _busy_ticks(), time.perf_counter()
    sink = subprocess.DEVNULL if stdout_to_null else subprocess.PIPE
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # time what users run
    process = subprocess.Popen(command, shell=shell, stdout=sink, stderr=subprocess.PIPE, text=True, env=env)
    sampler = TreeSampler(process.pid)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    busy = (_busy_ticks() - busy0) / TICK
    cpu = sum(sampler.cpu.values()) / TICK
    if process.returncode != 0:
        raise SystemExit(f"command failed ({process.returncode}): {command}\n{err[-2000:]}")
    return Run(wall, sampler.peak_total / 2**20, sampler.peak_single / 2**20, cpu,
               max(0.0, (busy - cpu) / wall), out or "")


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def repeat(count: int, label: str, make: callable) -> list[Run]:
    runs = []
    for i in range(count):
        run = make()
        print(f"  {label} run {i + 1}: {run.wall:.3f}s  rss {run.peak_rss_mb:.0f} MB  "
              f"other load {run.other_cores:.2f} cores", file=sys.stderr, flush=True)
        runs.append(run)
    return runs


def trailtui_command() -> list[str]:
    script = Path(sys.executable).with_name("trailtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "trailtui"]


# -- in-process first page (run in a fresh interpreter so nothing is warm) ------

def inprocess_first_page(tree: str, text: str) -> None:
    started = time.perf_counter()
    from trailtui.filters import EventFilter
    from trailtui.sources import Query
    from trailtui.sources.local import LocalSource

    imported = time.perf_counter()

    async def main() -> None:
        source = LocalSource(tree)
        count, scanned, first = 0, 0, None
        begin = time.perf_counter()
        async for page in source.search(Query(filter=EventFilter.compile(text), limit=PAGE)):
            count += len(page.events)
            scanned += page.scanned
            if count and first is None:
                first = time.perf_counter() - begin
        elapsed = time.perf_counter() - begin
        await source.close()
        print(json.dumps({"page_s": elapsed, "first_row_s": first, "events": count, "scanned": scanned,
                          "import_s": imported - started}))

    asyncio.run(main())


def inprocess_scan(tree: str, text: str, typed: bool) -> None:
    """A full scan through `LocalSource`, typed pre-check on or off (the plain
    path alone: orjson and the compiled filter on every record)."""
    from trailtui.filters import EventFilter
    from trailtui.sources import Query
    from trailtui.sources.local import LocalSource
    from trailtui.sources.scan import FileScanner

    async def main() -> None:
        source = LocalSource(tree, scanner=FileScanner(typed=typed))
        count = 0
        async for page in source.search(Query(filter=EventFilter.compile(text))):
            count += len(page.events)
        await source.close()
        print(json.dumps({"count": count}))

    asyncio.run(main())


def count_events(tree: str, text: str) -> dict:
    """Total events and matches, from trailtui itself (typed pre-check counts every record)."""
    from trailtui.filters import EventFilter
    from trailtui.sources import Query
    from trailtui.sources.local import LocalSource, discover

    async def main() -> dict:
        source = LocalSource(tree)
        matches = scanned = problems = 0
        async for page in source.search(Query(filter=EventFilter.compile(text))):
            matches += len(page.events)
            scanned += page.scanned
            problems += len(page.problems)
        await source.close()
        return {"events": scanned, "matches": matches, "problems": problems,
                "files": len(discover(tree).files)}

    return asyncio.run(main())


DUCK_SCRIPT = r"""
import json, sys, time, duckdb
files = json.load(open(sys.argv[1]))
con = duckdb.connect()
con.execute(f"SET threads={int(sys.argv[4])}")
con.execute("SET enable_progress_bar=false")
query = ("SELECT count(*) FROM (SELECT unnest(Records) AS r FROM read_json($files, columns=$columns, "
         "format='unstructured', records=true, auto_detect=false, maximum_object_size=268435456)) WHERE " + sys.argv[2])
start = time.perf_counter()
count = con.execute(query, {"files": files, "columns": {"Records": sys.argv[3]}}).fetchone()[0]
print(json.dumps({"count": count, "query_s": time.perf_counter() - start}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark trailtui's local scan against jq and DuckDB.")
    parser.add_argument("tree", nargs="?", default="/tmp/demo2m")
    parser.add_argument("--filter", default=DEFAULT_FILTER, help="trailtui JMESPath filter (selective)")
    parser.add_argument("--jq", default=DEFAULT_JQ, help="the same predicate as a jq select()")
    parser.add_argument("--sql", default=DEFAULT_SQL, help="the same predicate over `r`, for DuckDB")
    parser.add_argument("--sql-columns", default=DEFAULT_COLUMNS, help="DuckDB type of the Records column")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement (best is kept)")
    parser.add_argument("--jq-repeat", type=int, default=1, help="jq is slow: runs for it")
    parser.add_argument("--duckdb-python", default="/tmp/duckvenv/bin/python",
                        help="a Python with duckdb installed (kept out of trailtui's dependencies)")
    parser.add_argument("--duckdb-threads", type=int, default=2)
    parser.add_argument("--skip", default="", help="comma list of: first,scan,jq,duckdb,memory")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--plain", action="store_true",
                        help="also time a full scan with the typed pre-check off (what it saves)")
    parser.add_argument("--inprocess-first-page", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inprocess-scan", choices=("typed", "plain"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inprocess_first_page:
        inprocess_first_page(args.tree, args.filter)
        return 0
    if args.inprocess_scan:
        inprocess_scan(args.tree, args.filter, args.inprocess_scan == "typed")
        return 0
    skip = set(filter(None, args.skip.split(",")))
    tree = args.tree
    if not Path(tree).is_dir():
        raise SystemExit(f"no tree at {tree}: make one with `trailtui demo {tree} --events 2000000 --no-tui` "
                         f"or `python bench/synth_tree.py {tree}`")
    trailtui = trailtui_command()
    import compileall

    import trailtui as package

    # Byte-compile once, as an install does, so start-up is not timed compiling.
    compileall.compile_dir(str(Path(package.__file__).parent), quiet=1)
    print(f"tree {tree}; counting events ...", file=sys.stderr, flush=True)
    facts = count_events(tree, args.filter)
    total, expected = facts["events"], facts["matches"]
    print(f"  {facts['files']} files, {total} events, {expected} matches, {facts['problems']} problems",
          file=sys.stderr)
    results: dict = {"tree": tree, "filter": args.filter, **facts, "load_before": os.getloadavg()}
    counts = {"trailtui (in-process count)": expected}
    rows: list[tuple[str, ...]] = []

    query = trailtui + ["query", tree, "--filter", args.filter, "--format", "jsonl"]
    if "first" not in skip:
        print("first page (CLI, --limit 50):", file=sys.stderr)
        runs = repeat(args.repeat, "first page", lambda: measure(query + ["--limit", str(PAGE)]))
        page = best(runs)
        assert len(page.stdout.splitlines()) == min(PAGE, expected), "first page is not 50 events"
        inproc = []
        for _ in range(args.repeat):
            run = measure([sys.executable, __file__, tree, "--filter", args.filter, "--inprocess-first-page"])
            inproc.append(json.loads(run.stdout))
        fastest = min(inproc, key=lambda r: r["page_s"])
        results["first_page"] = {"cli_s": [r.wall for r in runs], "inprocess": inproc}
        rows.append(("first 50 newest matches (CLI, incl. start-up)", f"{page.wall:.3f} s", f"{page.cpu_s:.2f}", "-",
                     f"{page.peak_rss_mb:.0f}", f"{page.other_cores:.2f}",
                     f"bar < 0.5 s: {'PASS' if page.wall < 0.5 else 'FAIL'}"))
        rows.append(("first 50 newest matches (in-process search)", f"{fastest['page_s']:.3f} s", "-", "-", "-", "-",
                     f"first row {fastest['first_row_s']:.3f} s, {fastest['scanned']} events read"))

    scan = None
    if "scan" not in skip:
        print("full selective scan (CLI):", file=sys.stderr)
        runs = repeat(args.repeat, "scan", lambda: measure(query))
        scan = best(runs)
        counts["trailtui query"] = len(scan.stdout.splitlines())
        results["scan"] = {"wall_s": [r.wall for r in runs], "cpu_s": scan.cpu_s, "rss_mb": scan.peak_rss_mb}
        rows.append(("trailtui query, selective filter", f"{scan.wall:.2f} s", f"{scan.cpu_s:.1f}",
                     f"{total / scan.wall:,.0f}", f"{scan.peak_rss_mb:.0f}", f"{scan.other_cores:.2f}",
                     f"{total / max(scan.cpu_s, 1e-9):,.0f} events per CPU-second"))

    if args.plain:
        print("full scan, typed pre-check off (plain path only), in-process:", file=sys.stderr)
        command = [sys.executable, __file__, tree, "--filter", args.filter, "--inprocess-scan", "plain"]
        runs = repeat(args.repeat, "plain", lambda: measure(command))
        plain = best(runs)
        counts["plain path (in-process)"] = json.loads(plain.stdout)["count"]
        results["plain"] = {"wall_s": [r.wall for r in runs], "cpu_s": plain.cpu_s}
        ratio = f"typed pre-check {plain.wall / scan.wall:.1f}x faster" if scan else ""
        rows.append(("same scan without the typed pre-check", f"{plain.wall:.2f} s", f"{plain.cpu_s:.1f}",
                     f"{total / plain.wall:,.0f}",
                     f"{plain.peak_rss_mb:.0f}", f"{plain.other_cores:.2f}", ratio))

    with tempfile.TemporaryDirectory() as scratch:
        from trailtui.sources.local import discover

        files = [f.path for f in discover(tree).files]
        list_file = Path(scratch, "files.json")
        list_file.write_text(json.dumps(files))
        nul_file = Path(scratch, "files.nul")
        nul_file.write_bytes(b"\0".join(p.encode() for p in files))

        if "jq" not in skip:
            if shutil.which("jq") is None:
                print("jq not found (apt-get install jq): skipped", file=sys.stderr)
            else:
                print("zcat | jq:", file=sys.stderr)
                pipeline = (f"xargs -0 cat < {shlex.quote(str(nul_file))} | zcat | "
                            f"jq -c {shlex.quote('.Records[] | ' + args.jq)} | wc -l")
                runs = repeat(args.jq_repeat, "jq", lambda: measure(pipeline, shell=True))  # noqa: S604 - the jq baseline is a pipeline; its parts are shlex-quoted
                jq = best(runs)
                counts["zcat | jq"] = int(jq.stdout.strip())
                results["jq"] = {"wall_s": [r.wall for r in runs], "cpu_s": jq.cpu_s}
                ratio = (f"trailtui {jq.wall / scan.wall:.1f}x faster (bar 10x), "
                         f"{jq.cpu_s / max(scan.cpu_s, 1e-9):.1f}x less CPU" if scan else "")
                rows.append(("cat | zcat | jq select | wc -l", f"{jq.wall:.2f} s", f"{jq.cpu_s:.1f}",
                             f"{total / jq.wall:,.0f}",
                             f"{jq.peak_proc_mb:.0f}", f"{jq.other_cores:.2f}", ratio))

        if "duckdb" not in skip:
            if not Path(args.duckdb_python).exists():
                print(f"{args.duckdb_python} not found (python -m venv /tmp/duckvenv && "
                      "/tmp/duckvenv/bin/pip install duckdb): skipped", file=sys.stderr)
            else:
                print(f"duckdb read_json, {args.duckdb_threads} threads:", file=sys.stderr)
                command = [args.duckdb_python, "-c", DUCK_SCRIPT, str(list_file), args.sql, args.sql_columns,
                           str(args.duckdb_threads)]
                runs = repeat(args.repeat, "duckdb", lambda: measure(command))
                duck = best(runs)
                counts["duckdb"] = json.loads(duck.stdout.strip().splitlines()[-1])["count"]
                results["duckdb"] = {"wall_s": [r.wall for r in runs], "cpu_s": duck.cpu_s, "rss_mb": duck.peak_rss_mb}
                ratio = (f"trailtui {duck.wall / scan.wall:.1f}x faster (bar > 1x), "
                         f"{duck.cpu_s / max(scan.cpu_s, 1e-9):.1f}x less CPU" if scan else "")
                rows.append((f"DuckDB read_json records=true, {args.duckdb_threads} threads", f"{duck.wall:.2f} s",
                             f"{duck.cpu_s:.1f}", f"{total / duck.wall:,.0f}", f"{duck.peak_rss_mb:.0f}",
                             f"{duck.other_cores:.2f}", ratio))

    if "memory" not in skip:
        print("memory: filter matching ~every event, output to /dev/null:", file=sys.stderr)
        everything = trailtui + ["query", tree, "--filter", MATCH_ALL_FILTER, "--format", "jsonl"]
        runs = repeat(1, "match-all", lambda: measure(everything, stdout_to_null=True))
        heavy = best(runs)
        results["memory"] = {"wall_s": heavy.wall, "rss_tree_mb": heavy.peak_rss_mb,
                             "rss_max_proc_mb": heavy.peak_proc_mb}
        rows.append(("trailtui query, ~every event matches", f"{heavy.wall:.2f} s", f"{heavy.cpu_s:.1f}",
                     f"{total / heavy.wall:,.0f}",
                     f"{heavy.peak_rss_mb:.0f}", f"{heavy.other_cores:.2f}",
                     f"largest process {heavy.peak_proc_mb:.0f} MB; bar < 300 MB: "
                     f"{'PASS' if heavy.peak_rss_mb < 300 else 'FAIL'}"))

    results["counts"] = counts
    header = ("measurement", "wall (best)", "cpu s", "events/s", "peak MB", "other load", "notes")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print()
    print(f"{total:,} events in {facts['files']:,} files; filter matches {expected:,}")
    for row in [header] + rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print()
    same = len(set(counts.values())) == 1
    print("match counts: " + ", ".join(f"{k} {v}" for k,
                                       v in counts.items()) + ("  (all equal)" if same else "  MISMATCH"))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
