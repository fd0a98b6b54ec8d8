"""Events as JSON Lines: each line exactly the event object as recorded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import orjson

from trailtui.events import Event


class JsonlWriter:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, events: Iterable[Event]) -> None:
        self._stream.write("".join(orjson.dumps(e.raw).decode() + "\n" for e in events))

    def close(self) -> None:
        self._stream.flush()
