"""The filter that shows exactly the events a hunt reported.

A predicate hunt's hits are every event its filter matches, so its filter is
exact.  A threshold or sequence hunt reports only the events that took part in
a firing: its predicate alone would also show the quiet events around them.
For those, the hits' eventIDs are pinned in the filter (`contains(`[...]`,
eventID)`), up to `MAX_PINNED` ids; beyond that (or when a hit has no
eventID) the broader filter is returned and `exact` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from trailtui.events import Event
from trailtui.hunts.model import Hunt

MAX_PINNED = 1000  # ids kept per hunt; the filter stays under ~40 KB


@dataclass(slots=True)
class HitIds:
    """The eventIDs of one hunt's hits, while they fit."""

    ids: list[str] = field(default_factory=list)
    complete: bool = True

    def add(self, event: Event) -> None:
        if not self.complete:  # before reading the record: one given back as text is then never decoded
            return
        ident = event.raw.get("eventID")
        if not isinstance(ident, str) or not ident or len(self.ids) >= MAX_PINNED:
            self.complete = False
            self.ids = []
            return
        self.ids.append(ident)


@dataclass(frozen=True, slots=True)
class HitsFilter:
    text: str
    exact: bool


def hits_filter(hunt: Hunt, hits: HitIds | None) -> HitsFilter:
    """The browser filter for `hunt`'s hits."""
    if hunt.kind == "predicate":
        return HitsFilter(hunt.browser_filter, True)
    if hits is None or not hits.complete or not hits.ids:
        return HitsFilter(hunt.browser_filter, False)
    ids = orjson.dumps(sorted(set(hits.ids))).decode().replace("`", "\\`")
    return HitsFilter(f"({hunt.browser_filter}) && contains(`{ids}`, eventID)", True)
