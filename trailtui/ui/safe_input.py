"""An `Input` that never writes control characters to the terminal.

Textual's Input renders its value as a `Text`, which keeps ESC: a filter or
note pasted with an escape sequence would be sent to the terminal as one.  The
value itself must stay exact (it is the filter that runs), so only the display
changes: each control character is drawn as one visible cell, a Unicode
control picture (`␛` for ESC) or `�`, keeping the cursor where it belongs.
"""

from __future__ import annotations

import re
from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Input

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


class ControlPictures(Highlighter):
    def highlight(self, text: Text) -> None:
        plain = text.plain
        if _CONTROL.search(plain):
            text.plain = _CONTROL.sub(lambda m: picture(m.group(0)), plain)


class SafeInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("highlighter", ControlPictures())
        super().__init__(*args, **kwargs)
