"""A local tree unchanged since its store last listed it whole, found in one pass.

After a build, most questions are asked of a tree nobody has changed since.
The general path (`listing.local_listing`, `source.split`,
`source.wanted_files`) builds an object per log file three times over, tens
of thousands of them before every answer.  This pass reads the manifest's
rows once and asks, file by file, what the general path would decide: every
folder mark holds (no file added, removed or renamed), every file still has
its size and mtime (none rewritten in place), every file is held, and every
row of the segments read is of a listed file.  The first difference ends it
(None) and the general path answers.  Otherwise its `Wanted` is the one the
general path builds for the same tree: the same files, ranks and newest stamp.

It comes in two steps so that a caller can start its SQL on the segments
(`ManifestRows.segments`) while the files are checked (`unchanged`).  The
check itself is a stat per file and C-speed type checks of the manifest's
columns; where each file is, and its place in reading order, are worked out
later, and only for the files asked about (`HeldFiles`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import count, repeat
from pathlib import Path
from typing import Any

from trailtui.store.location import StoreLocation
from trailtui.store.manifest import StoreInvalid, all_of, folder_columns, read_document
from trailtui.store.marks import marks_hold
from trailtui.store.query import Wanted

_NO_STAMP = -1  # a file whose name carries no delivery stamp: read first, as a plain scan does
_FIRST = 1 << 62
Columns = list[list[Any]]  # name, id, size, mtime_ns, etag, segment index, events, stamp (`manifest.FILE_COLUMNS`)


class HeldFiles:
    """Where each file of an unchanged tree is held, and its place in reading
    order, from the manifest's columns.  A search that matched a few hundred
    events ranks the few hundred files they are in, not every file (a sort
    and three maps of 20,000 files cost ~25 ms of a 0.3 s answer)."""

    __slots__ = ("_files", "_segment_paths", "_where", "_all_places")

    def __init__(self, files: dict[str, Columns], segment_paths: list[str]) -> None:
        self._files = files
        self._segment_paths = segment_paths
        self._where: dict[int, tuple[str, int]] | None = None
        self._all_places: tuple[dict[int, str], dict[int, str]] | None = None

    def _position(self) -> dict[int, tuple[str, int]]:
        if self._where is None:
            where: dict[int, tuple[str, int]] = {}
            for folder, columns in self._files.items():
                where.update(zip(columns[1], zip(repeat(folder), count()), strict=False))
            self._where = where
        return self._where

    def _reading_key(self, file_id: int) -> tuple[int, str]:
        folder, index = self._position()[file_id]
        columns = self._files[folder]
        stamp = columns[7][index]
        return (_FIRST if stamp == _NO_STAMP else stamp), folder + columns[0][index]

    def ranks(self, ids: Iterable[int] | None = None) -> dict[int, int]:
        """Ranks in reading order (newest delivery first, then by location, as
        a plain scan reads them) of `ids` (all files: None); among a subset
        they order its files as the ranks of all files would."""
        chosen = sorted(self._position() if ids is None else set(ids), key=self._reading_key, reverse=True)
        return {file_id: rank for rank, file_id in enumerate(chosen)}

    def places(self, ids: Iterable[int] | None = None) -> tuple[dict[int, str], dict[int, str]]:
        """Each file's location and the path of the segment holding its rows
        (of all files, kept: None)."""
        if ids is None and self._all_places is not None:
            return self._all_places
        where = self._position()
        locations: dict[int, str] = {}
        segments: dict[int, str] = {}
        for file_id in where if ids is None else set(ids):
            folder, index = where[file_id]
            columns = self._files[folder]
            locations[file_id] = folder + columns[0][index]
            segments[file_id] = self._segment_paths[columns[5][index]]
        if ids is None:
            self._all_places = locations, segments
        return locations, segments


class _Deferred(Mapping[int, Any]):
    """A map built on first use: most answers from an unchanged tree never
    look a file up (counts without odd rows) or look up only a few (`wanted_for`)."""

    def __init__(self, build: Callable[[], Mapping[int, Any]]) -> None:
        self._build: Callable[[], Mapping[int, Any]] | None = build
        self._built: Mapping[int, Any] = {}

    def _map(self) -> Mapping[int, Any]:
        if self._build is not None:
            self._built, self._build = self._build(), None
        return self._built

    def __getitem__(self, key: int) -> Any:
        return self._map()[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


@dataclass(frozen=True, slots=True)
class UnchangedTree:
    """What a search of the whole tree reads: every row of `segments` is of a wanted file."""

    held: HeldFiles
    segments: list[Path]
    events: int
    newest: int | None  # the newest delivery stamp; None when some file has none
    max_rows: int | None
    dictionary: str

    @property
    def wanted(self) -> Wanted:
        """Every held file (its maps built on first use)."""
        held = self.held
        return Wanted(_Deferred(held.ranks), _Deferred(lambda: held.places()[0]), self.newest, self.max_rows,
                      self.dictionary, True, _Deferred(lambda: held.places()[1]))

    def wanted_for(self, ids: Iterable[int]) -> Wanted:
        """Only the files `ids` (the files of the rows a search selected)."""
        chosen = set(ids)
        locations, segments = self.held.places(chosen)
        return Wanted(self.held.ranks(chosen), locations, self.newest, self.max_rows, self.dictionary, True,
                      segments)


@dataclass(frozen=True, slots=True)
class ManifestRows:
    """The manifest of a local tree's store, read but not yet checked against the files."""

    folder: Path
    files: dict[str, Any]  # folder -> its file columns, as saved (unchecked)
    segment_rows: dict[str, int]  # segment file -> rows it holds
    dictionary: str  # the blocks' dictionary path, "" for none

    @classmethod
    def read(cls, location: StoreLocation, root: str) -> ManifestRows | None:
        """The rows, when the store's last whole listing of `root` still holds
        (every folder mark); None for anything else, including a store that
        cannot be read (the general path says why)."""
        try:
            doc = read_document(location.manifest, location.source)
        except StoreInvalid:
            return None
        if doc is None:
            return None
        folders, files, segments = doc.get("folders"), doc.get("files"), doc.get("segments")
        dictionary = doc.get("dictionary", "")
        if not (type(folders) is dict and type(files) is dict and type(segments) is dict
                and type(dictionary) is str and "/" not in dictionary
                and all(type(count) is int for count in segments.values())):
            return None
        if root not in folders or not all(type(ctime) is int for ctime in folders.values()):
            return None
        if not os.path.isdir(root) or not marks_hold(folders):
            return None
        if dictionary and not (location.folder / dictionary).is_file():
            return None
        return cls(location.folder, files, segments, str(location.folder / dictionary) if dictionary else "")

    @property
    def segments(self) -> list[Path]:
        """Every segment holding rows: what an unchanged tree's search reads,
        unless some segment holds no listed file (then `unchanged` says which)."""
        return sorted(self.folder / name for name, count in self.segment_rows.items() if count)

    @property
    def events(self) -> int:
        return sum(self.segment_rows.values())

    def unchanged(self, max_rows: int | None = None) -> UnchangedTree | None:
        """The tree as the store holds it, when no file changed (each one
        stat'ed now); else None."""
        names = list(self.segment_rows)
        held = [0] * len(names)
        checked: dict[str, Columns] = {}
        ids: set[int] = set()
        files = stamped = 0
        newest = _NO_STAMP
        for folder, raw in self.files.items():
            columns = folder_columns(raw)
            if columns is None or not _held(columns, len(names)) or not _unchanged(folder, columns):
                return None
            checked[folder] = columns
            for segment, events in zip(columns[5], columns[6], strict=True):
                held[segment] += events
            ids.update(columns[1])
            files += len(columns[1])
            stamps = columns[7]
            if stamps:
                newest = max(newest, max(stamps))
                stamped += len(stamps) - stamps.count(_NO_STAMP)
        if not files or len(ids) != files:
            return None  # nothing held (a plain scan is instant), or two files with one id
        if any(count and count != self.segment_rows[names[index]] for index, count in enumerate(held)):
            return None  # a segment also holds rows of files no longer listed: pick rows by file
        segments = sorted(self.folder / names[index] for index, count in enumerate(held) if count)
        return UnchangedTree(HeldFiles(checked, [str(self.folder / name) for name in names]), segments, sum(held),
                             newest if stamped == files else None, max_rows, self.dictionary)


def _held(columns: Columns, segments: int) -> bool:
    """The shape of a folder's columns when every file is held: otherwise a
    file has a problem (not held), is an S3 object, or the row is odd."""
    names, ids, sizes, mtimes, etags, held_in, events, stamps = columns
    return (all_of(str, names) and "/" not in "".join(names)
            and all(all_of(int, column) for column in (ids, sizes, mtimes, held_in, events, stamps))
            and etags.count(None) == len(etags)
            and (not held_in or (min(held_in) >= 0 and max(held_in) < segments)))


def _unchanged(folder: str, columns: Columns) -> bool:
    """Every file of the folder still of its size and mtime, each stat'ed by
    name in the open folder (the kernel walks one name, not the whole path)."""
    try:
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    stat = os.stat
    try:
        for name, size, mtime_ns in zip(columns[0], columns[2], columns[3], strict=True):
            st = stat(name, dir_fd=directory)
            if st.st_size != size or st.st_mtime_ns != mtime_ns:
                return False
    except OSError:
        return False
    finally:
        os.close(directory)
    return True
