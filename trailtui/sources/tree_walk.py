"""One walk of a local trail's folders, shared by the eager file list
(`trailtui.sources.local.discover`) and the lazy newest-first one
(`trailtui.sources.newest_files`), so both see the same folders, skip the same
ones and report the same directory problems in the same order.

The walk lists folders but parses no file name: a big tree has tens of
thousands, and a newest-first page needs only a few folders' worth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from trailtui.sources.base import Problem
from trailtui.sources.layout import (
    FAR_FUTURE,
    DeliveryWindow,
    LogKey,
    delivery_stamp,
    is_digest_key,
    looks_like_log_name,
    parse_log_key,
)
from trailtui.sources.walked_folders import walked


@dataclass(slots=True)
class Folder:
    """A folder's file names, unparsed, and the CloudTrail day folder it is
    (account, region, day), if it is one."""

    path: str
    day: LogKey | None
    names: list[str]

    @property
    def prefix(self) -> str:
        return os.path.join(self.path, "")


@dataclass(slots=True)
class Walked:
    folders: list[Folder]
    problems: list[Problem]


def walk_tree(root: str, window: DeliveryWindow) -> Walked:
    """Walk `root` once, following symlinks but never into a loop; skip digest
    folders, tool folders and date folders outside `window`."""
    problems: list[Problem] = []
    folders: list[Folder] = []
    seen: set[tuple[int, int]] = set()

    def on_error(exc: OSError) -> None:
        problems.append(Problem(str(exc.filename or root), f"cannot read directory ({exc.strerror or exc})"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        try:
            st = os.stat(dirpath)
        except OSError as exc:
            problems.append(Problem(dirpath, f"cannot read directory ({exc.strerror})"))
            dirnames[:] = []
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen:
            problems.append(Problem(dirpath, "symlink loop: directory already visited, skipped"))
            dirnames[:] = []
            continue
        seen.add(ident)
        rel_parts = Path(dirpath).parts
        dirnames[:] = sorted(
            d for d in dirnames
            if walked(d) and window.keeps_folder("/".join(rel_parts + (d,)))
        )
        # Account, region, day and digest-ness depend on the folder only: parse them
        # once per folder, not once per file (a big tree has tens of thousands).
        probe = dirpath.replace(os.sep, "/") + "/_"
        if is_digest_key(probe):
            continue
        day = parse_log_key(probe)
        if day is not None and not window.keeps_day(day.day):
            continue
        if filenames:
            folders.append(Folder(dirpath, day, filenames))
    return Walked(folders, problems)


class LogFile(NamedTuple):
    """A candidate file: its delivery stamp and path, the pair the scan engine
    takes; tuple order sorts by stamp (newest first when reversed)."""

    stamp: datetime
    path: str


def log_files(folder: Folder, window: DeliveryWindow) -> list[LogFile]:
    """The folder's log files in `window`, in listing order; a log name without
    a stamp sorts as `FAR_FUTURE` (read first).  The same test as
    `log_file_stamp`, inlined: an eager listing runs it for every file."""
    prefix = folder.prefix
    files: list[LogFile] = []
    for name in folder.names:
        if not looks_like_log_name(name) or "_CloudTrail-Digest_" in name:
            continue
        found = delivery_stamp(name)
        if found is not None and not window.keeps_stamp(found):
            continue
        files.append(LogFile(found or FAR_FUTURE, prefix + name))
    return files


def log_file_stamp(name: str, window: DeliveryWindow) -> datetime | None:
    """The stamp a log file named `name` sorts by; None when the name is not a
    log file's or is delivered outside `window`."""
    if not looks_like_log_name(name) or "_CloudTrail-Digest_" in name:
        return None
    found = delivery_stamp(name)
    if found is not None and not window.keeps_stamp(found):
        return None
    return found or FAR_FUTURE
