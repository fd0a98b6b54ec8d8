"""What a hunt run knows beyond the events themselves: the accounts counted as
the organisation's own, and an explicit first-seen baseline.  One per run,
passed to the engine, so no hunt keeps state between runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from trailtui.hunts.accounts import KnownAccounts
from trailtui.timerange import TimeRange


@dataclass(slots=True)
class HuntContext:
    known_accounts: KnownAccounts = field(default_factory=KnownAccounts)
    # None: each first-seen hunt learns from everything older than its `recent` period.
    baseline: TimeRange | None = None
