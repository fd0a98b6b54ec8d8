"""A count's answer: the top groups plus totals, in the shape every face prints.

`as_json()` is the `--format json` document: `by`, `events`, `distinct`,
`groups` (key, count, first, last), `others`; when counting had to approximate,
also `approximate: true` and `error_bound` (no listed count is more than that
above the truth, and no unlisted key occurred more often than that), and each
group's own `error`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trailtui.counts.keys import Key, key_order


def iso(when: datetime | None) -> str | None:
    """ISO 8601 UTC with a `Z`, fractional seconds only when there are some."""
    if when is None:
        return None
    if when.microsecond:
        return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Group:
    key: Key
    count: int
    first: datetime | None
    last: datetime | None
    error: int = 0  # the count may be this much above the truth (0: exact)
    bins: tuple[int, ...] = ()  # events over the result's time span, for a spark


def ordered(groups: list[Group]) -> list[Group]:
    """Count descending, then key ascending."""
    return sorted(groups, key=lambda g: (-g.count, key_order(g.key)))


@dataclass(frozen=True, slots=True)
class CountResult:
    by: tuple[str, ...]
    events: int
    distinct: int
    groups: tuple[Group, ...]
    approximate: bool = False
    error_bound: int = 0
    method: str = "scan"  # how it was counted: "scan", or the server ("athena", "lake", "store")
    first: datetime | None = None
    last: datetime | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def others(self) -> int:
        return max(0, self.events - sum(g.count for g in self.groups))

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "by": list(self.by),
            "events": self.events,
            "distinct": self.distinct,
            "groups": [self._group_json(g) for g in self.groups],
            "others": self.others,
        }
        if self.approximate:
            out["approximate"] = True
            out["error_bound"] = self.error_bound
        return out

    def _group_json(self, group: Group) -> dict[str, Any]:
        item: dict[str, Any] = {"key": list(group.key), "count": group.count,
                                "first": iso(group.first), "last": iso(group.last)}
        if self.approximate:
            item["error"] = group.error
        return item
