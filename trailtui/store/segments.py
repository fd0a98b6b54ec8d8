"""Segments: the store's immutable Parquet files, written by DuckDB.

A segment is written under a temporary name and renamed into place, so a
reader never sees half of one; it is only ever named by the manifest after the
rename.  Rows keep the order they were handed over in (files newest first,
records in file order), which keeps row groups narrow in time and file id, so
a time range or a set of file ids skips most of them.  The rest of each event
is in the segment's events file (`trailtui.store.blocks`), fetched a block at a time.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from trailtui.sources.pushdown.literals import sql_string
from trailtui.store.rows import COLUMN_NAMES, COLUMNS, DELIMITER, NULL_TEXT

ROW_GROUP_ROWS = 122_880  # DuckDB's default: the columns are scanned, never fetched row by row
ZSTD_LEVEL = 6
MEMORY_LIMIT = "256MB"


def engine() -> Any:
    """DuckDB's native module.  The `duckdb` package wraps it in Python helpers
    (relations, version metadata through importlib.metadata) that the store
    never uses and that cost ~0.09 s of a ~0.1 s import, a third of a short
    answer; since DuckDB 1.4 the connection API lives in the top-level
    `_duckdb` module, which the package itself re-exports.  Another layout
    (an older or newer DuckDB): the package."""
    try:
        return importlib.import_module("_duckdb")
    except ImportError:
        return importlib.import_module("duckdb")


class OpeningConnection:
    """A DuckDB connection opened on a thread while the caller lists files and
    reads the manifest: loading the engine and creating its instance (~0.05 s)
    overlap that work instead of following it.  `run` hands that thread a
    first statement too, to run while the caller checks the files.  (Plain
    threading: `concurrent.futures` would add ~15 ms of imports to a short answer.)"""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._con: Any = None
        self._error: BaseException | None = None
        self._taken = False
        # Not a daemon: a process that exits while DuckDB is still creating its
        # instance on a daemon thread aborts; this one is waited for at exit.
        threading.Thread(target=self._open, name="trailtui-duckdb", daemon=False).start()

    def _open(self) -> None:
        try:
            self._con = connect()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever takes the connection
            self._error = exc
        self._ready.set()

    def take(self) -> Any:
        """The connection (the taker closes it); raises what opening it raised."""
        self._taken = True
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self._con

    def run(self, statement: Callable[[Any], Any]) -> _Job:
        """`statement(connection)` started on a thread of its own once the
        connection is open (the caller takes the connection then); its result
        is `wait()`ed for."""
        return _Job(lambda: statement(self.take()))

    def close(self) -> None:
        """Close it, taken or not, once it is open (and any `run` waited for);
        a connection that failed to open has nothing to close."""
        self._taken = True
        self._ready.wait()
        if self._con is not None:
            self._con.close()

    def release(self) -> None:
        """Not taken: close it once it is open."""
        if not self._taken:
            threading.Thread(target=self._close_when_open, name="trailtui-duckdb-close", daemon=False).start()

    def _close_when_open(self) -> None:
        self._ready.wait()
        if self._con is not None:
            self._con.close()


class _Job:
    """A call running on a thread; `wait` gives its result or raises its exception."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self._call = call
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="trailtui-duckdb-job", daemon=False)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._call()
        except BaseException as exc:  # noqa: BLE001 - raised again by `wait`
            self._error = exc

    def wait(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def connect(threads: int = 2, temp_directory: Path | None = None) -> Any:
    """An in-memory DuckDB connection (the store's data is in Parquet files)."""
    con = engine().connect(":memory:", config={"threads": threads, "memory_limit": MEMORY_LIMIT,
                                               "enable_external_access": True})
    if temp_directory is not None:
        con.execute(f"SET temp_directory = {sql_string(str(temp_directory))}")
    return con


def _columns_literal() -> str:
    return "{" + ", ".join(f"{sql_string(c.name)}: {sql_string(c.sql_type)}" for c in COLUMNS) + "}"


def events_path(segment: Path) -> Path:
    """The blocks of a segment's events (`trailtui.store.blocks`), beside its Parquet file."""
    return segment.with_suffix(".events")


def _publish(temp: Path, target: Path) -> None:
    os.chmod(temp, 0o600)
    os.replace(temp, target)


def _select_list(block_at: str) -> str:
    return ", ".join(block_at if name == "block_at" else f"s.{name}" for name in COLUMN_NAMES)


def write_segment(con: Any, handovers: Sequence[Path], target: Path) -> None:
    """Turn hand-overs (rows as delimited text, and their blocks) into one
    segment at `target`: the blocks concatenated into its events file, each
    row's block offset shifted by where its hand-over's blocks landed."""
    from shutil import copyfileobj  # only when writing

    temp = target.with_name(target.name + ".part")
    events = events_path(target)
    events_temp = events.with_name(events.name + ".part")
    bases: list[tuple[str, int]] = []
    try:
        with open(events_temp, "wb") as out:
            for handover in handovers:
                bases.append((str(handover), out.tell()))
                with open(str(handover) + ".blocks", "rb") as blocks:
                    copyfileobj(blocks, out, 1 << 20)
        files = "[" + ", ".join(sql_string(str(p)) for p in handovers) + "]"
        shift = "CASE s.filename " + " ".join(f"WHEN {sql_string(name)} THEN {base}" for name, base in bases) + " END"
        source = (f"read_csv({files}, columns = {_columns_literal()}, header = false, auto_detect = false, "
                  f"delim = {sql_string(DELIMITER)}, quote = '', escape = '', nullstr = {sql_string(NULL_TEXT)}, "
                  f"new_line = '\\n', max_line_size = 134217728, parallel = true, filename = true)")
        con.execute(f"COPY (SELECT {_select_list(f's.block_at + {shift} AS block_at')} FROM {source} s) "  # noqa: S608
                    f"TO {sql_string(str(temp))} (FORMAT parquet, COMPRESSION zstd, "
                    f"COMPRESSION_LEVEL {ZSTD_LEVEL}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})")
        _publish(events_temp, events)
        _publish(temp, target)
    finally:
        for leftover in (temp, events_temp):
            leftover.unlink(missing_ok=True)


def rewrite_segment(con: Any, segments: Sequence[Path], live_ids: Sequence[int], target: Path) -> None:
    """Copy the rows of `live_ids` from `segments`, and their blocks, into one
    new segment (compaction).  Blocks hold one file's events, so a live file's
    blocks are copied whole and only their offsets change."""
    temp = target.with_name(target.name + ".part")
    events = events_path(target)
    events_temp = events.with_name(events.name + ".part")
    names: list[str] = []
    old: list[int] = []
    new: list[int] = []
    try:
        with open(events_temp, "wb") as out:
            for segment in segments:
                rows = f"read_parquet({sql_string(str(segment))})"
                spans = con.execute(f"SELECT DISTINCT block_at, block_len FROM {rows} "  # noqa: S608 - our literals
                                    "WHERE list_contains($ids, file_id) ORDER BY block_at",
                                    {"ids": list(live_ids)}).fetchall()
                with open(events_path(segment), "rb") as source:
                    for at, length in spans:
                        source.seek(at)
                        frame = source.read(length)
                        if len(frame) != length:
                            raise OSError(5, "events file truncated", str(events_path(segment)))
                        names.append(str(segment))
                        old.append(at)
                        new.append(out.tell())
                        out.write(frame)
        files = "[" + ", ".join(sql_string(str(p)) for p in segments) + "]"
        con.execute(f"COPY (SELECT {_select_list('m.new_at AS block_at')} "  # noqa: S608 - our literals
                    f"FROM read_parquet({files}, filename = true, file_row_number = true) s "
                    f"JOIN (SELECT unnest($names) AS filename, unnest($old) AS old_at, unnest($new) AS new_at) m "
                    f"ON s.filename = m.filename AND s.block_at = m.old_at "
                    f"WHERE list_contains($ids, s.file_id) "
                    f"ORDER BY list_position($segments, s.filename), s.file_row_number) "
                    f"TO {sql_string(str(temp))} (FORMAT parquet, COMPRESSION zstd, "
                    f"COMPRESSION_LEVEL {ZSTD_LEVEL}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})",
                    {"ids": list(live_ids), "names": names, "old": old, "new": new,
                     "segments": [str(p) for p in segments]})
        _publish(events_temp, events)
        _publish(temp, target)
    finally:
        for leftover in (temp, events_temp):
            leftover.unlink(missing_ok=True)
