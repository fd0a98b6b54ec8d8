"""SQL started on the store's segment files before the manifest names them.

A short answer from the store reads and checks its manifest (~15 ms at
20,000 files) before it knows which segments hold the tree, and its SQL used
to wait for that.  The segments are the `segment-N.parquet` files of the
store's folder, so the SQL can start on those while the manifest is read.  Its
answer is used only if the manifest then names exactly those segments; it
names others only while a build commits, or after a crash left a finished
segment unnamed, and then the answer is thrown away and the SQL runs again on
the manifest's segments.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trailtui.store.engine import OpeningConnection, ThreadJob


def segment_files(folder: Path) -> list[Path]:
    """The finished segments in the store's folder, in the manifest's order."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(folder / name for name in names if name.startswith("segment-") and name.endswith(".parquet"))


class SpeculativeSql:
    """`statement(connection, segments)` running on the folder's segments."""

    def __init__(self, connecting: OpeningConnection, folder: Path,
                 statement: Callable[[Any, list[Path]], Any]) -> None:
        self.segments = segment_files(folder)
        self._job: ThreadJob | None = None
        if self.segments:
            self._job = connecting.run(lambda con: statement(con, self.segments))

    def ran_on(self, segments: list[Path]) -> bool:
        """Whether it runs on exactly `segments` (then `wait` for its answer)."""
        return self._job is not None and segments == self.segments

    def wait(self) -> Any:
        """Its result; raises what the SQL raised."""
        assert self._job is not None  # noqa: S101 - `ran_on` said so
        return self._job.wait()

    def abandon(self) -> None:
        """Wait for the SQL to end and forget it (whatever it raised)."""
        if self._job is not None:
            with contextlib.suppress(Exception):  # its answer is not used
                self._job.wait()
            self._job = None
