"""Escaping on the way out.  Every string in an event may be written by an
attacker: it must never reach a terminal as control codes, never be read as
Rich markup, never start a spreadsheet formula."""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls and DEL; tab/newline are escaped too because a single
# table cell or status line must stay on one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: Any) -> str:
    """Text safe for a terminal: control characters (ESC, BEL, CR, bidi
    overrides...) become visible `\\xNN` escapes.  Rich markup is not touched
    here: widgets render through `rich.text.Text`, which never parses markup."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _CONTROL.sub(_escape, text)


# What a terminal may act on in a stream that keeps its line structure: the
# same set without newline (one record per line stays one record per line).
_TERMINAL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """Lines of text (CSV, Markdown, tables) safe for a terminal: every control
    but the newline becomes a visible escape, as in the table."""
    return _TERMINAL.sub(_escape, text)


def terminal_json(text: str) -> str:
    """JSON text safe for a terminal and still the same JSON: the characters a
    terminal could act on become `\\uXXXX` escapes, which decode to the same
    value (they can only occur inside strings; JSON's structure is ASCII).
    orjson escapes C0 controls itself, but writes DEL, C1 controls (CSI,
    OSC...) and bidi overrides raw."""
    return _TERMINAL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not execute: a leading `= + - @`, tab or CR
    gets a `'` prefix (OWASP's recommendation).  Quoting is the csv module's job."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
