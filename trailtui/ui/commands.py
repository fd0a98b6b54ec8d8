"""The command palette (`:` or ctrl+p): every action by name, plus the
filters saved in the config.  The app supplies the list, so the palette never
offers something the app cannot do."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Protocol

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider


class CommandSource(Protocol):
    def palette_commands(self) -> Iterable[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback) for each command."""
        ...


class TrailCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        if not hasattr(app, "palette_commands"):
            return []
        return list(app.palette_commands())

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Text(title), partial(callback), text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(callback), text=title, help=help_text)
