"""The CPU-heavy half of a build, run in worker processes: read each log file,
decode it exactly as a plain scan does (`decode_log`), and write its records
as hand-over rows for DuckDB plus their compressed blocks.

A hand-over is two files: `target` (the rows as delimited text) and
`target.blocks` (the blocks, back to back; each row says where its block
starts, relative to that file, which the segment writer shifts into place).
A file with a problem (corrupt, not CloudTrail, partly unreadable, a value
JSON cannot carry, a record whose eventTime cannot be read or beyond the read
limits...) is not held: the manifest marks it, and every query reads it
plainly, so its problem line and its readable events stay exactly the plain
scan's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

import orjson

from trailtui.read_limits import current_limits, record_bounds_problem
from trailtui.sources.records import decode_log
from trailtui.sources.scan import read_file
from trailtui.store.blocks import BLOCK_EVENTS, MAX_BLOCK_BYTES, block_texts, compressor
from trailtui.store.rows import DELIMITER, row_fields, time_unreadable


@dataclass(frozen=True, slots=True)
class HandedOver:
    """What one file gave: its record count, or why it is not held."""

    file_id: int
    events: int
    held: bool


def blocks_path(target: str) -> str:
    return target + ".blocks"


def hand_over(items: Sequence[tuple[int, str]], target: str, dictionary_path: str) -> list[HandedOver]:
    """Decode each `(file_id, path)` and append its rows to `target`, its blocks to `target.blocks`."""
    out: list[HandedOver] = []
    pack = compressor(dictionary_path)
    with open(target, "w", encoding="utf-8", newline="") as rows, open(blocks_path(target), "wb") as blocks:
        for file_id, path in items:
            try:
                data = read_file(path)
            except OSError:
                out.append(HandedOver(file_id, 0, held=False))
                continue
            decoded = decode_log(data)
            held = (decoded.problem is None and not _beyond_limits(decoded.records, decoded.size)
                    and _write_file(decoded.records, file_id, rows, blocks, pack))
            out.append(HandedOver(file_id, len(decoded.records), held=held))
    return out


def _beyond_limits(records: list[dict[str, Any]], size: int) -> bool:
    """A record the plain scan skips as beyond the read limits (it checks, as
    here, only in a file larger than the record bound)."""
    limits = current_limits()
    return size > limits.max_record and any(record_bounds_problem(raw, limits) is not None for raw in records)


def _write_file(records: list[dict[str, Any]], file_id: int, rows: IO[str], blocks: IO[bytes], pack: Any) -> bool:
    """One file's rows and blocks; False (nothing written) when it cannot be
    held: a value JSON cannot carry, or a record whose eventTime cannot be read
    (the plain scan skips it with a line saying so, which a store answer would
    not say)."""
    try:
        fields = [row_fields(raw, file_id, seq) for seq, raw in enumerate(records)]
    except orjson.JSONEncodeError:  # a lone surrogate, an integer beyond 64 bits...
        return False
    if any(time_unreadable(columns) for columns, _ in fields):
        return False
    lines: list[str] = []
    frames: list[bytes] = []
    at = blocks.tell()
    for start in range(0, len(fields), BLOCK_EVENTS):
        part = fields[start:start + BLOCK_EVENTS]
        frame = pack.compress(block_texts(rest for _, rest in part))
        if len(frame) > MAX_BLOCK_BYTES:  # a reader refuses it as damage: leave the file to plain scans
            return False
        frames.append(frame)
        tail = f"{DELIMITER}{at}{DELIMITER}{len(frame)}{DELIMITER}"
        lines.extend(f"{columns}{tail}{index}\n" for index, (columns, _) in enumerate(part))
        at += len(frame)
    try:
        rows.write("".join(lines))  # encoded whole before any byte is written
    except UnicodeEncodeError:  # not representable as UTF-8 (a lone surrogate): read plainly instead
        return False
    blocks.write(b"".join(frames))
    return True


def sample_lines(paths: Sequence[str], wanted: int) -> list[bytes]:
    """Block lines of records from files spread over `paths` (up to `wanted`),
    to train the blocks' dictionary on what the store will hold."""
    if not paths:
        return []
    step = max(1, len(paths) // 64)
    chosen = paths[::step][:64]
    per_file = max(1, wanted // len(chosen))
    out: list[bytes] = []
    for path in chosen:
        try:
            decoded = decode_log(read_file(path))
        except OSError:
            continue
        if decoded.problem is not None:
            continue
        for seq, raw in enumerate(decoded.records[:per_file]):
            try:
                out.append(row_fields(raw, 0, seq)[1])
            except orjson.JSONEncodeError:
                continue
    return out[:wanted]
