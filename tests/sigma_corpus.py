"""Real CloudTrail records under tests/data, and their flattened form for an
independent Sigma matcher (azuma) used as an oracle by the Sigma tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
SIGMAHQ = DATA / "sigma" / "sigmahq"


def _records_of(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict) and isinstance(value.get("Records"), list):
        value = value["Records"]
    items = value if isinstance(value, list) else [value]
    yield from (item for item in items if isinstance(item, dict) and "eventName" in item)


def corpus() -> list[dict[str, Any]]:
    """Every record of the Stratus Red Team, TrailDiscover and Panther samples."""
    records: list[dict[str, Any]] = []
    for path in sorted((DATA / "hunts" / "stratus-red-team").glob("*.json")):
        records.extend(_records_of(json.loads(path.read_text())))
    for path in sorted((DATA / "hunts" / "traildiscover").glob("*.json")):
        records.extend(_records_of(json.loads(path.read_text())))
    for path in sorted((DATA / "traildiscover" / "events").rglob("*")):
        if path.is_file():
            try:
                records.extend(_records_of(json.loads(path.read_text())))
            except ValueError:
                continue
    panther = DATA / "hunts" / "panther-analysis" / "aws_cloudtrail_rule_tests.jsonl"
    for line in panther.read_text().splitlines():
        if line.strip():
            records.extend(_records_of(json.loads(line).get("log")))
    return records


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys for every nested object member, as flat Sigma matchers want;
    an object or list is also present as its compact JSON text, numbers and
    booleans as their JSON text: the string forms trailtui matches against."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            if prefix:
                flat[prefix] = json.dumps(value, separators=(",", ":"))
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list):
            flat[prefix] = json.dumps(value, separators=(",", ":"))
        elif isinstance(value, bool):
            flat[prefix] = "true" if value else "false"
        elif value is None or isinstance(value, str):
            flat[prefix] = value
        else:
            flat[prefix] = json.dumps(value)

    walk("", record)
    return flat
