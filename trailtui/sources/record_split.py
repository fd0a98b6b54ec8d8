"""Find each record's bytes in a log file that does not decode as a whole.

One lone surrogate, one raw 0xFF byte or one `1e400` makes a JSON decoder
refuse the whole document.  This splitter finds the elements of the top-level
array, or of the `Records` array of the top-level object, by their brackets
alone (strings skipped whole), so each element can be decoded, and kept or
reported, on its own.  It never decodes anything itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A whole string (escapes included) or one structural byte.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]')
_OPEN, _CLOSE = b"[{", b"]}"
_RECORDS_KEY = b'"Records"'


@dataclass(slots=True)
class Split:
    """Byte spans of the elements found.  `whole` is False when the text is not
    one JSON value (JSON Lines, or trailing bytes); `truncated` when the text
    ends inside the array (the last, partial element is not in `spans`)."""

    spans: list[tuple[int, int]] = field(default_factory=list)
    found: bool = False
    whole: bool = True
    truncated: bool = False
    unbalanced: bool = False  # the brackets never closed: an element may have swallowed its successors


def split_records(text: bytes) -> Split:
    """Spans of the records of `{"Records": [...]}` or `[...]` in `text`."""
    out = Split()
    depth = 0
    outer = 0  # the first byte of the top-level value
    target = 0  # the depth of the array whose elements we collect (0: none yet)
    start = 0
    last_key = b""
    closed_at = -1
    for match in _TOKEN.finditer(text):
        first = text[match.start()]
        if closed_at >= 0:  # something after the top-level value ended
            out.whole = False
            break
        if first == 0x22:  # '"'
            if depth == 1:
                last_key = match.group()
            continue
        if first in _OPEN:
            depth += 1
            if depth == 1:
                outer = first
                if first == 0x5B:  # '['
                    target, start, out.found = 1, match.end(), True
            elif (depth == 2 and first == 0x5B and outer == 0x7B and not out.found
                  and last_key == _RECORDS_KEY):
                target, start, out.found = 2, match.end(), True
        elif first in _CLOSE:
            if target and depth == target:
                _add(out, text, start, match.start())
                target = 0
            depth -= 1
            if depth == 0:
                closed_at = match.end()
        elif target and depth == target:  # ','
            _add(out, text, start, match.start())
            start = match.end()
    if target:  # the text ended inside the array
        out.truncated = bool(text[start:].strip())
    out.unbalanced = depth > 0 and not out.truncated
    if closed_at >= 0 and text[closed_at:].strip():
        out.whole = False
    return out


def _add(out: Split, text: bytes, start: int, end: int) -> None:
    if text[start:end].strip():
        out.spans.append((start, end))
