"""The store's table of contents: which log files it holds, in which segment.

One JSON document, replaced atomically (temp file, fsync, rename) after every
segment is in place: that rename is the commit.  A build killed before it
leaves the previous manifest, which names only complete segments.  A manifest
that cannot be read, or that another trailtui version wrote, is refused
(`StoreInvalid`) and the store is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from trailtui import __version__
from trailtui.regular_file import FileTooLarge, read_regular

# 2: the userIdentity.invokedBy column; 3: events in compressed blocks, folder marks, file stamps;
# 4: each folder's files as columns; 5: the ec2RoleDelivery column
FORMAT = 6  # 6: files with an unreadable eventTime or a record beyond the read limits are not held
# A folder's files are eight parallel lists: name, id, size, mtime_ns, etag,
# segment index (-1: not held), events, stamp.  Read before every answer: as
# columns, tens of thousands of files are a few hundred lists to parse, check
# by type in C (`all_of`) and leave to the garbage collector, not one per file.
FILE_COLUMNS = 8
MAX_MANIFEST_BYTES = 512 * 1024 * 1024


class StoreInvalid(Exception):
    """A store that cannot be used as it is (corrupt, another version): rebuild it."""


class FileEntry(NamedTuple):
    """One log file as it was indexed.  Local files are known by size and
    mtime, S3 objects by ETag (and size).  `events` counts the file's records;
    `segment` is "" when the file is not held (it has a problem: read plainly)."""

    id: int
    size: int
    mtime_ns: int | None
    etag: str | None
    segment: str
    events: int
    stamp: int = 0  # the file's delivery stamp, microseconds since the epoch (its place in reading order)


def all_of(kind: type, values: list[Any]) -> bool:
    """Every value of exactly this type (a bool is no int here), checked at C speed."""
    return set(map(type, values)) <= {kind}


def folder_columns(columns: Any) -> list[list[Any]] | None:
    """A folder's file columns, or None when they are of the wrong shape."""
    if type(columns) is not list or len(columns) != FILE_COLUMNS or not all(type(c) is list for c in columns):
        return None
    return columns if len({len(column) for column in columns}) == 1 else None


def _entries(raw: dict[str, Any], segment_names: list[str]) -> dict[str, FileEntry]:
    """Entries from their folder-grouped columns (`save`), checked for shape."""
    names = [*segment_names, ""]  # index -1: not held
    held = range(-1, len(segment_names))
    entries: dict[str, FileEntry] = {}
    for folder, raw_columns in raw.items():
        columns = folder_columns(raw_columns)
        if columns is None:
            raise StoreInvalid("manifest entry of the wrong shape")
        for name, file_id, size, mtime_ns, etag, segment, events, stamp in zip(*columns, strict=True):
            if segment not in held or type(name) is not str or "/" in name:
                raise StoreInvalid("manifest entry of the wrong shape")
            entries[folder + name] = FileEntry(file_id, size, mtime_ns, etag, names[segment], events, stamp)
    values = entries.values()
    if not (all(type(e.id) is int and type(e.size) is int and type(e.events) is int and type(e.stamp) is int
                for e in values)
            and all((e.mtime_ns is None or type(e.mtime_ns) is int) and (e.etag is None or type(e.etag) is str)
                    for e in values)):
        raise StoreInvalid("manifest entry of the wrong shape")
    return entries


def _reading_order(item: tuple[str, FileEntry]) -> tuple[int, str]:
    stamp = item[1].stamp
    return (stamp if stamp >= 0 else 1 << 62), item[0]  # a file with no stamp (-1) is read first


def _grouped(files: dict[str, FileEntry], segment_names: list[str]) -> dict[str, list[list[Any]]]:
    index = {name: number for number, name in enumerate(segment_names)}
    out: dict[str, list[list[Any]]] = {}  # folder -> its FILE_COLUMNS columns
    # Newest delivery first, as a plain scan reads them: a listing made from the
    # manifest then finds them in order (`trailtui.store.listing.known_listing`).
    for location, entry in sorted(files.items(), key=_reading_order, reverse=True):
        if entry.segment and entry.segment not in index:
            raise ValueError(f"{location} is held in {entry.segment}, which the manifest does not list")
        folder, _, name = location.rpartition("/")
        columns = out.setdefault(folder + "/" if folder else "", [[] for _ in range(FILE_COLUMNS)])
        row = (name, entry.id, entry.size, entry.mtime_ns, entry.etag, index.get(entry.segment, -1), entry.events,
               entry.stamp)
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return out


@dataclass(slots=True)
class Manifest:
    source: str
    files: dict[str, FileEntry] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)  # segment file -> rows it holds
    next_file: int = 1
    next_segment: int = 1
    dictionary: str = ""  # the blocks' compression dictionary (a file in the store folder); "" for none
    # Every folder of a local tree its last whole listing walked, with its ctime
    # (nanoseconds): while none changed, no file was added, removed or renamed
    # there, and the files listed then are the files now (`trailtui.store.listing`).
    folders: dict[str, int] = field(default_factory=dict)

    def events_held(self) -> int:
        """Events the segments hold for the files the manifest names."""
        return sum(entry.events for entry in self.files.values() if entry.segment)

    def held_bytes(self) -> int:
        """The log bytes (gzipped, as listed) of the files the segments hold:
        what the store's size budget is measured against."""
        return sum(entry.size for entry in self.files.values() if entry.segment)


def read_document(path: Path, source: str) -> dict[str, Any] | None:
    """The manifest's JSON, its version and source checked; None when there
    is none yet.  Raises StoreInvalid."""
    try:  # a FIFO or a device at the manifest's name is refused, never waited on
        data = read_regular(path, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        return None
    except FileTooLarge:
        raise StoreInvalid("manifest too large") from None
    except OSError as exc:
        raise StoreInvalid(f"cannot read the manifest ({exc.strerror or exc})") from None
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StoreInvalid(f"unreadable manifest ({type(exc).__name__})") from None
    if type(doc) is not dict:
        raise StoreInvalid("unreadable manifest (not an object)")
    if doc.get("format") != FORMAT or doc.get("trailtui") != __version__:
        raise StoreInvalid("written by another trailtui version")
    if doc.get("source") != source:
        raise StoreInvalid("holds another source")
    return doc


def load(path: Path, source: str) -> Manifest | None:
    """The manifest at `path`; None when there is none yet.  Raises StoreInvalid."""
    doc = read_document(path, source)
    if doc is None:
        return None
    try:
        segments = {str(k): int(v) for k, v in doc["segments"].items()}
        files = _entries(doc["files"], list(segments))
        dictionary = doc.get("dictionary", "")
        if type(dictionary) is not str or "/" in dictionary or (dictionary and not dictionary.endswith(".dict")):
            raise StoreInvalid("manifest names an odd dictionary")
        folders = doc.get("folders", {})
        if type(folders) is not dict or not all(type(v) is int for v in folders.values()):
            raise StoreInvalid("manifest folders of the wrong shape")
        manifest = Manifest(source, files, segments, int(doc["next_file"]), int(doc["next_segment"]), dictionary,
                            folders)
    except StoreInvalid:
        raise
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise StoreInvalid(f"unreadable manifest ({type(exc).__name__})") from None
    if any(entry.segment and entry.segment not in segments for entry in files.values()):
        raise StoreInvalid("manifest names a missing segment")
    if manifest.dictionary and not (path.parent / manifest.dictionary).is_file():
        raise StoreInvalid("the blocks' dictionary is missing")
    return manifest


def save(path: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically (the commit of a build step)."""
    doc = {
        "format": FORMAT, "trailtui": __version__, "source": manifest.source,
        "next_file": manifest.next_file, "next_segment": manifest.next_segment, "dictionary": manifest.dictionary,
        "folders": manifest.folders,
        "segments": manifest.segments,
        "files": _grouped(manifest.files, list(manifest.segments)),
    }
    from trailtui.export.output import atomic_text_file  # temp files: only when writing

    with atomic_text_file(path, force=True) as handle:
        handle.write(orjson.dumps(doc).decode())
