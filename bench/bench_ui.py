"""Console benchmarks on a large local trail (a script, not a test).

    /tmp/venv/bin/python bench/bench_ui.py [--tree /tmp/demo2m] [--repeat 3]
        [--filter "eventSource == 's3.amazonaws.com'"] [--target 200000]

Each measurement runs in a fresh process (so RSS is the console's own):

- first paint: process start -> the app's `Ready` (first frame composed),
  headless at 80x24; baseline: a minimal Textual app (Static + Footer) measured
  the same way, so the ratio shows what trailtui adds;
- first page: process start -> the first rows of the unfiltered query are
  painted (the same run as first paint);
- key latency while scanning: wall time of a `j` key press, answered while the
  first query still scans the tree;
- `--building`: key latency while the store is built in the background (a
  fresh temporary store), and the status line's `indexing N%` / `indexed`;
- scrolling: a filter matching many events, then `G` / pagedown until
  `--target` matches are loaded and the cursor went through them; peak RSS of
  the console process (ru_maxrss) and of the scan's worker processes, plus the
  row store's own memory and spool size.

Without `--tree`, /tmp/demo2m is used when present, else a 300,000-event demo is
written to /tmp/demo300k (`trailtui demo DIR --events 300000 --no-tui`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def rss_now_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants_rss_mb() -> float:
    """RSS of every process below this one (scan workers are children of the
    forkserver, so RUSAGE_CHILDREN does not see them)."""
    total = 0.0
    stack = [os.getpid()]
    seen = set()
    while stack:
        pid = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child in seen:
                    continue
                seen.add(child)
                stack.append(child)
                try:
                    for line in Path(f"/proc/{child}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) / 1024
                except OSError:
                    pass
    return total


def peak_mb(who: int) -> float:
    import resource

    return resource.getrusage(who).ru_maxrss / 1024


# -- children -----------------------------------------------------------------------
def child_baseline(spawned: float) -> dict:
    from textual.app import App
    from textual.widgets import Footer, Static

    class Minimal(App):
        def compose(self):
            yield Static("hello")
            yield Footer()

        def on_ready(self) -> None:
            self.ready_at = time.time()

    import asyncio

    async def run() -> dict:
        app = Minimal()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
        return {"first_paint_s": app.ready_at - spawned}

    return asyncio.run(run())


async def key_latencies(app, count: int) -> list[float]:
    """Send `j` as the terminal driver would and time until the cursor moved
    (the key handled by the app loop while the scan keeps running)."""
    import asyncio

    from textual import events

    out = []
    for _ in range(count):
        if not app.events.run.running:
            break
        before = app.events.list.cursor
        key = events.Key("j", "j")
        key.set_sender(app)
        started = time.perf_counter()
        app._driver.send_message(key)
        while app.events.list.cursor == before:
            await asyncio.sleep(0.001)
        out.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)
    return out


def child_startup(spawned: float, tree: str) -> dict:
    import asyncio

    from trailtui.commands.console import prepare_worker_processes
    from trailtui.ui.app import ConsoleOptions, TrailApp

    prepare_worker_processes()

    class Probe(TrailApp):
        ready_at = 0.0

        def on_ready(self) -> None:
            self.ready_at = time.time()

    from trailtui.ui.event_list import EventList

    first_row: list[float] = []
    render_row = EventList._render_row

    def recording_render_row(self, *args):  # the compositor asks for the first row: it is being painted
        if not first_row:
            first_row.append(time.time())
        return render_row(self, *args)

    EventList._render_row = recording_render_row

    async def run() -> dict:
        app = Probe(ConsoleOptions(tree))
        async with app.run_test(size=(80, 24)) as pilot:
            while not first_row:
                if app.events.run.error:
                    raise SystemExit(app.events.run.error)
                await asyncio.sleep(0.002)
            first_page = first_row[0]
            await pilot.pause()
            text = "\n".join(s.text for s in app.screen._compositor.render_strips())
            assert "PRINCIPAL" in text
            latencies = await key_latencies(app, 10)
            return {
                "first_paint_s": app.ready_at - spawned,
                "first_page_s": first_page - spawned,
                "rows_at_first_page": app.events.run.matched,
                "key_latencies_ms": [round(x * 1000, 1) for x in latencies],
            }

    return asyncio.run(run())


def child_building(tree: str, count: int) -> dict:
    """Key presses while the store is built in the background (a fresh, temporary
    store): wait for `indexing N%` on the status line, then time `j` presses
    while the build runs, and wait for `indexed`."""
    import asyncio
    import tempfile

    from textual import events

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="bench-ui-store-")
    from trailtui.commands.console import prepare_worker_processes
    from trailtui.ui.app import ConsoleOptions, TrailApp

    prepare_worker_processes()

    async def run() -> dict:
        app = TrailApp(ConsoleOptions(tree, index=True))
        out: list[float] = []
        words: list[str] = []
        async with app.run_test(size=(80, 24)) as pilot:
            began = time.perf_counter()
            while not app.session.index_word().startswith("indexing") and time.perf_counter() - began < 600:
                await asyncio.sleep(0.01)
            words.append(app.session.index_word())
            sent = 0
            while app.session.index_word().startswith("indexing") and len(out) < count:
                before = app.events.list.cursor
                name = "j" if sent % 40 < 20 else "k"
                sent += 1
                key = events.Key(name, name)
                key.set_sender(app)
                started = time.perf_counter()
                app._driver.send_message(key)  # as the terminal driver delivers it
                while app.events.list.cursor == before and time.perf_counter() - started < 5:
                    await asyncio.sleep(0.001)
                if app.events.list.cursor != before:
                    out.append(time.perf_counter() - started)
                await asyncio.sleep(0.1)
            words.append(app.session.index_word())
            while app.session.index_word() != "indexed" and time.perf_counter() - began < 3600:
                await asyncio.sleep(0.2)
            built = time.perf_counter() - began
            await pilot.pause(0.5)
            line = "\n".join(s.text for s in app.screen._compositor.render_strips()).splitlines()[-2]
        return {"key_latencies_ms": [round(x * 1000, 1) for x in out], "words": words, "build_s": round(built, 1),
                "status_line": line}

    return asyncio.run(run())


def child_scroll(tree: str, expression: str, target: int) -> dict:
    import asyncio
    import resource

    from trailtui.commands.console import prepare_worker_processes
    from trailtui.ui.app import ConsoleOptions, TrailApp

    prepare_worker_processes()

    async def run() -> dict:
        app = TrailApp(ConsoleOptions(tree, filter_text=expression))
        samples = []
        helpers = []
        started = time.perf_counter()
        async with app.run_test(size=(80, 24)) as pilot:
            pane = app.events
            steps = 0
            while True:
                await asyncio.sleep(0.05)
                samples.append(rss_now_mb())
                helpers.append(descendants_rss_mb())
                run = pane.run
                if run.error:
                    raise SystemExit(run.error)
                loaded = len(pane.store)
                if pane.list.cursor >= min(target, loaded) - 1 and (loaded >= target or not run.running):
                    break
                if run.paused or not run.running:
                    await pilot.press("G")
                    await pilot.press("pagedown", "pagedown", "pageup")
                    steps += 1
            # walk back up through the result a page at a time for a stretch
            for _ in range(200):
                await pilot.press("pageup")
            samples.append(rss_now_mb())
            store = pane.store
            return {
                "filter": expression,
                "matched_loaded": len(store),
                "scanned": pane.run.scanned,
                "cursor_after_200_pageups": pane.list.cursor,
                "g_presses": steps,
                "seconds": round(time.perf_counter() - started, 1),
                "peak_rss_mb": round(peak_mb(resource.RUSAGE_SELF), 1),
                "peak_sampled_rss_mb": round(max(samples), 1),
                "helper_processes_peak_rss_mb": round(max(helpers), 1),
                "row_store_mb": round(store.memory_bytes() / 2**20, 1),
                "spool_mb": round(store.spool_bytes / 2**20, 1),
            }

    return asyncio.run(run())


# -- parent ------------------------------------------------------------------------------
def in_child(mode: str, *extra: str) -> dict:
    spawned = time.time()
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--spawned", repr(spawned), *extra],
                         capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def default_tree() -> str:
    if Path("/tmp/demo2m/trailtui-demo.json").exists():
        return "/tmp/demo2m"
    tree = Path("/tmp/demo300k")
    if not (tree / "trailtui-demo.json").exists():
        print("no /tmp/demo2m: writing a 300,000-event demo to /tmp/demo300k", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "trailtui", "demo", str(tree), "--events", "300000", "--no-tui"],
                       check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return str(tree)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree")
    parser.add_argument("--filter", default="eventSource == 's3.amazonaws.com'")
    parser.add_argument("--target", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-scroll", action="store_true")
    parser.add_argument("--building", action="store_true",
                        help="only: key presses while the store is built in the background")
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--child")
    parser.add_argument("--spawned", type=float, default=0.0)
    args = parser.parse_args()
    if args.child:
        if args.child == "baseline":
            result = child_baseline(args.spawned)
        elif args.child == "startup":
            result = child_startup(args.spawned, args.tree)
        elif args.child == "building":
            result = child_building(args.tree, args.presses)
        else:
            result = child_scroll(args.tree, args.filter, args.target)
        print(json.dumps(result))
        return
    tree = args.tree or default_tree()
    print(f"tree: {tree}  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if args.building:
        result = in_child("building", "--tree", tree, "--presses", str(args.presses))
        keys = result["key_latencies_ms"]
        print(f"key press while the store builds ({len(keys)} presses, status {result['words']}): median "
              f"{statistics.median(keys):.0f} ms, p95 {sorted(keys)[int(len(keys) * 0.95)]:.0f} ms, max "
              f"{max(keys):.0f} ms; indexed after {result['build_s']} s; status line: {result['status_line']}")
        return
    baseline = [in_child("baseline")["first_paint_s"] for _ in range(args.repeat)]
    runs = [in_child("startup", "--tree", tree) for _ in range(args.repeat)]
    paint = [r["first_paint_s"] for r in runs]
    page = [r["first_page_s"] for r in runs]
    keys = [k for r in runs for k in r["key_latencies_ms"]]
    print(f"first paint (process start -> Ready, 80x24): min {min(paint):.3f}s median {statistics.median(paint):.3f}s"
          f"  | minimal Textual app: min {min(baseline):.3f}s median {statistics.median(baseline):.3f}s"
          f"  | ratio {statistics.median(paint) / statistics.median(baseline):.2f}x")
    print(f"first page on screen (process start -> rows painted): min {min(page):.3f}s"
          f" median {statistics.median(page):.3f}s; after Ready: median "
          f"{statistics.median(p - q for p, q in zip(page, paint, strict=False)):.3f}s")
    if keys:
        print(f"key press while scanning ({len(keys)} presses): median {statistics.median(keys):.0f} ms,"
              f" max {max(keys):.0f} ms")
    if not args.skip_scroll:
        result = in_child("scroll", "--tree", tree, "--filter", args.filter, "--target", str(args.target))
        print("scrolling:", json.dumps(result))


if __name__ == "__main__":
    main()
