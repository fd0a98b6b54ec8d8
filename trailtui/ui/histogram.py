"""Matches over time, for the timeline strip, in bounded memory.

Counts are kept per time bucket; when there are more than `max_buckets`
buckets the bucket width doubles and neighbours merge, so a query over a year
costs the same few thousand integers as one over an hour, and the resolution
always suits the span of the data.  Pure Python, no Textual.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

BLOCKS = " ▁▂▃▄▅▆▇█"


class Histogram:
    def __init__(self, max_buckets: int = 4096, width: float = 1.0) -> None:
        self.max_buckets = max_buckets
        self.width = width
        self.counts: dict[int, int] = {}
        self.total = 0
        self.first: float | None = None
        self.last: float | None = None

    def add_many(self, times: Iterable[float]) -> None:
        counts = self.counts
        width = self.width
        lo, hi = self.first, self.last
        for t in times:
            key = int(t // width)
            counts[key] = counts.get(key, 0) + 1
            self.total += 1
            if lo is None or t < lo:
                lo = t
            if hi is None or t > hi:
                hi = t
        self.first, self.last = lo, hi
        while len(self.counts) > self.max_buckets:
            self._coarsen()

    def _coarsen(self) -> None:
        merged: dict[int, int] = {}
        for key, count in self.counts.items():
            merged[key // 2] = merged.get(key // 2, 0) + count
        self.counts = merged
        self.width *= 2

    def bars(self, lo: float, hi: float, n: int) -> list[int]:
        """Counts summed into `n` equal bars over [lo, hi]; buckets outside are ignored."""
        out = [0] * max(n, 0)
        if n <= 0 or hi <= lo:
            if n > 0 and self.total:
                out[-1] = self.total
            return out
        span = hi - lo
        for key, count in self.counts.items():
            middle = (key + 0.5) * self.width
            if middle < lo - self.width or middle > hi + self.width:
                continue
            slot = int((min(max(middle, lo), hi) - lo) / span * n)
            out[min(slot, n - 1)] += count
        return out


def sparkline(values: list[int]) -> str:
    """One character per value, height proportional to the largest; any
    non-zero value gets at least the lowest block so single events show."""
    peak = max(values, default=0)
    if peak <= 0:
        return " " * len(values)
    top = len(BLOCKS) - 1
    return "".join(BLOCKS[0] if v <= 0 else BLOCKS[max(1, math.ceil(v / peak * top))] for v in values)
