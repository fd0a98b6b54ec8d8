"""What one re-query of the follow window costs on Athena, approximately.

Athena bills the bytes a query scans (GetQueryExecution's
`Statistics.DataScannedInBytes`) at about $5 per TB in most regions, rounded up
to the next megabyte with a 10 MB minimum per query.  Prices differ by region
and change, so the figure is shown as approximate (`≈`), never as a bill.
"""

from __future__ import annotations

from dataclasses import dataclass

DOLLARS_PER_TB = 5.0
TB = 10**12
MB = 10**6
MINIMUM_BILLED = 10 * MB


@dataclass(frozen=True, slots=True)
class ScanCost:
    """Bytes one query read and the approximate dollars they cost."""

    scanned_bytes: int

    @property
    def billed_bytes(self) -> int:
        rounded = -(-self.scanned_bytes // MB) * MB
        return max(rounded, MINIMUM_BILLED)

    @property
    def dollars(self) -> float:
        return self.billed_bytes / TB * DOLLARS_PER_TB

    def describe(self) -> str:
        """`12.3 MB scanned ≈$0.00006`: the read, and its approximate price."""
        return f"{_size(self.scanned_bytes)} scanned ≈${self.dollars:.5f}"


def _size(count: int) -> str:
    if count >= 10**9:
        return f"{count / 10**9:.1f} GB"
    if count >= MB:
        return f"{count / MB:.1f} MB"
    if count >= 1000:
        return f"{count / 1000:.0f} kB"
    return f"{count} B"
