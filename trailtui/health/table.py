"""The `--format table` text: per trail a header, one line per check (STATUS,
id, reason) and the fix below it; everything within 80 columns.

Fix commands stay paste-able when wrapped: breaks between words end with
` \\`; a long JSON argument is broken inside its single quotes after a `,`,
where the newline is just JSON whitespace.  All text passes through
`visible()`, so names from AWS cannot emit terminal control sequences.
"""

from __future__ import annotations

import textwrap

from trailtui.health.results import CheckResult, HealthReport, Status, summary_line
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
        where = f"home region {trail.home_region}" + (f", account {trail.account}" if trail.account else "")
        out += _header(f"== trail {trail.name} ({where})", width)
        arn = "   " + visible(trail.arn)
        out += [arn[i:i + width] for i in range(0, len(arn), width)]
        id_width = max((len(c.id) for c in trail.checks), default=0) + 2
        for check in trail.checks:
            out += check_lines(check, id_width, width)
        out.append("")
    for title, checks in _account_groups(report):
        out += _header(title, width)
        id_width = max(len(c.id) for c in checks) + 2
        for check in checks:
            out += check_lines(check, id_width, width)
        out.append("")
    if report.accounts:
        out += accounts_table(report, width)
        out.append("")
    trails = len(report.trails)
    accounts = f"{len(report.accounts)} account{'s' if len(report.accounts) != 1 else ''}, " if report.accounts else ""
    out.append(f"{accounts}{trails} trail{'s' if trails != 1 else ''}: {summary_line(report.counts())}")
    return "\n".join(out) + "\n"


def _account_groups(report: HealthReport) -> list[tuple[str, list[CheckResult]]]:
    """The account-level checks: one group, or one per account over several accounts."""
    if not report.accounts:
        return [("== account", list(report.account))] if report.account else []
    groups = []
    for line in report.accounts:
        checks = [c for c in report.account if c.account == line.account]
        if checks:
            name = f" ({line.name})" if line.name else ""
            groups.append((f"== account {line.account}{name}", checks))
    return groups


ACCOUNTS_HEADER = ("ACCOUNT", "NAME", "TRAILS", "FAIL", "UNKNOWN", "WARN", "PASS", "INFO")


def accounts_table(report: HealthReport, width: int = WIDTH) -> list[str]:
    """One row per account: its checks counted per status (an account that
    could not be reached shows `-` trails and its one UNKNOWN)."""
    name_width = width - 14 - 7 - 5 * 8 - 1
    rows = [_row(ACCOUNTS_HEADER, name_width)]
    for line in report.accounts:
        counts = report.of_account(line.account).counts()
        trails = sum(1 for t in report.trails if t.account == line.account)
        cells = (line.account, _cut(visible(line.name), name_width), "-" if line.problem else str(trails),
                 *(str(counts[s]) for s in (Status.FAIL, Status.UNKNOWN, Status.WARN, Status.PASS, Status.INFO)))
        rows.append(_row(cells, name_width))
    return rows


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def _row(cells: tuple[str, ...], name_width: int) -> str:
    account, name, trails, *counts = cells
    return (f"{account:<14}{name:<{name_width}} {trails:>6}" + "".join(f" {c:>7}" for c in counts)).rstrip()
