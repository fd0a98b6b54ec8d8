"""How much of what the hunts report on a demo trail is the planted incident.

    trailtui demo /tmp/demo-hunts --no-tui
    python bench/hunt_false_positives.py /tmp/demo-hunts

A hit belongs to the incident when its event comes from the attacker's address
or uses the leaked or the newly created access key (both from the demo's
`trailtui-demo.json`); every other hit counts as a false positive on the
background noise.  Prints per hunt: hits in the incident, hits outside it, and
the principals outside it, then the incident steps no hunt reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter, defaultdict
from pathlib import Path

from trailtui.hunts import Hit, load_catalogue, run_hunts
from trailtui.sources import open_source


async def collect(tree: str) -> list[Hit]:
    source = open_source(tree)
    hits: list[Hit] = []
    try:
        async for step in run_hunts(source, load_catalogue().hunts):
            hits.extend(step.hits)
    finally:
        await source.close()
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("demo_dir")
    args = parser.parse_args()
    incident = json.loads((Path(args.demo_dir) / "trailtui-demo.json").read_text())["incident"]
    keys = {incident["access_key_id"], incident.get("new_access_key_id")}

    def in_incident(raw: dict) -> bool:
        identity = raw.get("userIdentity") or {}
        return raw.get("sourceIPAddress") == incident["attacker_ip"] or identity.get("accessKeyId") in keys

    hits = asyncio.run(collect(args.demo_dir))
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    who: dict[str, Counter[str]] = defaultdict(Counter)
    seen_incident_names: set[str] = set()
    for hit in hits:
        if in_incident(hit.event.raw):
            inside[hit.hunt.id] += 1
            seen_incident_names.add(hit.event.event_name)
        else:
            outside[hit.hunt.id] += 1
            who[hit.hunt.id][hit.event.principal] += 1
    print(f"{'hunt':<34}{'incident':>9}{'outside':>9}  principals outside the incident")
    for hunt_id in sorted(set(inside) | set(outside), key=lambda h: (-outside[h], h)):
        names = ", ".join(f"{p} ({n})" for p, n in who[hunt_id].most_common(3))
        print(f"{hunt_id:<34}{inside[hunt_id]:>9}{outside[hunt_id]:>9}  {names}")
    print(f"total: {sum(inside.values())} hits in the incident from {len(inside)} hunts; "
          f"{sum(outside.values())} false-positive hits from {len(outside)} hunts")
    print("incident steps:")
    for step in incident.get("steps", []):
        print(f"  {step['at']}  {step['phase']:<20} {step['what']}")


if __name__ == "__main__":
    main()
