"""The `--format table` text: per trail a header, one line per check (STATUS,
id, reason) and the fix below it; everything within 80 columns.

Fix commands stay paste-able when wrapped: breaks between words end with
` \\`; a long JSON argument is broken inside its single quotes after a `,`,
where the newline is just JSON whitespace.  All text passes through
`visible()`, so names from AWS cannot emit terminal control sequences.
"""

from __future__ import annotations

import textwrap

from trailtui.health.results import CheckResult, HealthReport, summary_line
from trailtui.safe import visible

WIDTH = 80
STATUS_WIDTH = 9
FIX_LABEL = "    fix: "
FIX_CONTINUATION = "      "


def shell_words(command: str) -> list[str]:
    """Split on whitespace outside quotes, keeping each word's quoting."""
    words, current, quote = [], [], ""
    for char in command:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char.isspace():
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return words


def json_pieces(word: str) -> list[str] | None:
    """A single-quoted JSON word cut after each `,` outside JSON strings, or
    None if the word is not one we may break."""
    if len(word) < 3 or word[0] != "'" or word[-1] != "'" or word[1] not in "[{" or "'" in word[1:-1]:
        return None
    pieces, start, in_string, escaped = [], 0, False, False
    for index, char in enumerate(word):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == ",":
            pieces.append(word[start:index + 1])
            start = index + 1
    pieces.append(word[start:])
    return [p for p in pieces if p]


def _units(words: list[str]) -> list[str]:
    """Words grouped so that `--flag value` stays on one line (unless the
    value is JSON, which may be broken on its own)."""
    units: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if word.startswith("--") and following and not following.startswith("--") \
                and json_pieces(following) is None and following != "&&":
            units.append(f"{word} {following}")
            index += 2
        else:
            units.append(word)
            index += 1
    return units


def wrap_command(command: str, width: int = WIDTH) -> list[str]:
    """The fix as lines: `    fix: aws ...` then continuation lines."""
    lines: list[str] = []
    line = FIX_LABEL.rstrip(" ")
    units = _units(shell_words(visible(command)))
    for position, unit in enumerate(units):
        room = width if position == len(units) - 1 else width - 2
        if len(line) + 1 + len(unit) <= room:
            line += " " + unit
            continue
        pieces = json_pieces(unit)
        if pieces:
            line = _pack_json(lines, line, pieces, width)
            continue
        lines.append(line + " \\")
        if len(FIX_CONTINUATION) + len(unit) <= room:
            line = FIX_CONTINUATION + unit
        elif len(unit) <= room:
            line = unit
        else:  # wider than the screen: cut it (the JSON output has it whole)
            chunks = [unit[i:i + width] for i in range(0, len(unit), width)]
            lines.extend(chunks[:-1])
            line = chunks[-1]
    lines.append(line)
    return lines


def _pack_json(lines: list[str], line: str, pieces: list[str], width: int) -> str:
    """Inside the quotes a newline is JSON whitespace, so no `\\` there."""
    first = True
    for piece in pieces:
        joiner = " " if first else ""
        if len(line) + len(joiner) + len(piece) <= width:
            line += joiner + piece
        else:
            lines.append(line + (" \\" if first else ""))
            line = FIX_CONTINUATION + piece
        first = False
    return line


def check_lines(check: CheckResult, id_width: int, width: int = WIDTH) -> list[str]:
    indent = STATUS_WIDTH + id_width
    reason = textwrap.wrap(visible(check.reason), width=width - indent, break_on_hyphens=False) or [""]
    lines = [f"{check.status.value:<{STATUS_WIDTH}}{visible(check.id):<{id_width}}{reason[0]}".rstrip()]
    lines += [" " * indent + more for more in reason[1:]]
    if check.fix:
        lines += wrap_command(check.fix, width)
    return lines


def _header(text: str, width: int) -> list[str]:
    return textwrap.wrap(visible(text), width=width, break_on_hyphens=False, subsequent_indent="   ")


def render_table(report: HealthReport, width: int = WIDTH) -> str:
    out: list[str] = []
    for trail in report.trails:
        out += _header(f"== trail {trail.name} (home region {trail.home_region})", width)
        arn = "   " + visible(trail.arn)
        out += [arn[i:i + width] for i in range(0, len(arn), width)]
        id_width = max((len(c.id) for c in trail.checks), default=0) + 2
        for check in trail.checks:
            out += check_lines(check, id_width, width)
        out.append("")
    if report.account:
        out += _header("== account", width)
        id_width = max(len(c.id) for c in report.account) + 2
        for check in report.account:
            out += check_lines(check, id_width, width)
        out.append("")
    trails = len(report.trails)
    out.append(f"{trails} trail{'s' if trails != 1 else ''}: {summary_line(report.counts())}")
    return "\n".join(out) + "\n"
