"""Benchmark `trailtui demo` generation: events per second for N events.

    /tmp/venv/bin/python bench/bench_demo.py                       # 2,000,000 events, 2 workers
    /tmp/venv/bin/python bench/bench_demo.py --events 200000 --workers 1
    /tmp/venv/bin/python bench/bench_demo.py --out /tmp/demo2m --keep

Prints wall time, events/s, the tree's size, and how busy the whole machine was
during the run (from /proc/stat: with 2 workers on 2 cores, anything above ~2
busy cores means other people's work competed with ours), and the CPU seconds
of this process and its workers (sampled from /proc every 0.5 s), a per-core
rate that other load disturbs less.  The machine is shared: run it twice and
keep the better wall.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trailtui.demo import DemoSpec, generate_demo  # noqa: E402


class DescendantCpu(threading.Thread):
    """Samples the CPU seconds of every descendant process (the forkserver and
    its pool workers are not our direct children, so rusage misses them);
    keeps each process's last reading, so a worker's final <0.5 s is lost."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.sample()

    def sample(self) -> None:
        me = os.getpid()
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
            cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / self.tick
        for pid in cpu:
            ancestor = parents.get(pid)
            while ancestor and ancestor != me:
                ancestor = parents.get(ancestor)
            if ancestor == me:
                self.seen[pid] = cpu[pid]

    def total(self) -> float:
        return sum(self.seen.values())


def own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


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
    sampler = DescendantCpu()
    sampler.start()
    wall0, cpu0, (busy0, total0) = time.perf_counter(), own_cpu_seconds(), machine_ticks()
    result = generate_demo(spec, out, workers=args.workers)
    wall, cpu = time.perf_counter() - wall0, own_cpu_seconds() - cpu0
    sampler.stop.set()
    sampler.join()
    cpu += sampler.total()
    busy1, total1 = machine_ticks()
    busy_cores = (busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1)
    counts = result.counts
    print(f"events={counts.events} days={args.days} workers={args.workers} seed={args.seed}")
    print(f"log_files={counts.log_files} digest_files={counts.digest_files} "
          f"gz_MB={counts.compressed_bytes / 1e6:.1f} json_MB={counts.raw_bytes / 1e6:.1f}")
    print(f"wall_s={wall:.1f} events_per_s={counts.events / wall:,.0f} machine_busy_cores={busy_cores:.2f} "
          f"load_before={load:.2f}")
    print(f"cpu_s={cpu:.1f} (this process + sampled workers) events_per_cpu_s={counts.events / cpu:,.0f}")
    if not args.keep:
        shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
