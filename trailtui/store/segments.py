"""Segments: the store's immutable Parquet files, written by DuckDB.

A segment is written under a temporary name and renamed into place, so a
reader never sees half of one; it is only ever named by the manifest after the
rename.  Rows keep the order they were handed over in (files newest first,
records in file order), which keeps row groups narrow in time and file id, so
a time range or a set of file ids skips most of them.  The rest of each event
is in the segment's events file (`trailtui.store.blocks`), fetched a block at a time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trailtui.sources.pushdown.literals import sql_string
from trailtui.store.rows import COLUMN_NAMES, COLUMNS, DELIMITER, NULL_TEXT

ROW_GROUP_ROWS = 122_880  # DuckDB's default: the columns are scanned, never fetched row by row
ZSTD_LEVEL = 6
# Parquet V2 writes integers (the event times `t`, offsets) DELTA_BINARY_PACKED
# instead of PLAIN: a search decodes every page that holds a row it selected,
# and on the 2M demo a 979-row selection spread over 19 row groups took 25 ms
# instead of 35 ms, for a store 1 % smaller.
WRITE_OPTIONS = (f"FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL {ZSTD_LEVEL}, ROW_GROUP_SIZE {ROW_GROUP_ROWS}, "
                 "PARQUET_VERSION V2")


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
                    f"TO {sql_string(str(temp))} ({WRITE_OPTIONS})")
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
                    f"TO {sql_string(str(temp))} ({WRITE_OPTIONS})",
                    {"ids": list(live_ids), "names": names, "old": old, "new": new,
                     "segments": [str(p) for p in segments]})
        _publish(events_temp, events)
        _publish(temp, target)
    finally:
        for leftover in (temp, events_temp):
            leftover.unlink(missing_ok=True)
