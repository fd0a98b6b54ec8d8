"""When a group's events happened, for a small spark, in bounded memory.

Every group keeps counts per time slot of one shared width, a power of two
seconds on an epoch-aligned grid, so a coarser width is always a whole number
of finer slots.  The width doubles whenever everything seen spans more than
`SLOTS` slots; a group re-bins to the new width only when it is next touched
or drawn.  So a group costs at most `SLOTS` small integers, whatever the span.
"""

from __future__ import annotations

from dataclasses import dataclass

SLOTS = 32
BASE_EXPONENT = 6  # 64-second slots to begin with


@dataclass(slots=True)
class SparkFrame:
    """The time span of everything counted and the slot width (2**exponent s)."""

    exponent: int = BASE_EXPONENT
    lo: int | None = None
    hi: int | None = None

    def cover(self, second: int) -> None:
        if self.lo is None or second < self.lo:
            self.lo = second
        if self.hi is None or second > self.hi:
            self.hi = second
        while (self.hi >> self.exponent) - (self.lo >> self.exponent) >= SLOTS:
            self.exponent += 1


def rebinned(bins: dict[int, int], exponent: int, wanted: int) -> dict[int, int]:
    """`bins` at slot width 2**exponent as counts at the coarser 2**wanted."""
    if wanted == exponent:
        return bins
    shift = wanted - exponent
    out: dict[int, int] = {}
    for slot, count in bins.items():
        out[slot >> shift] = out.get(slot >> shift, 0) + count
    return out


def bars(bins: dict[int, int], frame: SparkFrame, width: int) -> tuple[int, ...]:
    """The group's counts in `width` equal bars over the frame's whole span
    (bins already at the frame's width)."""
    if frame.lo is None or frame.hi is None or width <= 0:
        return ()
    first = frame.lo >> frame.exponent
    span = (frame.hi >> frame.exponent) - first + 1
    out = [0] * width
    for slot, count in bins.items():
        position = (slot - first) * width // span
        out[min(max(position, 0), width - 1)] += count
    return tuple(out)
