"""Copy to the analyst's clipboard over SSH: OSC 52.

The terminal emulator on the analyst's laptop owns the clipboard, so the only
way to reach it from a bastion is an escape sequence the terminal acts on:
`ESC ] 52 ; c ; <base64> BEL`.  Multiplexers in between need help:

- tmux passes an application's sequence to the outer terminal only inside a DCS
  passthrough, `ESC P tmux; <sequence with every ESC doubled> ESC \\`, and only
  with `allow-passthrough on`; with `set-clipboard on` tmux instead acts on the
  bare sequence itself.  Under tmux both forms are sent, so either setting works
  (when both are on, the clipboard is set twice to the same text).
- GNU screen passes `ESC P <text> ESC \\` through but limits one DCS string to a
  few hundred bytes, so the sequence is cut into chunks, each in its own DCS.

Textual's `App.copy_to_clipboard` writes only the bare form, with no size cap,
which is why trailtui builds the sequence here and hands it to the app's driver.
Terminals drop (or choke on) very large OSC 52 payloads; the cap defaults to
k9s's 74,994 encoded bytes and can be changed with `TRAILTUI_OSC52_MAX`.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass

OSC52_MAX = 74_994
SCREEN_CHUNK = 76
ESC = "\x1b"
ST = ESC + "\\"


class ClipboardError(ValueError):
    """The text cannot be sent: too large, or the terminal cannot take it."""


@dataclass(frozen=True, slots=True)
class ClipboardWrite:
    """What to write to the terminal and how it was wrapped."""

    sequence: str
    encoded_size: int
    wrapping: str  # "plain", "tmux" or "screen"


def multiplexer(env: Mapping[str, str]) -> str:
    """`tmux`, `screen` or `plain`, from the environment the app runs in."""
    if env.get("TMUX"):
        return "tmux"
    if env.get("STY") or env.get("TERM", "").startswith("screen"):
        return "screen"
    return "plain"


def osc52_limit(env: Mapping[str, str]) -> int:
    raw = env.get("TRAILTUI_OSC52_MAX", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else OSC52_MAX


def wrap_tmux(sequence: str) -> str:
    return f"{ESC}Ptmux;" + sequence.replace(ESC, ESC + ESC) + ST


def wrap_screen(sequence: str, chunk: int = SCREEN_CHUNK) -> str:
    return "".join(f"{ESC}P{sequence[i:i + chunk]}{ST}" for i in range(0, len(sequence), chunk))


def osc52(text: str, env: Mapping[str, str] | None = None) -> ClipboardWrite:
    """The bytes to write so the terminal copies `text`; raises ClipboardError
    when the encoded text is over the cap or the terminal is `dumb`."""
    env = os.environ if env is None else env
    if env.get("TERM") == "dumb":
        raise ClipboardError("this terminal (TERM=dumb) cannot receive a clipboard copy")
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    limit = osc52_limit(env)
    if len(encoded) > limit:
        raise ClipboardError(
            f"{len(encoded):,} bytes encoded is over the clipboard limit of {limit:,} "
            "(TRAILTUI_OSC52_MAX); export it instead"
        )
    bare = f"{ESC}]52;c;{encoded}\a"
    wrapping = multiplexer(env)
    if wrapping == "tmux":
        sequence = wrap_tmux(bare) + bare
    elif wrapping == "screen":
        sequence = wrap_screen(bare)
    else:
        sequence = bare
    return ClipboardWrite(sequence, len(encoded), wrapping)
