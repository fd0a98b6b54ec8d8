"""A count result as text: the table, CSV and JSON `trailtui stats` prints.

Keys are attacker-written: the table shows them with control characters made
visible, CSV cells are neutralised against spreadsheet formulas and quoted,
JSON escapes what JSON escapes.  In the table and CSV a non-string key part is
written as JSON (`null`, `true`, `3`); `--format json` keeps the types.
"""

from __future__ import annotations

import csv
from typing import IO

import orjson

from trailtui.counts.keys import format_key_part
from trailtui.counts.result import CountResult, iso
from trailtui.safe import csv_cell, visible

KEY_WIDTH = 60  # a key column wider than this is cut with an ellipsis (all but the last)


def approximation_note(result: CountResult) -> str | None:
    if not result.approximate:
        return None
    return (f"approximate: more distinct keys than fit in memory; each count is at most {result.error_bound:,} "
            f"above the true count, any unlisted key occurred at most {result.error_bound:,} times, "
            "distinct is an estimate (±1 %)")


def _share(count: int, events: int) -> str:
    return f"{100 * count / events:.1f}%" if events else "-"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table_lines(result: CountResult) -> list[str]:
    heads = ["COUNT", "SHARE", "FIRST", "LAST"] + [visible(text).upper() if len(text) < 20 else visible(text)
                                                  for text in result.by]
    rows = []
    for group in result.groups:
        count = f"{group.count:,}" + (f" ±{group.error:,}" if result.approximate and group.error else "")
        parts = [visible(format_key_part(part)) for part in group.key]
        rows.append([count, _share(group.count, result.events), iso(group.first) or "-", iso(group.last) or "-"]
                    + [_cut(p, KEY_WIDTH) if i < len(parts) - 1 else p for i, p in enumerate(parts)])
    widths = [max([len(head)] + [len(row[i]) for row in rows]) for i, head in enumerate(heads)]
    widths[-1] = 0

    def line(cells: list[str]) -> str:
        out = [cells[0].rjust(widths[0])] + [c.ljust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    lines = [line(heads)] + [line(row) for row in rows]
    lines.append(f"{result.events:,} events, {result.distinct:,} distinct, {result.others:,} in other groups"
                 + ("" if result.method == "scan" else f" (counted by {result.method})"))
    note = approximation_note(result)
    if note:
        lines.append(note)
    return lines


def write_csv(result: CountResult, stream: IO[str]) -> None:
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\n")
    header = [csv_cell(text) for text in result.by] + ["count", "first", "last"]
    if result.approximate:
        header.append("error")
    writer.writerow(header)
    for group in result.groups:
        row = [csv_cell(format_key_part(part)) for part in group.key]
        row += [str(group.count), iso(group.first) or "", iso(group.last) or ""]
        if result.approximate:
            row.append(str(group.error))
        writer.writerow(row)


def json_text(result: CountResult) -> str:
    return orjson.dumps(result.as_json(), option=orjson.OPT_INDENT_2).decode()
