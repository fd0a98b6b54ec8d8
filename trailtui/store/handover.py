"""The CPU-heavy half of a build, run in worker processes: read each log file,
decode it exactly as a plain scan does (`decode_log`), and write its records
as hand-over rows for DuckDB.

A file with a problem (corrupt, not CloudTrail, partly unreadable...) is not
held: the manifest marks it, and every query reads it plainly, so its problem
line and its readable events stay exactly the plain scan's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trailtui.sources.records import decode_log
from trailtui.sources.scan import read_file
from trailtui.store.rows import row_line


@dataclass(frozen=True, slots=True)
class HandedOver:
    """What one file gave: its record count, or why it is not held."""

    file_id: int
    events: int
    held: bool


def hand_over(items: Sequence[tuple[int, str]], target: str) -> list[HandedOver]:
    """Decode each `(file_id, path)` and append its rows to the file `target`."""
    out: list[HandedOver] = []
    with open(target, "w", encoding="utf-8", newline="") as handle:
        for file_id, path in items:
            try:
                data = read_file(path)
            except OSError:
                out.append(HandedOver(file_id, 0, held=False))
                continue
            decoded = decode_log(data)
            if decoded.problem is not None:
                out.append(HandedOver(file_id, len(decoded.records), held=False))
                continue
            text = "".join([row_line(raw, file_id, seq) for seq, raw in enumerate(decoded.records)])
            try:
                handle.write(text)
            except UnicodeEncodeError:  # not representable as UTF-8: read plainly instead
                out.append(HandedOver(file_id, len(decoded.records), held=False))
                continue
            out.append(HandedOver(file_id, len(decoded.records), held=True))
    return out
