"""Folder marks: the ctime of every folder a whole listing of a local tree
walked, taken before the walk.  A folder's ctime changes whenever an entry is
added, removed or renamed in it (and on chmod), so while every mark holds, the
tree has the files the last whole listing found (`trailtui.store.listing`)."""

from __future__ import annotations

import os

from trailtui.sources.walked_folders import walked


def folder_marks(root: str) -> dict[str, int] | None:
    """The ctime of every folder a whole listing of `root` walks (digest and
    skipped folders are not walked); None when a folder cannot be read or is
    reached twice (the listing reports those: no shortcut then)."""
    marks: dict[str, int] = {}
    seen: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        path = pending.pop()
        try:
            st = os.stat(path)
            if (st.st_dev, st.st_ino) in seen:
                return None
            seen.add((st.st_dev, st.st_ino))
            marks[path] = st.st_ctime_ns
            with os.scandir(path) as entries:
                pending.extend(entry.path for entry in entries if walked(entry.name) and entry.is_dir())
        except OSError:
            return None
    return marks


def marks_hold(marks: dict[str, int]) -> bool:
    stat = os.stat
    try:
        return bool(marks) and all(stat(path).st_ctime_ns == ctime for path, ctime in marks.items())
    except OSError:
        return False
