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
(`ManifestRows.segments`) while the files are checked (`unchanged`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trailtui.store.location import StoreLocation
from trailtui.store.manifest import StoreInvalid, read_document
from trailtui.store.marks import marks_hold
from trailtui.store.query import Wanted

_NO_STAMP = -1  # a file whose name carries no delivery stamp: read first, as a plain scan does
_FIRST = 1 << 62
_ROW_FIELDS = 8  # name, id, size, mtime_ns, etag, segment index, events, stamp (`manifest._entries`)


@dataclass(frozen=True, slots=True)
class UnchangedTree:
    """What a search of the whole tree reads: every row of `segments` is of a wanted file."""

    wanted: Wanted
    segments: list[Path]
    events: int


@dataclass(frozen=True, slots=True)
class ManifestRows:
    """The manifest of a local tree's store, read but not yet checked against the files."""

    folder: Path
    files: dict[str, list[Any]]  # folder -> its rows, as saved
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
        try:
            return self._check(max_rows)
        except (TypeError, ValueError):  # a row of the wrong shape: the general path refuses the store
            return None

    def _check(self, max_rows: int | None) -> UnchangedTree | None:
        names = list(self.segment_rows)
        held = [0] * len(names)
        order: list[tuple[int, str, int]] = []
        segment_of: dict[int, int] = {}
        for folder, rows in self.files.items():
            try:  # each file stat'ed by its name in the open folder: the kernel walks one name, not the whole path
                directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                return None
            try:
                if not self._check_folder(folder, directory, rows, len(names), held, segment_of, order):
                    return None
            finally:
                os.close(directory)
        if not order or len(segment_of) != len(order):
            return None  # nothing held (a plain scan is instant), or two rows with one id
        used = {index for index, count in enumerate(held) if count}
        if any(held[index] != self.segment_rows[names[index]] for index in used):
            return None  # a segment also holds rows of files no longer listed: pick rows by file
        return self._tree(order, segment_of, names, held, max_rows)

    @staticmethod
    def _check_folder(folder: str, directory: int, rows: list[Any], segments: int, held: list[int],
                      segment_of: dict[int, int], order: list[tuple[int, str, int]]) -> bool:
        """One folder's rows against its files; False at the first difference."""
        stat, add = os.stat, order.append
        for row in rows:
            if len(row) != _ROW_FIELDS:
                return False
            name, file_id, size, mtime_ns, etag, segment, events, stamp = row
            if (type(name) is not str or "/" in name or type(file_id) is not int or type(segment) is not int
                    or type(events) is not int or type(stamp) is not int or etag is not None
                    or not 0 <= segment < segments):
                return False  # not held (a file with a problem), an S3 entry, or odd
            try:
                st = stat(name, dir_fd=directory)
            except OSError:
                return False
            if st.st_size != size or st.st_mtime_ns != mtime_ns:
                return False
            held[segment] += events
            segment_of[file_id] = segment
            add((_FIRST if stamp == _NO_STAMP else stamp, folder + name, file_id))
        return True

    def _tree(self, order: list[tuple[int, str, int]], segment_of: dict[int, int], names: list[str],
              held: list[int], max_rows: int | None) -> UnchangedTree:
        order.sort(reverse=True)  # newest delivery first, then by location: a plain scan's reading order
        paths = [str(self.folder / name) for name in names]
        newest = None if not order or order[0][0] == _FIRST else order[0][0]
        wanted = Wanted({file_id: rank for rank, (_, _, file_id) in enumerate(order)},
                        {file_id: location for _, location, file_id in order},
                        newest, max_rows, self.dictionary, True,
                        {file_id: paths[index] for file_id, index in segment_of.items()})
        segments = sorted(self.folder / names[index] for index, count in enumerate(held) if count)
        return UnchangedTree(wanted, segments, sum(held))
