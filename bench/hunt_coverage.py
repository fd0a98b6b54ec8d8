"""What each hunt family catches on real attack samples and flags on background.

    trailtui demo /tmp/demo-hunts --no-tui
    python bench/hunt_coverage.py --data ../shared/data --demo /tmp/demo-hunts

Families are the `# ---- name` sections of the built-in hunts.toml, plus
"attempts": hits on calls that failed.  For each family it prints

* Stratus Red Team techniques (detonation files) with at least one hit,
* TrailDiscover sample files with at least one hit,
* Panther should-alert records caught and should-not-alert records flagged,
* on the demo trail: distinct events flagged inside the planted incident and
  outside it (the background), against the number of events scanned,
* first-seen hits on every Stratus log read as one history with its first
  month as the baseline (a single file has no baseline to compare with).

Each sample file is run on its own engine, newest first, as `trailtui hunt`
would.  Runs against whatever `trailtui` is importable, so the same script
measures an older checkout with `PYTHONPATH=/path/to/checkout`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections import defaultdict
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from trailtui.events import Event
from trailtui.hunts import Hit, HuntEngine, load_catalogue, run_hunts
from trailtui.sources import open_source

SECTION = re.compile(r"^# -+ (.+)$")
HUNT_ID = re.compile(r'^id = "([^"]+)"')


def families() -> dict[str, str]:
    """hunt id -> the catalogue section it sits in."""
    text = resources.files("trailtui.hunts").joinpath("hunts.toml").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    section = "other"
    for line in text.splitlines():
        if (match := SECTION.match(line)) is not None:
            section = match.group(1).strip()
        elif (match := HUNT_ID.match(line)) is not None:
            out[match.group(1)] = section
    return out


def is_attempt(hit: Hit) -> bool:
    flag = getattr(hit, "attempt", None)
    if flag is not None:
        return bool(flag)
    return bool(hit.event.raw.get("errorCode"))


def hit_families(hits: list[Hit], family_of: dict[str, str]) -> set[str]:
    found = {family_of.get(h.hunt.id, "other") for h in hits}
    if any(is_attempt(h) for h in hits):
        found.add("attempts")
    return found


def run_records(records: list[Any], baseline_until: datetime | None = None) -> list[Hit]:
    events = [Event.from_raw(r, "sample") for r in records if isinstance(r, dict)]
    events.sort(key=lambda e: e.time, reverse=True)
    if baseline_until is not None:
        from trailtui.hunts import HuntContext
        from trailtui.timerange import TimeRange

        engine = HuntEngine(load_catalogue().hunts, HuntContext(baseline=TimeRange(None, baseline_until)))
    else:
        engine = HuntEngine(load_catalogue().hunts)
    hits = engine.feed_all(events)
    finish = getattr(engine, "finish", None)
    if finish is not None:
        hits.extend(finish())
    return hits


def load_records(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else [data]


async def demo_hits(tree: str) -> tuple[list[Hit], int]:
    source = open_source(tree)
    hits: list[Hit] = []
    scanned = 0
    try:
        async for step in run_hunts(source, load_catalogue().hunts):
            hits.extend(step.hits)
            scanned = step.scanned
    finally:
        await source.close()
    return hits, scanned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="the shared data directory (stratus-red-team/, ...)")
    parser.add_argument("--demo", help="a `trailtui demo` directory")
    args = parser.parse_args()
    family_of = families()
    data = Path(args.data)
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    stratus = sorted((data / "stratus-red-team").glob("aws.*.json"))
    for path in stratus:
        hits = run_records(load_records(path))
        for family in hit_families(hits, family_of) | ({"any"} if hits else set()):
            table[family]["stratus"] += 1
    # The first month of detonations as the baseline (the newest two days alone hold no principal with one).
    history = run_records([r for path in stratus for r in load_records(path)], datetime(2024, 8, 27, tzinfo=UTC))
    history_first_seen = [h for h in history if family_of.get(h.hunt.id) == "first seen"]
    discover = sorted((data / "traildiscover" / "events").glob("*/*.json.cloudtrail"))
    for path in discover:
        hits = run_records(load_records(path))
        for family in hit_families(hits, family_of) | ({"any"} if hits else set()):
            table[family]["traildiscover"] += 1
    panther = [json.loads(line) for line in (data / "panther-analysis" / "aws_cloudtrail_rule_tests.jsonl")
               .read_text().splitlines() if line.strip()]
    alerts = sum(1 for t in panther if t["expected"])
    for test in panther:
        hits = run_records([test["log"]])
        key = "panther_alert" if test["expected"] else "panther_quiet"
        for family in hit_families(hits, family_of) | ({"any"} if hits else set()):
            table[family][key] += 1

    scanned = 0
    if args.demo:
        incident = json.loads((Path(args.demo) / "trailtui-demo.json").read_text())["incident"]
        keys = {incident["access_key_id"], incident.get("new_access_key_id")}
        hits, scanned = asyncio.run(demo_hits(args.demo))
        flagged: dict[str, set[str]] = defaultdict(set)
        for hit in hits:
            raw = hit.event.raw
            identity = raw.get("userIdentity") or {}
            inside = raw.get("sourceIPAddress") == incident["attacker_ip"] or identity.get("accessKeyId") in keys
            where = "demo_incident" if inside else "demo_background"
            event_key = f"{where}:{raw.get('eventID')}"
            for family in hit_families([hit], family_of) | {"any"}:
                flagged[family].add(event_key)
        for family, events in flagged.items():
            table[family]["demo_incident"] = sum(1 for e in events if e.startswith("demo_incident:"))
            table[family]["demo_background"] = sum(1 for e in events if e.startswith("demo_background:"))

    print(f"samples: {len(stratus)} Stratus techniques, {len(discover)} TrailDiscover files, "
          f"{alerts} Panther should-alert, {len(panther) - alerts} should-not-alert; demo: {scanned} events scanned")
    columns = ("stratus", "traildiscover", "panther_alert", "panther_quiet", "demo_incident", "demo_background")
    print(f"{'family':<34}" + "".join(f"{c:>16}" for c in columns))
    order = sorted(table, key=lambda f: (f == "any", f == "attempts", f))
    for family in order:
        print(f"{family:<34}" + "".join(f"{table[family][c]:>16}" for c in columns))
    print(f"all Stratus logs as one history, baseline until 2024-08-27: {len(history_first_seen)} first-seen hits: "
          + ", ".join(f"{h.hunt.id} {h.event.raw.get('eventName')}" for h in history_first_seen))
    if scanned:
        share = table["any"]["demo_background"] / scanned
        print(f"demo background flagged: {table['any']['demo_background']} of {scanned} events ({share:.2%})")


if __name__ == "__main__":
    main()
