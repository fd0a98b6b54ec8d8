"""What the event browser is showing: the typed filter, the time range and the
pivot stack, and the query they add up to.  An immutable value, so "back" is
just the previous value and tests need no UI.  Pure Python, no Textual."""

from __future__ import annotations

from dataclasses import dataclass, replace

from trailtui.filters import EventFilter
from trailtui.timerange import TimeRange
from trailtui.ui.pivots import Pivot


@dataclass(frozen=True, slots=True)
class RangeChoice:
    """A time range plus how the user chose it (`all`, `last 1h`, an absolute
    range).  `relative`: a `last …` preset, whose end follow mode opens so new
    events stay in range."""

    time_range: TimeRange = TimeRange()
    label: str = "all"
    relative: bool = False

    def following(self) -> TimeRange:
        """The range new events are held to in follow mode."""
        if self.relative:
            return TimeRange(self.time_range.since, None)
        return self.time_range


@dataclass(frozen=True, slots=True)
class BrowseState:
    filter_text: str = ""
    range_choice: RangeChoice = RangeChoice()
    pivots: tuple[Pivot, ...] = ()

    def with_filter(self, text: str) -> BrowseState:
        return replace(self, filter_text=text.strip())

    def with_range(self, choice: RangeChoice) -> BrowseState:
        """A newly chosen range replaces any ±window pivots (they would hide it)."""
        kept = tuple(p for p in self.pivots if p.time_range is None)
        return replace(self, range_choice=choice, pivots=kept)

    def push(self, pivot: Pivot) -> BrowseState:
        return replace(self, pivots=self.pivots + (pivot,))

    def pop(self) -> BrowseState:
        return replace(self, pivots=self.pivots[:-1])

    def clauses(self) -> list[str]:
        parts = [self.filter_text] if self.filter_text else []
        parts.extend(p.expression for p in self.pivots if p.expression)
        return parts

    def query_text(self) -> str:
        """The JMESPath expression actually run: the typed filter AND every pivot."""
        parts = self.clauses()
        if len(parts) <= 1:
            return parts[0] if parts else ""
        return " && ".join(f"({part})" for part in parts)

    def compile(self) -> EventFilter:
        return EventFilter.compile(self.query_text())

    def effective_range(self) -> RangeChoice:
        """The innermost ±window pivot if any, else the chosen range."""
        for pivot in reversed(self.pivots):
            if pivot.time_range is not None:
                return RangeChoice(pivot.time_range, pivot.label)
        return self.range_choice
