"""Where the Counts screen is: which field it counts by, within which values
(each `tab` adds one), and the pivots `enter` and `x` make of a row.
An immutable value; pure Python, no Textual."""

from __future__ import annotations

from dataclasses import dataclass, replace

from trailtui.counts import GroupField, GroupSpec, format_key_part, key_filter
from trailtui.counts.fields import FIELDS
from trailtui.counts.keys import Key
from trailtui.ui.pivots import Pivot

# `tab` goes one level deeper: to the first of these not counted yet.
DRILL_ORDER = ("principal", "event name", "source IP")


@dataclass(frozen=True, slots=True)
class Within:
    """One level above: the field counted there and the value chosen."""

    field: GroupField
    clause: str  # JMESPath selecting exactly that value
    label: str  # "source IP 203.0.113.7" (raw text: escape it to show it)


@dataclass(frozen=True, slots=True)
class CountScope:
    field: GroupField
    within: tuple[Within, ...] = ()

    def spec(self) -> GroupSpec:
        return GroupSpec.compile([self.field.expression])

    def clauses(self) -> list[str]:
        return [level.clause for level in self.within]

    def value_label(self, key: Key) -> str:
        return f"{self.field.label} {format_key_part(key[0])}"

    def _selection(self, key: Key) -> tuple[str, str]:
        """(expression, label) selecting this row: every level's value and this one."""
        clauses = self.clauses() + [key_filter(self.spec(), key)]
        expression = clauses[0] if len(clauses) == 1 else " && ".join(f"({c})" for c in clauses)
        label = " ▸ ".join([level.label for level in self.within] + [self.value_label(key)])
        return expression, label

    def narrow(self, key: Key) -> Pivot:
        expression, label = self._selection(key)
        return Pivot("count", label, expression, value=format_key_part(key[0]))

    def exclude(self, key: Key) -> Pivot:
        expression, label = self._selection(key)
        return Pivot("exclude", f"not {label}", f"!({expression})", value=format_key_part(key[0]))

    def next_field(self) -> GroupField | None:
        used = {self.field.label} | {level.field.label for level in self.within}
        for label in DRILL_ORDER:
            if label not in used:
                return next(f for f in FIELDS if f.label == label)
        return None

    def deeper(self, key: Key) -> CountScope | None:
        """Count the next field within this row's value; None at the bottom."""
        following = self.next_field()
        if following is None:
            return None
        level = Within(self.field, key_filter(self.spec(), key), self.value_label(key))
        return CountScope(following, self.within + (level,))

    def shallower(self) -> CountScope | None:
        if not self.within:
            return None
        return CountScope(self.within[-1].field, self.within[:-1])

    def with_field(self, field: GroupField) -> CountScope:
        return replace(self, field=field)
