"""Local trails: an `AWSLogs/` tree (what `aws s3 sync` or `trailtui acquire`
wrote) or any folder of CloudTrail files.

Files are found lazily, pruned by the date in their path, read newest delivery
first, and their events are released in exact newest-first order: an event is
only yielded once no file still to be read can hold a newer one (a log file never
holds events newer than its delivery stamp).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from trailtui.events import Event
from trailtui.sources.base import Capabilities, Page, Problem, Query
from trailtui.sources.layout import (
    FAR_FUTURE,
    DeliveryWindow,
    delivery_stamp,
    is_digest_key,
    looks_like_log_name,
    parse_log_key,
)
from trailtui.sources.newest_first import NewestFirst
from trailtui.sources.scan import FileScanner, ScanRequest

# Folders never holding a trail.  Other dot-folders are walked: an organisation
# trail is often synced to a hidden folder (`.org-trail/AWSLogs/...`).
SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", ".venv", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                             "__pycache__", "node_modules"})


class LogFile(NamedTuple):
    """A candidate file: its delivery stamp and path, the pair the scan engine
    takes; tuple order sorts by stamp (newest first when reversed)."""

    stamp: datetime
    path: str


@dataclass(slots=True)
class Discovery:
    files: list[LogFile]
    problems: list[Problem]


def discover(root: str, since: datetime | None = None, until: datetime | None = None) -> Discovery:
    """Walk `root` once, following symlinks but never into a loop; skip digests
    and non-log objects; prune date folders outside the range."""
    problems: list[Problem] = []
    files: list[LogFile] = []
    base = Path(root)
    if base.is_file():
        stamp = delivery_stamp(base.name) or FAR_FUTURE
        return Discovery([LogFile(stamp, str(base))], problems)
    seen: set[tuple[int, int]] = set()
    window = DeliveryWindow(since, until)

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
            if d != "CloudTrail-Digest" and d not in SKIPPED_FOLDERS
            and window.keeps_folder("/".join(rel_parts + (d,)))
        )
        # Account, region, day and digest-ness depend on the folder only: parse them
        # once per folder, not once per file (a big tree has tens of thousands).
        probe = dirpath.replace(os.sep, "/") + "/_"
        if is_digest_key(probe):
            continue
        folder_key = parse_log_key(probe)
        if folder_key is not None and not window.keeps_day(folder_key.day):
            continue
        prefix = os.path.join(dirpath, "")
        for name in filenames:
            if not looks_like_log_name(name) or "_CloudTrail-Digest_" in name:
                continue
            found = delivery_stamp(name)
            if found is not None and not window.keeps_stamp(found):
                continue
            files.append(LogFile(found or FAR_FUTURE, prefix + name))
    files.sort(reverse=True)  # newest delivery first; tuples compare without a Python call per file
    return Discovery(files, problems)



@dataclass(slots=True)
class GroupedPage:
    """Progress and problems of a grouped scan, plus each file's groups
    (key -> [count, first, last])."""

    page: Page
    groups: list[dict[Any, list[Any]]]


class LocalSource:
    """A directory tree or a single file of CloudTrail logs."""

    capabilities = Capabilities(sql_pushdown=False, server_time_pruning=True, raw_json=True, server_cancel=False)

    def __init__(self, path: str, scanner: FileScanner | None = None) -> None:
        self.path = path
        self.url = path
        self._scanner = scanner or FileScanner()

    async def close(self) -> None:
        self._scanner.close()

    async def search_groups(self, query: Query, by: tuple[str, ...]) -> AsyncIterator[GroupedPage]:
        """The matches counted per key of the `by` expressions (JMESPath or the
        short names of `trailtui.counts`), file by file inside the scanning
        processes: no event is decoded twice or shipped, so a count costs less
        than a search.  Files come in no particular time order."""
        since, until = query.time_range.since, query.time_range.until
        found = await asyncio.to_thread(discover, self.path, since, until)
        if found.problems:
            yield GroupedPage(Page(problems=list(found.problems)), [])
        request = ScanRequest(query.filter.text, since, until, group_by=by)
        total = len(found.files) or 1
        done_files = 0
        async for batch, _ in self._scanner.scan(found.files, request):
            page = Page(progress=None)
            groups = []
            for result in batch:
                done_files += 1
                page.scanned += result.scanned
                if result.problem:
                    page.problems.append(Problem(result.path, result.problem))
                if result.groups:
                    groups.append(result.groups)
            page.progress = done_files / total
            yield GroupedPage(page, groups)

    async def search(self, query: Query) -> AsyncIterator[Page]:
        since, until = query.time_range.since, query.time_range.until
        found = await asyncio.to_thread(discover, self.path, since, until)
        if found.problems:
            yield Page(problems=list(found.problems))
        request = ScanRequest(query.filter.text, since, until)
        ordered = NewestFirst()
        emitted = 0
        total = len(found.files) or 1
        pending: list[Event] = []
        done_files = 0
        async for batch, next_stamp in self._scanner.scan(found.files, request):
            scanned = 0
            problems: list[Problem] = []
            for result in batch:
                done_files += 1
                scanned += result.scanned
                if result.problem:
                    problems.append(Problem(result.path, result.problem))
                for event in result.events:
                    late = ordered.push(event)
                    if late is not None:
                        problems.append(late)
            for event in ordered.release_newer_than(next_stamp):
                pending.append(event)
                if query.limit is not None and emitted + len(pending) >= query.limit:
                    break
            emitted += len(pending)
            yield Page(events=pending, scanned=scanned, problems=problems, progress=done_files / total)
            pending = []
            if query.limit is not None and emitted >= query.limit:
                return
        for page in ordered.final_pages(query, emitted):
            yield page

    def __repr__(self) -> str:
        return f"LocalSource({self.path!r})"
