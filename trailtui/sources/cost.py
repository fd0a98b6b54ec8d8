"""What a query scanned, and roughly what it cost.

Athena bills $5 per TB scanned, each query rounded up to the next MB with a
10 MB minimum; CloudTrail Lake bills queries at $0.005 per GB scanned.  Both
are list prices for most regions at the time of writing (check AWS's pricing
pages for yours): the figure shown is approximate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MB = 1024 * 1024
ATHENA_USD_PER_TB = 5.0
ATHENA_MINIMUM_MB = 10
LAKE_USD_PER_GB = 0.005


@dataclass(frozen=True, slots=True)
class ScanCost:
    engine: str
    scanned_bytes: int
    usd: float

    def describe(self) -> str:
        return f"data scanned: {_size(self.scanned_bytes)} ({self.engine}; approximate cost ${self.usd:.4f})"


def _size(count: int) -> str:
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", MB), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} bytes"


def scan_cost(engine: str, scanned_bytes: int | None, queries: int = 1) -> ScanCost | None:
    """The approximate cost of `queries` queries that scanned `scanned_bytes` in all."""
    if scanned_bytes is None or engine not in ("athena", "lake"):
        return None
    if engine == "athena":
        billed_mb = max(math.ceil(scanned_bytes / MB), ATHENA_MINIMUM_MB * max(queries, 1))
        return ScanCost(engine, scanned_bytes, billed_mb / (1024 * 1024) * ATHENA_USD_PER_TB)
    return ScanCost(engine, scanned_bytes, scanned_bytes / 1024**3 * LAKE_USD_PER_GB)
