"""Benchmark `trailtui demo` generation: events per second for N events.

    /tmp/venv/bin/python bench/bench_demo.py                       # 2,000,000 events, 2 workers
    /tmp/venv/bin/python bench/bench_demo.py --events 200000 --workers 1
    /tmp/venv/bin/python bench/bench_demo.py --out /tmp/demo2m --keep

Prints wall time, CPU time (this process and its workers), events/s and the
tree's size.  The machine is shared: run it twice and keep the better wall, and
look at the CPU seconds, which other people's load disturbs less.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trailtui.demo import DemoSpec, generate_demo  # noqa: E402


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="/tmp/trailtui-bench-demo")
    parser.add_argument("--keep", action="store_true", help="keep the generated tree")
    args = parser.parse_args()
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    load = os.getloadavg()[0]
    spec = DemoSpec(seed=args.seed, events=args.events, days=args.days)
    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    result = generate_demo(spec, out, workers=args.workers)
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    counts = result.counts
    print(f"events={counts.events} days={args.days} workers={args.workers} seed={args.seed}")
    print(f"log_files={counts.log_files} digest_files={counts.digest_files} "
          f"gz_MB={counts.compressed_bytes / 1e6:.1f} json_MB={counts.raw_bytes / 1e6:.1f}")
    print(f"wall_s={wall:.1f} cpu_s={cpu:.1f} events_per_s={counts.events / wall:,.0f} "
          f"events_per_cpu_s={counts.events / cpu:,.0f} load_before={load:.2f}")
    if not args.keep:
        shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
