"""Events as JSON Lines: each line exactly the event object as recorded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from trailtui.events import Event
from trailtui.record_json import dumps_record


class JsonlWriter:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, events: Iterable[Event]) -> None:
        self._stream.write("".join(dumps_record(e.raw).decode() + "\n" for e in events))

    def close(self) -> None:
        self._stream.flush()
