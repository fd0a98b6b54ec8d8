"""The timeline strip: matches over the time range, one bar per cell, so a
burst stands out at a glance.  Labels are our own text (times, counts)."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.widget import Widget

from trailtui.ui.histogram import Histogram, sparkline


def _label(timestamp: float, span: float) -> str:
    when = datetime.fromtimestamp(timestamp, tz=UTC)
    return when.strftime("%m-%d %H:%M" if span <= 3 * 86400 else "%Y-%m-%d")


class Timeline(Widget):
    COMPONENT_CLASSES = {"timeline--bars", "timeline--label"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.histogram: Histogram | None = None
        self.lo: float | None = None
        self.hi: float | None = None

    def show(self, histogram: Histogram | None, lo: float | None, hi: float | None) -> None:
        """Draw `histogram` over [lo, hi]; an open side uses the data's extent."""
        self.histogram, self.lo, self.hi = histogram, lo, hi
        self.refresh()

    def span(self) -> tuple[float, float] | None:
        h = self.histogram
        if h is None or h.total == 0:
            return None
        lo = self.lo if self.lo is not None else h.first
        hi = self.hi if self.hi is not None else h.last
        if lo is None or hi is None:
            return None
        return lo, max(hi, lo)

    def render(self) -> Text:
        width = self.size.width
        label_style = self.get_component_rich_style("timeline--label")
        bounds = self.span()
        if bounds is None or self.histogram is None:
            return Text(" timeline: no matches yet", style=label_style, no_wrap=True)
        lo, hi = bounds
        span = hi - lo
        left, right = _label(lo, span), _label(hi, span)
        bars_width = max(width - len(left) - len(right) - 4, 4)
        values = self.histogram.bars(lo, hi, bars_width)
        text = Text(no_wrap=True, overflow="crop")
        text.append(f" {left} ", label_style)
        text.append(sparkline(values), self.get_component_rich_style("timeline--bars"))
        text.append(f" {right}", label_style)
        return text
