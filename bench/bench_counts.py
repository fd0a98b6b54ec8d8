"""Benchmark `trailtui stats` against the plain scan of the same tree.

Measures, in one run on one tree (issue 12's bars, as ratios to a baseline run
in the same session):

  plain scan   every event of the tree delivered through `LocalSource` and
               counted, in a fresh process (what any full-tree answer costs)
  top 20       `trailtui stats TREE --by principal --format json` (bar: at most
               the plain scan + 10 %)
  eventID      `trailtui stats TREE --by eventID --format json`: one group per
               event, far more than the counter keeps exactly; peak memory of
               the whole process tree (PSS, sampled every 30 ms; bar: 300 MB),
               and the answer must say it is approximate

Both counts must cover exactly the plain scan's events.  The machine is shared:
each measurement runs --repeat times, interleaved, and the best is kept; the
table shows how many cores other processes used meanwhile.

    python bench/bench_counts.py /tmp/demo2m
    python bench/bench_counts.py /tmp/demo2m --repeat 3 --json /tmp/counts.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bench_scan import Run, best, measure, trailtui_command


def plain_scan(tree: str) -> None:
    """Every event through LocalSource, counted (the baseline; run in its own process)."""
    from trailtui.sources import Query
    from trailtui.sources.local import LocalSource

    async def main() -> None:
        source = LocalSource(tree)
        events = 0
        async for page in source.search(Query(page_size=1000)):
            events += len(page.events)
        await source.close()
        print(json.dumps({"events": events}))

    asyncio.run(main())


def _line(label: str, run: Run, note: str = "") -> str:
    return (f"| {label} | {run.wall:.2f} s | {run.cpu_s:.1f} s | {run.peak_rss_mb:.0f} MB | {run.peak_proc_mb:.0f} MB "
            f"| {run.other_cores:.2f} | {note} |")


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark trailtui stats against a plain scan.")
    parser.add_argument("tree", nargs="?", default="/tmp/demo2m")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement (best is kept)")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--plain-scan", action="store_true", help=argparse.SUPPRESS)  # the baseline's own process
    args = parser.parse_args()
    if args.plain_scan:
        plain_scan(args.tree)
        return 0
    stats = trailtui_command() + ["stats", args.tree, "--format", "json"]
    commands = {
        "plain": [sys.executable, str(Path(__file__).resolve()), args.tree, "--plain-scan"],
        "principal": stats + ["--by", "principal"],
        "eventID": stats + ["--by", "eventID"],
    }
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for round_ in range(args.repeat):
        for name, command in commands.items():
            run = measure(command)
            runs[name].append(run)
            print(f"  {name} run {round_ + 1}: {run.wall:.2f}s  pss {run.peak_rss_mb:.0f} MB  "
                  f"other load {run.other_cores:.2f} cores", file=sys.stderr, flush=True)
    plain, top, by_id = best(runs["plain"]), best(runs["principal"]), best(runs["eventID"])
    events = json.loads(plain.stdout)["events"]
    top_answer, id_answer = json.loads(top.stdout), json.loads(by_id.stdout)
    if top_answer["events"] != events or id_answer["events"] != events:
        raise SystemExit(f"counts disagree with the scan: {events} vs {top_answer['events']} / {id_answer['events']}")
    ratio = top.wall / plain.wall
    peak = max(r.peak_rss_mb for r in runs["eventID"])
    print(f"\n{events:,} events in {args.tree}\n")
    print("| what | wall (best) | CPU | peak PSS, process tree | largest process | other load (cores) | note |")
    print("|---|---|---|---|---|---|---|")
    print(_line("plain scan, every event delivered", plain))
    print(_line("`stats --by principal` (top 20)", top, f"{ratio:.2f}x the plain scan (bar 1.10x), "
                f"{top_answer['distinct']:,} principals"))
    print(_line("`stats --by eventID`", by_id, f"worst peak over runs {peak:.0f} MB (bar 300 MB); "
                f"approximate={id_answer.get('approximate', False)}, error_bound={id_answer.get('error_bound', 0)}, "
                f"distinct≈{id_answer['distinct']:,}"))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "tree": args.tree, "events": events, "ratio_principal_to_plain": ratio, "eventID_peak_mb": peak,
            "runs": {name: [vars(r) | {"stdout": ""} for r in rs] for name, rs in runs.items()},
            "principal_answer": top_answer, "eventID_answer": {k: v for k, v in id_answer.items() if k != "groups"},
        }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
