"""`trailtui-demo.json`: what a demo directory holds, for people and for the console.

Written last, so a directory with a manifest holds a complete demo; compared
on the next run so the same parameters reuse the tree instead of rebuilding it.
Contains no wall-clock time, so it is as deterministic as the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trailtui.demo.incident import DemoIncident
from trailtui.demo.keys import PUBLIC_KEYS_FILE
from trailtui.demo.spec import ACCOUNTS, BUCKET, HOME_REGION, ORG_ID, REGION_NAMES, TRAIL_ARN, TRAIL_NAME, DemoSpec

MANIFEST_FILE = "trailtui-demo.json"
GENERATOR = "trailtui demo"


@dataclass(frozen=True, slots=True)
class DemoCounts:
    events: int
    log_files: int
    digest_files: int
    compressed_bytes: int
    raw_bytes: int
    oldest_event: str | None = None
    newest_event: str | None = None


def build_manifest(spec: DemoSpec, counts: DemoCounts, incident: DemoIncident, fingerprint: str) -> dict[str, Any]:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "generator": GENERATOR,
        "parameters": spec.parameters(),
        "seed": spec.seed,
        "events": counts.events,
        "days": spec.days,
        "log_files": counts.log_files,
        "digest_files": counts.digest_files,
        "compressed_bytes": counts.compressed_bytes,
        "uncompressed_bytes": counts.raw_bytes,
        "organization_id": ORG_ID,
        "accounts": [{"id": a.id, "alias": a.alias} for a in ACCOUNTS],
        "regions": list(REGION_NAMES),
        "trail": {"name": TRAIL_NAME, "arn": TRAIL_ARN, "bucket": BUCKET, "home_region": HOME_REGION,
                  "is_organization_trail": True, "log_file_validation": True},
        "time_span": {"start": spec.start.strftime(fmt), "end": spec.end.strftime(fmt)},
        "oldest_event": counts.oldest_event,
        "newest_event": counts.newest_event,
        "public_keys": PUBLIC_KEYS_FILE,
        "public_key_fingerprint": fingerprint,
        "signing_key_note": "demo key shipped with trailtui; public, for demonstration only",
        "incident": incident.summary(),
    }


def write_manifest(directory: Path, manifest: dict[str, Any]) -> Path:
    path = directory / MANIFEST_FILE
    path.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    return path


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of a demo directory, or None when there is none (or it is not ours)."""
    try:
        data = orjson.loads((directory / MANIFEST_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("generator") == GENERATOR else None


def current_manifest(directory: Path, spec: DemoSpec) -> dict[str, Any] | None:
    """The manifest when `directory` already holds the demo `spec` describes, else None."""
    manifest = read_manifest(directory)
    if (manifest is not None and manifest.get("parameters") == spec.parameters()
            and (directory / "AWSLogs").is_dir() and (directory / PUBLIC_KEYS_FILE).is_file()):
        return manifest
    return None


def is_current(directory: Path, spec: DemoSpec) -> bool:
    """True when `directory` already holds the demo `spec` describes."""
    return current_manifest(directory, spec) is not None
