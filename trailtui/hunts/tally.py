"""Per-hunt aggregates of hits: how many, first and last time, who.  Used by
the `hunt` table, the markdown report and the console's hunt list; bounded no
matter how many hits arrive."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from trailtui.events import EPOCH
from trailtui.hunts.engine import Hit
from trailtui.hunts.model import Hunt

# Distinct principals remembered per hunt; beyond it, rare ones are forgotten
# (top-N stays right for anything that matters).
PRINCIPAL_LIMIT = 2_000


@dataclass(slots=True)
class HuntTally:
    hunt: Hunt
    count: int = 0
    attempts: int = 0
    first: datetime | None = None
    last: datetime | None = None
    principals: Counter[str] = field(default_factory=Counter)

    def add(self, hit: Hit) -> None:
        self.count += 1
        self.attempts += hit.attempt
        when = hit.event.time
        if when != EPOCH:
            self.first = when if self.first is None or when < self.first else self.first
            self.last = when if self.last is None or when > self.last else self.last
        self.principals[hit.event.principal] += 1
        if len(self.principals) > PRINCIPAL_LIMIT:
            for name, _ in self.principals.most_common()[PRINCIPAL_LIMIT // 2:]:
                del self.principals[name]

    def top_principals(self, n: int = 3) -> list[tuple[str, int]]:
        return self.principals.most_common(n)

    @property
    def outcome(self) -> str:
        """'attempt' when every hit was a failed call, 'N attempts' when some
        were, '' when none: the word every output shows next to the count."""
        if not self.attempts:
            return ""
        if self.attempts == self.count:
            return "attempt" if self.count == 1 else "all attempts"
        return f"{self.attempts} attempt" + ("s" if self.attempts > 1 else "")


class HuntTallies:
    """Tallies for a set of hunts, in catalogue order."""

    def __init__(self, hunts: Iterable[Hunt]) -> None:
        self._by_id = {h.id: HuntTally(h) for h in hunts}

    def add(self, hits: Iterable[Hit]) -> None:
        for hit in hits:
            tally = self._by_id.get(hit.hunt.id)
            if tally is None:
                tally = self._by_id[hit.hunt.id] = HuntTally(hit.hunt)
            tally.add(hit)

    def get(self, hunt_id: str) -> HuntTally | None:
        return self._by_id.get(hunt_id)

    def fired(self) -> list[HuntTally]:
        """Hunts with hits, most severe first, then most hits."""
        fired = [t for t in self._by_id.values() if t.count]
        return sorted(fired, key=lambda t: (-t.hunt.rank, -t.count, t.hunt.id))

    @property
    def total(self) -> int:
        return sum(t.count for t in self._by_id.values())
