"""Event text made inert for Markdown.

A report is pasted into tickets and wikis that render Markdown and often HTML.
An attacker controls most event fields (user agents, names, request
parameters), so every event string is escaped: control characters become
visible escapes, line breaks cannot start a new block, pipes cannot split a
table cell, backticks cannot open code, brackets cannot make links or images,
and HTML cannot become tags or entities: `<`, `>` and `&` are backslash-escaped
(CommonMark renders them literally), so the Markdown holds no HTML entities.
"""

from __future__ import annotations

import re
from typing import Any

from trailtui.safe import visible

# Punctuation that changes inline structure wherever it appears: escapes,
# code spans, emphasis, links and images (every link needs `[`), table cells,
# strikethrough.  Block markers (`#`, `-`, `1.`, `>`) only act at the start of
# a line, and escaped text never starts one: line breaks become visible `\x0a`.
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~<>&])")


def md_escape(value: Any) -> str:
    """Inline text safe in a paragraph or a table cell."""
    text = visible(value)  # control chars, CR/LF, bidi overrides -> \\xNN / \\uNNNN
    return _PUNCTUATION.sub(r"\\\1", text)


def md_code_block(text: str, info: str = "") -> str:
    """A fenced block whose fence is longer than any backtick run inside it,
    so the content cannot close it.  Control characters are made visible."""
    body = "\n".join(visible(line) for line in text.split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    """A pipe table; cells must already be escaped (md_escape)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)
