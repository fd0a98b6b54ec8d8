"""Shared builders for the console's hostile tests: key bursts sent the way a
terminal sends them (all queued before the app handles the first), and a
console on a small trail with one mark made."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from textual import events
from textual.app import _character_to_key  # the mapping Pilot itself uses
from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key


def key_event(key: str) -> events.Key:
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def burst(pilot: Any, keys: Iterable[str]) -> None:
    """Queue every key at once (as a paste or a fast typist's burst arrives),
    then let the app work through them."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()
    await pilot.pause(0.05)
