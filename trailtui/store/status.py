"""What a store holds, for `trailtui index --status/--list/--drop`."""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from trailtui.store.build import build_lock
from trailtui.store.listing import LogIdentity
from trailtui.store.location import StoreLocation, stores_root
from trailtui.store.manifest import Manifest, StoreInvalid, load


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """`files`/`events`: what the store holds; `bytes`: its size on disk;
    `fresh_files`/`stale_files`: the source's files now, held up to date or not."""

    source: str
    path: str
    files: int
    events: int
    bytes: int
    fresh_files: int
    stale_files: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def folder_bytes(folder: Path) -> int:
    total = 0
    try:
        for child in folder.iterdir():
            if child.is_file() and not child.is_symlink():
                total += child.stat().st_size
    except OSError:
        return total
    return total


def read_manifest(location: StoreLocation) -> Manifest | None:
    """The manifest, or None when there is no usable store."""
    try:
        return load(location.manifest, location.source)
    except StoreInvalid:
        return None


def store_status(location: StoreLocation, listing: list[LogIdentity]) -> StoreStatus:
    manifest = read_manifest(location)
    files = manifest.files if manifest is not None else {}
    fresh = sum(1 for log in listing if log.same_as(files.get(log.location)))
    return StoreStatus(
        source=location.source, path=str(location.folder), files=len(files),
        events=manifest.events_held() if manifest is not None else 0,
        bytes=folder_bytes(location.folder) if location.folder.is_dir() else 0,
        fresh_files=fresh, stale_files=len(listing) - fresh,
    )


@dataclass(frozen=True, slots=True)
class StoreSummary:
    source: str
    path: str
    bytes: int
    files: int
    events: int


def list_stores(env: dict[str, str] | None = None) -> list[StoreSummary]:
    """Every store under the cache folder, biggest first; an unreadable one is
    listed with source `?` so it can still be found and dropped."""
    root = stores_root(env)
    if not root.is_dir():
        return []
    out: list[StoreSummary] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        source, files, events = "?", 0, 0
        try:
            import orjson

            doc = orjson.loads((folder / "manifest.json").read_bytes())
            source = str(doc.get("source", "?"))
            manifest = load(folder / "manifest.json", source)
            if manifest is not None:
                files, events = len(manifest.files), manifest.events_held()
        except (OSError, ValueError, AttributeError, StoreInvalid):
            pass
        out.append(StoreSummary(source, str(folder), folder_bytes(folder), files, events))
    out.sort(key=lambda s: s.bytes, reverse=True)
    return out


def drop_store(location: StoreLocation) -> bool:
    """Remove the store (waiting for no build); False when there was none."""
    folder = location.folder
    if not folder.is_dir():
        return False
    with build_lock(folder):
        for child in folder.iterdir():
            if child.name != "build.lock":
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    return True
