"""Local trails: an `AWSLogs/` tree (what `aws s3 sync` or `trailtui acquire`
wrote) or any folder of CloudTrail files.

Files are found lazily, pruned by the date in their path, read newest delivery
first, and their events are released in exact newest-first order: an event is
only yielded once no file still to be read can hold a newer one (a log file never
holds events newer than its delivery stamp).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from trailtui.events import Event
from trailtui.sources.base import Capabilities, Page, Problem, Query
from trailtui.sources.file_cursor import FileCursor, ListCursor
from trailtui.sources.layout import FAR_FUTURE, DeliveryWindow, delivery_stamp
from trailtui.sources.newest_files import NewestFiles
from trailtui.sources.newest_first import NewestFirst
from trailtui.sources.scan import FileScanner, ScanRequest
from trailtui.sources.tree_walk import LogFile, log_files, walk_tree


@dataclass(slots=True)
class Discovery:
    files: list[LogFile]
    problems: list[Problem]


def discover_newest(root: str, since: datetime | None = None,
                    until: datetime | None = None) -> tuple[FileCursor, list[Problem]]:
    """The same files as `discover`, in the same order, handed out lazily:
    the folders are walked now, their names parsed and sorted only as a scan
    reaches them (see `NewestFiles`)."""
    if Path(root).is_file():
        found = discover(root, since, until)
        return ListCursor(found.files), found.problems
    window = DeliveryWindow(since, until)
    walked = walk_tree(root, window)
    return NewestFiles(walked, window), walked.problems


def discover(root: str, since: datetime | None = None, until: datetime | None = None) -> Discovery:
    """Every log file of `root` in the range, newest delivery first (see
    `walk_tree` for what is walked and skipped)."""
    base = Path(root)
    if base.is_file():
        stamp = delivery_stamp(base.name) or FAR_FUTURE
        return Discovery([LogFile(stamp, str(base))], [])
    window = DeliveryWindow(since, until)
    walked = walk_tree(root, window)
    files: list[LogFile] = []
    for folder in walked.folders:
        files.extend(log_files(folder, window))
    files.sort(reverse=True)  # newest delivery first; tuples compare without a Python call per file
    return Discovery(files, walked.problems)


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
        if query.limit is None:  # every file is read: one listing, sorted once
            found = await asyncio.to_thread(discover, self.path, since, until)
            files: FileCursor = ListCursor(found.files)
            listing_problems = found.problems
        else:  # a page: folders are parsed only as the scan reaches them
            files, listing_problems = await asyncio.to_thread(discover_newest, self.path, since, until)
        if listing_problems:
            yield Page(problems=list(listing_problems))
        request = ScanRequest(query.filter.text, since, until, page=query.limit or None)
        ordered = NewestFirst()
        emitted = 0
        total = files.left() or 1
        pending: list[Event] = []
        done_files = 0
        async with aclosing(self._scanner.scan(files, request)) as batches:
            async for batch, next_stamp in batches:
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
                yield Page(events=pending, scanned=scanned, problems=problems, progress=min(1.0, done_files / total))
                pending = []
                if query.limit is not None and emitted >= query.limit:
                    return
        for page in ordered.final_pages(query, emitted):
            yield page

    def __repr__(self) -> str:
        return f"LocalSource({self.path!r})"
