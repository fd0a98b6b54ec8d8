"""Segments: the store's immutable Parquet files, written by DuckDB.

A segment is written under a temporary name and renamed into place, so a
reader never sees half of one; it is only ever named by the manifest after the
rename.  Rows keep the order they were handed over in (files newest first,
records in file order), which keeps row groups narrow in time and file id, so
a time range or a set of file ids skips most of them.  Row groups are small
(`ROW_GROUP_ROWS`): fetching a few events' raw JSON decompresses little.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trailtui.sources.pushdown.literals import sql_string
from trailtui.store.rows import COLUMNS, DELIMITER, NULL_TEXT

ROW_GROUP_ROWS = 4096
ZSTD_LEVEL = 6
MEMORY_LIMIT = "256MB"


def warm_engine() -> None:
    """Import DuckDB on a thread while the caller lists files and reads the
    manifest: its ~0.1 s of loading overlaps that work instead of following it."""
    if "duckdb" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("duckdb",), name="trailtui-duckdb",
                         daemon=True).start()


def connect(threads: int = 2, temp_directory: Path | None = None) -> Any:
    """An in-memory DuckDB connection (the store's data is in Parquet files)."""
    import duckdb  # ~0.1 s: only when the store is used

    con = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": MEMORY_LIMIT,
                                             "enable_external_access": True})
    if temp_directory is not None:
        con.execute(f"SET temp_directory = {sql_string(str(temp_directory))}")
    return con


def _columns_literal() -> str:
    return "{" + ", ".join(f"{sql_string(c.name)}: {sql_string(c.sql_type)}" for c in COLUMNS) + "}"


def write_segment(con: Any, handovers: Sequence[Path], target: Path) -> None:
    """Turn hand-over files (rows as delimited text) into one Parquet segment at `target`."""
    temp = target.with_name(target.name + ".part")
    files = "[" + ", ".join(sql_string(str(p)) for p in handovers) + "]"
    source = (f"read_csv({files}, columns = {_columns_literal()}, header = false, auto_detect = false, "
              f"delim = {sql_string(DELIMITER)}, quote = '', escape = '', nullstr = {sql_string(NULL_TEXT)}, "
              f"new_line = '\\n', max_line_size = 134217728, parallel = true)")
    try:
        con.execute(f"COPY (SELECT * FROM {source}) TO {sql_string(str(temp))} "  # noqa: S608 - our literals
                    f"(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL {ZSTD_LEVEL}, "
                    f"ROW_GROUP_SIZE {ROW_GROUP_ROWS})")
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()


def rewrite_segment(con: Any, segments: Sequence[Path], live_ids: Sequence[int], target: Path) -> None:
    """Copy the rows of `live_ids` from `segments` into one new segment (compaction)."""
    temp = target.with_name(target.name + ".part")
    files = "[" + ", ".join(sql_string(str(p)) for p in segments) + "]"
    try:
        con.execute(f"COPY (SELECT * FROM read_parquet({files}) "  # noqa: S608 - our literals
                    f"WHERE list_contains($ids, file_id)) "
                    f"TO {sql_string(str(temp))} (FORMAT parquet, COMPRESSION zstd, "
                    f"COMPRESSION_LEVEL {ZSTD_LEVEL}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})",
                    {"ids": list(live_ids)})
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()
