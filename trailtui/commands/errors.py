"""How commands report fatal errors: one line on stderr, exit status 2."""

from __future__ import annotations

import sys

from trailtui.safe import visible

USAGE_OR_FATAL = 2


def fail(message: str) -> int:
    first, *rest = message.split("\n")
    print(f"trailtui: error: {visible(first)}", file=sys.stderr)
    for line in rest:  # e.g. the filter with a caret under the bad column
        print(f"  {visible(line)}", file=sys.stderr)
    return USAGE_OR_FATAL


def warn(message: str) -> None:
    print(f"trailtui: warning: {visible(message)}", file=sys.stderr)
